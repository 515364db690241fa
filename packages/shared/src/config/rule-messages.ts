/** Sentences for the cross-field rules of validate.ts, in English and Japanese. */
import type { Msg } from '../i18n.js';

const list = (items: readonly string[]) => items.map((i) => `"${i}"`).join(', ');
const listJa = (items: readonly string[]) => items.map((i) => `「${i}」`).join('、');
const kindJa: Record<string, string> = { server: 'サーバ', group: 'グループ', resource: 'リソース', monitor: 'モニタリソース', MDC: 'MDC' };

export const rules = {
  duplicateName: (kind: string, name: string): Msg => ({
    en: `the ${kind} name "${name}" is used more than once; give each ${kind} its own name`,
    ja: `${kindJa[kind] ?? kind}名「${name}」が重複しています。それぞれに別の名前を付けてください`,
  }),
  duplicateServerAddress: (address: string): Msg => ({
    en: `the address ${address} is given to more than one server; enter each server's own private IP`,
    ja: `アドレス ${address} が複数のサーバに設定されています。各サーバ自身のプライベート IP を入力してください`,
  }),
  unknownServer: (name: string, servers: readonly string[]): Msg => ({
    en: `there is no server named "${name}"; use one of ${list(servers)} or add the server first`,
    ja: `サーバ「${name}」は存在しません。${listJa(servers)} のいずれかを指定するか、先にサーバを追加してください`,
  }),
  heartbeatTimeout: (interval: number, timeout: number): Msg => ({
    en: `the heartbeat timeout (${timeout} s) must be longer than the heartbeat interval (${interval} s); CLUSTERPRO's defaults are 90 s and 3 s`,
    ja: `ハートビートタイムアウト (${timeout} 秒) はハートビート間隔 (${interval} 秒) より長くしてください。既定値は 90 秒と 3 秒です`,
  }),
  forcedStopInstance: (server: string): Msg => ({
    en: `forced stop is on, so server "${server}" needs its EC2 instance ID; enter it (Discover fills it in) or turn forced stop off`,
    ja: `強制停止が有効なため、サーバ「${server}」の EC2 インスタンス ID が必要です。入力するか (検出で自動入力できます)、強制停止を無効にしてください`,
  }),
  duplicatePriority: (priority: number): Msg => ({
    en: `interconnect priority ${priority} is used more than once; give each interconnect its own priority`,
    ja: `インタコネクトの優先度 ${priority} が重複しています。それぞれに別の優先度を設定してください`,
  }),
  addressUsedTwice: (address: string, owner: string): Msg => ({
    en: `the address ${address} is already used by ${owner}; every interconnect address must be unique`,
    ja: `アドレス ${address} は ${owner} で既に使われています。インタコネクトのアドレスは重複できません`,
  }),
  noHeartbeat: (server: string): Msg => ({
    en: `server "${server}" has no interconnect address, so no heartbeat can reach it; enter its address in a kernel-mode interconnect row`,
    ja: `サーバ「${server}」にインタコネクトのアドレスがないため、ハートビートが届きません。カーネルモードのインタコネクトにアドレスを入力してください`,
  }),
  startupServerTwice: (server: string): Msg => ({
    en: `server "${server}" is listed twice among the startup servers; list each server once`,
    ja: `サーバ「${server}」が起動可能サーバに 2 回指定されています。各サーバは 1 回だけ指定してください`,
  }),
  paramRequired: (label: Msg | undefined): Msg => ({
    en: `${label ? `"${label.en}"` : 'this field'} is required; enter a value`,
    ja: `${label ? `「${label.ja}」` : 'この項目'}は必須です。値を入力してください`,
  }),
  perServerRequired: (server: string, label: Msg | undefined): Msg => ({
    en: `${label ? `"${label.en}"` : 'this field'} must be set individually for ${server}: on the ${server} tab tick "Set up individually" and enter ${server}'s own value`,
    ja: `${label ? `「${label.ja}」` : 'この項目'}は ${server} ごとの個別設定が必須です。${server} のタブで「個別に設定する」をチェックし、${server} の値を入力してください`,
  }),
  perServerOrCommon: (server: string, label: Msg | undefined): Msg => ({
    en: `${label ? `"${label.en}"` : 'this field'} has no value for ${server}; enter it on the Common tab for all servers or on the ${server} tab`,
    ja: `${server} の${label ? `「${label.ja}」` : 'この項目'}が未設定です。共通タブに入力するか、${server} のタブで個別に設定してください`,
  }),
  perServerNotRunning: (server: string): Msg => ({
    en: `${server} has individual settings but cannot run this; remove them or add ${server} to the group's startup servers`,
    ja: `${server} に個別設定がありますが、${server} では実行されません。個別設定を削除するか、${server} を起動可能サーバに追加してください`,
  }),
  notPerServer: (key: string, label: Msg | undefined): Msg => ({
    en: `${label ? `"${label.en}"` : `"${key}"`} cannot be set per server; set it on the Common tab`,
    ja: `${label ? `「${label.ja}」` : `「${key}」`}はサーバ個別に設定できません。共通タブで設定してください`,
  }),
  dependsOnItself: (name: string): Msg => ({
    en: `resource "${name}" cannot depend on itself; remove it from its own dependency list`,
    ja: `リソース「${name}」は自分自身に依存できません。依存関係から削除してください`,
  }),
  unknownDependency: (name: string, group: string): Msg => ({
    en: `there is no resource "${name}" in group "${group}"; a resource can only depend on resources of its own group`,
    ja: `グループ「${group}」にリソース「${name}」はありません。依存関係には同じグループのリソースだけを指定できます`,
  }),
  dependencyCycle: (cycle: readonly string[]): Msg => ({
    en: `the dependencies form a cycle (${cycle.join(' → ')}); remove one of these dependencies`,
    ja: `依存関係が循環しています (${cycle.join(' → ')})。いずれかの依存関係を削除してください`,
  }),
  unknownMdc: (mdc: string, known: readonly string[]): Msg => ({
    en: `there is no mirror disk connect "${mdc}"; choose ${known.length > 0 ? `one of ${list(known)}` : 'an MDC'} on the Interconnect page first`,
    ja: `ミラーディスクコネクト「${mdc}」は存在しません。${known.length > 0 ? `${listJa(known)} のいずれかを指定するか、` : ''}インタコネクト画面で MDC を選択してください`,
  }),
  mdcMissingServer: (mdc: string, server: string): Msg => ({
    en: `mirror disk connect "${mdc}" has no address for ${server}; enter ${server}'s address in that interconnect row`,
    ja: `ミラーディスクコネクト「${mdc}」に ${server} のアドレスがありません。そのインタコネクトに ${server} のアドレスを入力してください`,
  }),
  mirrorNeedsTwo: (resource: string, count: number): Msg => ({
    en: `mirror disk "${resource}" replicates between exactly two servers, but its group may run on ${count}; limit the group's startup servers to two`,
    ja: `ミラーディスク「${resource}」は 2 台のサーバ間でミラーリングしますが、グループの起動可能サーバが ${count} 台です。起動可能サーバを 2 台にしてください`,
  }),
  unknownMonitorTarget: (name: string): Msg => ({
    en: `there is no resource "${name}" to monitor; choose an existing resource`,
    ja: `監視対象のリソース「${name}」は存在しません。既存のリソースを指定してください`,
  }),
  wrongTargetType: (monitor: string, target: string, types: readonly string[]): Msg => ({
    en: `monitor "${monitor}" can only watch ${list(types)} resources, and "${target}" is not one; choose a resource of that type`,
    ja: `モニタリソース「${monitor}」が監視できるのは ${listJa(types)} リソースだけで、「${target}」は該当しません。その種類のリソースを指定してください`,
  }),
  targetRequired: (types: readonly string[]): Msg => ({
    en: `this monitor needs a target resource; choose the ${list(types)} resource it watches`,
    ja: `このモニタリソースには監視対象リソースが必要です。監視する ${listJa(types)} リソースを指定してください`,
  }),
  activeNeedsTarget: (): Msg => ({
    en: 'monitor timing "Active" needs a target resource; choose one or set the timing to "Always"',
    ja: '監視タイミング「活性時」には対象リソースが必要です。対象を指定するか、タイミングを「常時」にしてください',
  }),
  unknownRecoveryTarget: (kind: 'resource' | 'group', name: string): Msg => ({
    en: `the recovery target ${kind} "${name}" does not exist; choose an existing ${kind} or LocalServer`,
    ja: `回復対象の${kind === 'group' ? 'グループ' : 'リソース'}「${name}」は存在しません。既存の${kind === 'group' ? 'グループ' : 'リソース'}か LocalServer を指定してください`,
  }),
};
