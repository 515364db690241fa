/**
 * The differences between the configuration the cluster runs (`config.get`) and the one being edited, as a list
 * a person can read: servers, groups, resources and monitors are matched by name (interconnects by priority), and
 * each change names its subject and field — resource and monitor params by their catalogue label.
 */
import { MONITOR_TYPES, RESOURCE_TYPES } from '@kumo/shared';
import type { FieldHint, MonitorConfig, Msg, ResourceConfig } from '@kumo/shared';
import type { Draft } from '../config-forms/draft';

export type Segment = string | Msg;

export interface Change {
  readonly kind: 'added' | 'removed' | 'changed';
  /** Subject then field, e.g. [{en:'Resource awsvip1'…}, {en:'IP Address'…}]. */
  readonly path: readonly Segment[];
  readonly before?: unknown;
  readonly after?: unknown;
}

const m = (en: string, ja: string): Msg => ({ en, ja });

/** Readable names of the config's own keys (params use the catalogue's labels). */
const KEYS: Record<string, Msg> = {
  heartbeat: m('Heartbeat', 'ハートビート'),
  intervalS: m('Interval', 'インターバル'),
  timeoutS: m('Timeout', 'タイムアウト'),
  retryCount: m('Retry Count', 'リトライ回数'),
  waitStartS: m('Wait Time to Start Monitoring', '監視開始待ち時間'),
  np: m('NP Resolution', 'NP解決'),
  targets: m('Targets', 'ターゲット'),
  isolationAction: m('Action at NP Occurrence', 'NP発生時動作'),
  forcedStop: m('Forced stop', '強制停止'),
  enabled: m('Use', '使用'),
  delayPerPriorityS: m('Wait per priority rank', '優先度ごとの待ち時間'),
  stopTimeoutS: m('Stop timeout', '停止待ちタイムアウト'),
  language: m('Language', '言語'),
  comment: m('Comment', 'コメント'),
  address: m('IP Address', 'IP アドレス'),
  instanceId: m('Instance ID', 'インスタンス ID'),
  addresses: m('Addresses', 'アドレス'),
  kind: m('Type', '種別'),
  startupServers: m('Startup Servers', '起動可能サーバ'),
  attributes: m('Group Attributes', 'グループ属性'),
  startup: m('Startup Attribute', '起動属性'),
  failover: m('Failover Attribute', 'フェイルオーバ属性'),
  failback: m('Failback Attribute', 'フェイルバック属性'),
  dependency: m('Dependency', '依存関係'),
  recovery: m('Recovery', '復旧動作'),
  activation: m('Activation', '活性'),
  deactivation: m('Deactivation', '非活性'),
  failoverThreshold: m('Failover Threshold', 'フェイルオーバしきい値'),
  finalAction: m('Final Action', '最終動作'),
  maxRestarts: m('Maximum Reactivation Count', '最大再活性回数'),
  maxFailovers: m('Maximum Failover Count', '最大フェイルオーバ回数'),
  target: m('Target', '対象'),
  common: m('Monitor (common)', '監視(共通)'),
  timing: m('Monitor Timing', '監視タイミング'),
  servers: m('Servers', 'サーバ'),
  host: m('Target Host', 'ターゲットホスト'),
  port: m('Service Port', 'サービスポート'),
  ssl: m('Use SSL', 'SSL を使用する'),
  noRetryOnTimeout: m('Do not retry at timeout occurrence', 'タイムアウト発生時にリトライしない'),
  noRecoveryOnTimeout: m('Do not execute recovery action at timeout occurrence', 'タイムアウト発生時に回復動作を実行しない'),
  webui: m('WebUI access', 'WebUI アクセス'),
  ports: m('Ports', 'ポート'),
};

const keyLabel = (key: string): Segment => KEYS[key] ?? key;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function deep(a: unknown, b: unknown, path: Segment[], out: Change[], label: (key: string) => Segment = keyLabel): void {
  if (same(a, b)) return;
  if (a === undefined) {
    out.push({ kind: 'added', path, after: b });
    return;
  }
  if (b === undefined) {
    out.push({ kind: 'removed', path, before: a });
    return;
  }
  if (isObject(a) && isObject(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) deep(a[key], b[key], [...path, label(key)], out);
    return;
  }
  out.push({ kind: 'changed', path, before: a, after: b });
}

function byName<T extends { name: string }>(
  before: readonly T[],
  after: readonly T[],
  subject: (item: T) => Segment,
  out: Change[],
  inner: (a: T, b: T, at: Segment[]) => void,
): void {
  for (const a of before) {
    const b = after.find((x) => x.name === a.name);
    if (!b) out.push({ kind: 'removed', path: [subject(a)] });
    else inner(a, b, [subject(b)]);
  }
  for (const b of after) if (!before.some((a) => a.name === b.name)) out.push({ kind: 'added', path: [subject(b)] });
}

function paramLabel(fields: Readonly<Record<string, FieldHint>>): (key: string) => Segment {
  return (key) => fields[key]?.label ?? keyLabel(key);
}

/** Compares two items field by field; params and per-server values use the catalogue's labels. */
function item(a: ResourceConfig | MonitorConfig, b: ResourceConfig | MonitorConfig, at: Segment[], fields: Readonly<Record<string, FieldHint>>, out: Change[]): void {
  const { params: pa, perServer: sa, ...ra } = a;
  const { params: pb, perServer: sb, ...rb } = b;
  deep(ra, rb, at, out);
  deep(pa, pb, at, out, paramLabel(fields));
  for (const server of new Set([...Object.keys(sa), ...Object.keys(sb)])) {
    deep(sa[server], sb[server], [...at, m(`on ${server}`, `${server} 個別`)], out, paramLabel(fields));
  }
}

export function diffConfigs(before: Draft | null, after: Draft): Change[] {
  const out: Change[] = [];
  if (!before) {
    out.push({ kind: 'added', path: [m(`Cluster ${after.cluster.name}`, `クラスタ ${after.cluster.name}`)] });
    return out;
  }
  const cluster = m('Cluster', 'クラスタ');
  deep(before.cluster, after.cluster, [cluster], out);
  byName(before.servers, after.servers, (s) => m(`Server ${s.name}`, `サーバ ${s.name}`), out, (a, b, at) => deep(a, b, at, out));
  if (!same(before.servers.map((s) => s.name), after.servers.map((s) => s.name))) {
    out.push({ kind: 'changed', path: [m('Server priority', 'サーバの優先順位')], before: before.servers.map((s) => s.name), after: after.servers.map((s) => s.name) });
  }
  const icName = (p: number) => m(`Interconnect ${p}`, `インタコネクト ${p}`);
  for (const a of before.interconnects) {
    const b = after.interconnects.find((x) => x.priority === a.priority);
    if (!b) out.push({ kind: 'removed', path: [icName(a.priority)] });
    else deep(a, b, [icName(a.priority)], out);
  }
  for (const b of after.interconnects) if (!before.interconnects.some((a) => a.priority === b.priority)) out.push({ kind: 'added', path: [icName(b.priority)] });
  byName(before.groups, after.groups, (g) => m(`Group ${g.name}`, `グループ ${g.name}`), out, (a, b, at) => {
    const { resources: ra, ...ga } = a;
    const { resources: rb, ...gb } = b;
    deep(ga, gb, at, out);
    byName(ra, rb, (r) => m(`Resource ${r.name}`, `リソース ${r.name}`), out, (x, y, rat) => item(x, y, [...at, ...rat], RESOURCE_TYPES[y.type].fields as Record<string, FieldHint>, out));
  });
  byName(before.monitors, after.monitors, (x) => m(`Monitor ${x.name}`, `モニタリソース ${x.name}`), out, (a, b, at) =>
    item(a, b, at, MONITOR_TYPES[b.type].fields as Record<string, FieldHint>, out),
  );
  return out;
}

/** A value as a short text for the list. */
export function showValue(v: unknown): string {
  if (v === undefined) return '';
  if (typeof v === 'string') return v === '' ? '""' : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number')) return v.join(', ');
  return JSON.stringify(v);
}
