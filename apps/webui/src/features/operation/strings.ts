/**
 * Operation mode's words in English and Japanese. State words are clpstat's in English (the shared
 * `STATE_WORDS`) and the Cluster WebUI's in Japanese; operation names are CLUSTERPRO's (起動, 停止, 移動,
 * サスペンド, リジューム, ミラー復帰, 強制ミラー復帰, 擬似障害). Button names carry the object they act on
 * ("Move failover1"), because the e2e tests find them by these names.
 */
import { STATE_WORDS } from '@kumo/shared';
import type { Msg } from '@kumo/shared';

const m = (en: string, ja: string): Msg => ({ en, ja });

const JA_STATE: Record<keyof typeof STATE_WORDS, string> = {
  online: '起動済',
  offline: '停止済',
  stopped: '停止済',
  isolated: '孤立',
  suspended: 'サスペンド',
  unknown: '不明',
  'online-pending': '起動処理中',
  'offline-pending': '停止処理中',
  'online-failure': '起動異常',
  'offline-failure': '停止異常',
  error: '異常',
  normal: '正常',
  warning: '警告',
  'dummy-failure': '擬似障害',
};

/** Words for states that clpstat prints (servers, heartbeats, groups, resources, monitors) and the cluster's. */
export const STATE: Record<string, Msg> = {
  ...Object.fromEntries(Object.entries(STATE_WORDS).map(([k, en]) => [k, m(en, JA_STATE[k as keyof typeof STATE_WORDS])])),
  delayed: m('Delayed', '遅延'),
  running: m('Running', '起動済'),
  partial: m('Partially running', '一部起動'),
  unconfigured: m('Not configured', '未構成'),
};

/** A monitor that is suspended is "paused" in the Japanese WebUI (一時停止), not サスペンド as a server is. */
export const MONITOR_STATE: Record<string, Msg> = { ...STATE, suspended: m('Suspend', '一時停止') };

/** Mirror states (the mirror disk's own words) and colours. */
export const MIRROR_STATE: Record<string, Msg> = {
  normal: m('Normal', '正常'),
  recovering: m('Recovering', 'ミラー復帰中'),
  'recovery-pending': m('Recovery pending', 'ミラー復帰待ち'),
  broken: m('Not mirrored (peer unreachable)', 'ミラー切断 (相手サーバに到達不可)'),
  isolated: m('Isolated (mirror break)', '切り離し中 (ミラーブレイク)'),
  'split-brain': m('Split brain: both sides were updated', 'スプリットブレイン: 両方のサーバで更新されました'),
  unrelated: m('The two copies are unrelated', '2 つのデータに関連がありません'),
  refused: m('Refused by the peer', '相手サーバが拒否しました'),
  'no-construction': m('No Construction', '初期ミラー構築未実施'),
  closed: m('Closed', '停止済'),
  unknown: m('Unknown', '不明'),
};

export const MIRROR_COLOR: Record<string, Msg> = {
  GREEN: m('GREEN (up to date)', 'GREEN (最新)'),
  YELLOW: m('YELLOW (recovering)', 'YELLOW (復帰中)'),
  RED: m('RED (stale or failed)', 'RED (古いまたは異常)'),
  GRAY: m('GRAY (stopped or unknown)', 'GRAY (停止または不明)'),
};

export const MIRROR_ROLE: Record<string, Msg> = {
  primary: m('primary', 'プライマリ'),
  secondary: m('secondary', 'セカンダリ'),
};

/** What a group's pending order is doing (the engine's order kinds). */
export const PENDING: Record<string, (target: string | null) => Msg> = {
  'group.activate': (t) => m(`Starting${t ? ` on ${t}` : ''}…`, `${t ? `${t} で` : ''}起動処理中…`),
  'group.deactivate': (t) => m(`Stopping${t ? ` on ${t}` : ''}…`, `${t ? `${t} で` : ''}停止処理中…`),
  'group.restart': (t) => m(`Restarting${t ? ` on ${t}` : ''}…`, `${t ? `${t} で` : ''}再起動中…`),
  'resource.restart': (t) => m(`Restarting a resource${t ? ` on ${t}` : ''}…`, `${t ? `${t} で` : ''}リソースを再起動中…`),
  'resource.activate': (t) => m(`Starting a resource${t ? ` on ${t}` : ''}…`, `${t ? `${t} で` : ''}リソースを起動中…`),
  'resource.deactivate': (t) => m(`Stopping a resource${t ? ` on ${t}` : ''}…`, `${t ? `${t} で` : ''}リソースを停止中…`),
  'service.stop': (t) => m(`Stopping the cluster service${t ? ` on ${t}` : ''}…`, `${t ? `${t} の` : ''}クラスタサービスを停止中…`),
};

export const O = {
  dashboard: m('Dashboard', 'ダッシュボード'),
  cluster: m('Cluster', 'クラスタ'),
  master: m('Master server', 'マスタサーバ'),
  configVersion: m('Configuration version', '構成情報バージョン'),
  statusFrom: (server: string) => m(`Status as seen by ${server}`, `${server} から見たステータス`),
  updatedAt: (time: string) => m(`updated ${time}`, `${time} 更新`),
  noStatus: m('No status yet.', 'ステータスはまだありません。'),
  statusUnavailable: m('The status could not be read.', 'ステータスを取得できませんでした。'),
  unconfigured: m('The cluster has no configuration yet; create one in config mode.', 'クラスタ構成情報がありません。設定モードで作成してください。'),
  referenceOnly: m(
    'Reference-only access: you can see everything, but operations are disabled. Log in with the operation password to operate the cluster.',
    '参照権限でアクセスしています。すべて表示できますが、操作はできません。クラスタを操作するには操作用パスワードでログインしてください。',
  ),
  referenceOnlyButton: m('Operations are disabled for reference-only access', '参照権限では操作できません'),
  failedOver: (from: string, to: string) =>
    m(
      `This page was loaded from ${from}, which no longer answers; it now talks to ${to} and carries on.`,
      `このページは ${from} から読み込まれましたが、${from} が応答しないため ${to} に接続して表示を続けています。`,
    ),
  disconnected: m('The connection is lost; the state shown may be out of date. Reconnecting…', '接続が切れています。表示中の状態は古い可能性があります。再接続しています…'),

  // Sections
  diagram: m('Where the groups run', 'グループの稼働状況'),
  diagramNotRunning: m('Not running', '停止中のグループ'),
  diagramWitness: m('NP targets', 'NP 対象'),
  servers: m('Servers', 'サーバ'),
  groups: m('Groups', 'グループ'),
  monitors: m('Monitors', 'モニタリソース'),
  mirrors: m('Mirror disks', 'ミラーディスク'),
  name: m('Name', '名前'),
  type: m('Type', 'タイプ'),
  address: m('Address', 'アドレス'),
  state: m('State', '状態'),
  heartbeats: m('Heartbeats', 'ハートビート'),
  np: m('NP resolution', 'NP解決'),
  current: m('Current server', '起動サーバ'),
  actions: m('Operations', '操作'),
  masterTag: m('master', 'マスタ'),
  localTag: m('this server', '接続先'),
  interconnect: (priority: number) => m(`Interconnect ${priority}`, `インタコネクト ${priority}`),
  notSeenFromHere: m('(this server)', '(接続先サーバ)'),
  noGroups: m('No groups.', 'グループはありません。'),
  noMonitors: m('No monitors.', 'モニタリソースはありません。'),
  resourcesOf: (group: string) => m(`Resources of ${group}`, `${group} のリソース`),
  activeOnMany: (servers: string) => m(`Active on ${servers}`, `${servers} で活性`),
  lastUpdate: m('Last update', '最終更新'),
  breakTime: m('Break time', 'ブレイク時刻'),
  recoveryProgress: (name: string) => m(`Mirror recovery of ${name}`, `${name} のミラー復帰`),
  recoveryDetail: (pct: number, rate: string, left: string | null, from: string, to: string) =>
    m(`${pct}% copied from ${from} to ${to} at ${rate}${left ? `, ${left} left` : ''}`, `${from} から ${to} へ ${pct}% コピー済み (${rate}${left ? `、残り ${left}` : ''})`),

  // Operations (button names: the verb, then what it acts on)
  start: m('Start', '起動'),
  stop: m('Stop', '停止'),
  move: m('Move', '移動'),
  suspend: m('Suspend', 'サスペンド'),
  resume: m('Resume', 'リジューム'),
  monitorSuspend: m('Suspend', '一時停止'),
  monitorResume: m('Resume', '再開'),
  dummyOn: m('Dummy failure', '擬似障害発生'),
  dummyOff: m('Clear dummy failure', '擬似障害解除'),
  mdRecover: m('Mirror recovery', 'ミラー復帰'),
  mdForce: m('Forced mirror recovery', '強制ミラー復帰'),
  mdBreak: m('Mirror break', 'ミラーブレイク'),
  serviceStart: m('Start service', 'サービス起動'),
  serviceStop: m('Stop service', 'サービス停止'),
  named: (verb: Msg, name: string) => m(`${verb.en} ${name}`, `${name} の${verb.ja}`),
  onServer: (verb: Msg, server: string) => m(`${verb.en} on ${server}`, `${server} の${verb.ja}`),
  allMonitors: (verb: Msg) => m(`${verb.en} all monitors`, `全モニタの${verb.ja}`),
  clusterVerb: (verb: Msg) => m(`${verb.en} cluster`, `クラスタ${verb.ja}`),

  // Dialog titles
  titleClusterStart: m('Start the cluster', 'クラスタ起動'),
  titleClusterStop: m('Stop the cluster', 'クラスタ停止'),
  titleClusterSuspend: m('Suspend the cluster', 'クラスタサスペンド'),
  titleClusterResume: m('Resume the cluster', 'クラスタリジューム'),
  titleServiceStart: m('Start the cluster service', 'クラスタサービスの起動'),
  titleServiceStop: m('Stop the cluster service', 'クラスタサービスの停止'),
  titleGroupStart: m('Start the group', 'グループの起動'),
  titleGroupStop: m('Stop the group', 'グループの停止'),
  titleGroupMove: m('Move the group', 'グループの移動'),
  titleResourceStart: m('Start the resource', 'リソースの起動'),
  titleResourceStop: m('Stop the resource', 'リソースの停止'),
  titleMonitorSuspend: m('Suspend monitoring', 'モニタの一時停止'),
  titleMonitorResume: m('Resume monitoring', 'モニタの再開'),
  titleDummyOn: m('Enable a dummy failure', '擬似障害の発生'),
  titleDummyOff: m('Clear the dummy failure', '擬似障害の解除'),
  titleMdRecover: m('Mirror recovery', 'ミラー復帰'),
  titleMdForce: m('Forced mirror recovery', '強制ミラー復帰'),
  titleMdBreak: m('Mirror break', 'ミラーブレイク'),

  // Dialog choices
  destination: m('Destination server', '移動先サーバ'),
  startOn: m('Server to start on', '起動するサーバ'),
  upToDate: m('Up-to-date server (its data is copied to the other)', '最新のサーバ (そのデータを他方にコピーします)'),
  breakOn: m('Server whose copy is isolated', '切り離すサーバ'),
  onWhichServers: m('Server', 'サーバ'),
  allServers: m('All servers', '全サーバ'),
  byPolicy: m('By the failover policy', 'フェイルオーバポリシーに従う'),

  // Questions (what will happen)
  qClusterStart: m('Start the cluster service on every server? Groups set to Auto Startup start.', '全サーバでクラスタサービスを起動しますか。自動起動のグループが起動します。'),
  qClusterStop: m('Stop the cluster service on every server? Every group is stopped first.', '全サーバでクラスタサービスを停止しますか。先にすべてのグループを停止します。'),
  qClusterSuspend: m('Suspend the cluster? Monitors pause and groups stay where they are; nothing fails over until it is resumed.', 'クラスタをサスペンドしますか。監視は一時停止し、グループはそのまま残ります。リジュームするまでフェイルオーバしません。'),
  qClusterResume: m('Resume the cluster? Monitoring and failover come back.', 'クラスタをリジュームしますか。監視とフェイルオーバが再開します。'),
  qServiceStart: (s: string) => m(`Start the cluster service on ${s}?`, `${s} のクラスタサービスを起動しますか。`),
  qServiceStop: (s: string) => m(`Stop the cluster service on ${s}? Its groups stop there (and fail over if allowed).`, `${s} のクラスタサービスを停止しますか。そのサーバのグループは停止します (許可されていればフェイルオーバします)。`),
  qGroupStart: (g: string, s: string | null) => m(`Start ${g}${s ? ` on ${s}` : ''}?`, `${s ? `${s} で ` : ''}${g} を起動しますか。`),
  qGroupStop: (g: string, s: string | null) => m(`Stop ${g}${s ? ` on ${s}` : ''}? Its resources are deactivated.`, `${s ? `${s} の ` : ''}${g} を停止しますか。リソースは非活性になります。`),
  qGroupMove: (g: string, from: string | null, to: string | null) =>
    m(`Move ${g}${from ? ` from ${from}` : ''} to ${to ?? 'the next server of its failover policy'}? It is stopped, then started there.`, `${g} を${from ? ` ${from} から` : ''} ${to ?? 'フェイルオーバポリシーの次のサーバ'} に移動しますか。停止してから移動先で起動します。`),
  qResourceStart: (r: string) => m(`Start ${r} alone?`, `${r} を単体で起動しますか。`),
  qResourceStop: (r: string) => m(`Stop ${r} alone? The group stays online without it.`, `${r} を単体で停止しますか。グループは起動したままです。`),
  qMonitorSuspend: (mon: string | null) => m(`Suspend ${mon ?? 'every monitor'}? No failure is detected while it is suspended.`, `${mon ?? 'すべてのモニタ'} を一時停止しますか。一時停止中は障害を検出しません。`),
  qMonitorResume: (mon: string | null) => m(`Resume ${mon ?? 'every monitor'}?`, `${mon ?? 'すべてのモニタ'} を再開しますか。`),
  qDummyOn: (mon: string, s: string | null) =>
    m(`Make ${mon} report an error${s ? ` on ${s}` : ' on every server'}? Its recovery action runs as for a real failure.`, `${s ? `${s} で` : '全サーバで'} ${mon} に擬似障害を発生させますか。実際の障害と同じように回復動作が実行されます。`),
  qDummyOff: (mon: string) => m(`Clear the dummy failure of ${mon} on every server?`, `全サーバで ${mon} の擬似障害を解除しますか。`),
  qMdRecover: (md: string) => m(`Start the mirror recovery of ${md}? The differences are copied to the stale side.`, `${md} のミラー復帰を開始しますか。差分を古い側にコピーします。`),
  qMdForce: (md: string, s: string | null) => m(`Force the mirror recovery of ${md} from ${s ?? '?'}? The other server's data is overwritten.`, `${s ?? '?'} を最新として ${md} の強制ミラー復帰を行いますか。他方のサーバのデータは上書きされます。`),
  qMdBreak: (md: string, s: string | null) => m(`Isolate the copy of ${md} on ${s ?? '?'} (mirror break)? It stops being mirrored until it is recovered.`, `${s ?? '?'} の ${md} を切り離しますか (ミラーブレイク)。ミラー復帰するまで同期されません。`),

  // Running and results
  running: (what: Msg) => m(`${what.en}: running…`, `${what.ja}: 実行中…`),
  succeeded: (what: Msg) => m(`${what.en}: done.`, `${what.ja}: 完了しました。`),
  failed: (what: Msg) => m(`${what.en}: refused or failed.`, `${what.ja}: 拒否されたか失敗しました。`),
  results: m('Operations', '操作結果'),
  dismiss: m('Dismiss', '閉じる'),
  agentSaid: m('The agent said:', 'エージェントの応答:'),

  // What-if
  whatIf: m('What if…', 'What-if シミュレーション'),
  whatIfHelp: m(
    'Say something fails and see what the cluster would do, as its own decision engine computes it from the cluster as it is now. Nothing is touched.',
    '障害が起きたと仮定して、クラスタがどう動作するかを、現在の状態からクラスタ自身の判断ロジックで計算します。実際には何も変更しません。',
  ),
  fault: m('What fails', '障害の対象'),
  faultServer: m('A server goes down', 'サーバダウン'),
  faultInterconnect: m('Every interconnect of a server is cut', 'サーバのインタコネクトがすべて切断'),
  faultMonitor: m('A monitor detects an error', 'モニタリソースが異常を検出'),
  faultTarget: m('Server', 'サーバ'),
  faultMonitorName: m('Monitor', 'モニタリソース'),
  faultMonitorServer: m('On server', '検出するサーバ'),
  whereItRuns: m('Where its target runs', '監視対象が稼働しているサーバ'),
  simulate: m('Simulate', 'シミュレート'),
  simulating: m('Simulating…', 'シミュレーション中…'),
  whatWouldHappen: m('What would happen', '予想される動作'),
  stepServer: m('Server', 'サーバ'),
  stepAction: m('Action', '動作'),
  stepDetail: m('Detail', '詳細'),
  noSteps: m('Nothing would happen.', '何も起こりません。'),
  summary: m('Outcome', '結果'),
} as const;
