import { z } from 'zod';
import { msg } from '../i18n.js';
import { count, hostedZoneId, ipv4, recordName } from '../config/primitives.js';
import { AWS_MONITOR_DEFAULTS, awsCliTimeoutHint, awsCliTimeoutS, awsMode, awsModeHint, awsResourceTimeouts } from './common.js';
import { defineMonitorType, defineResourceType } from './define.js';

/** AWS DNS: an A record in a Route 53 hosted zone names the active server (or a VIP / EIP set in common). */
export const awsdnsType = defineResourceType({
  id: 'awsdns',
  label: msg('AWS DNS resource', 'AWS DNS リソース'),
  help: msg(
    'Registers an A record (resource record set) in an Amazon Route 53 hosted zone that points at the active server, so that clients reach the cluster by one DNS name.',
    'DNS 名と現用系サーバの IP アドレスを含むリソースレコードセットを Amazon Route 53 のホストゾーンに登録し、同一の DNS 名で業務を公開します。',
  ),
  params: z.object({
    hostedZoneId,
    recordName,
    ip: ipv4,
    /** Route 53 TTL in seconds. CLUSTERPRO's default is not documented; Kumo uses 300. */
    ttl: count(0, 2147483647).default(300),
    deleteOnDeactivate: z.boolean({ error: 'msg:boolean' }).default(true),
    awsCliTimeoutS,
  }),
  fields: {
    hostedZoneId: {
      label: msg('Host Zone ID', 'ホストゾーン ID'),
      help: msg('The ID of the Route 53 hosted zone that holds the record.', 'レコードを登録する Route 53 ホストゾーンの ID です。'),
      widget: 'text',
      discovery: 'hostedZone',
      placeholder: 'Z0KUMOHZ1LOCAL00001A',
    },
    recordName: {
      label: msg('Resource Record Set Name', 'リソースレコードセット名'),
      help: msg('The DNS name as an FQDN in lower case with the trailing dot, e.g. srv.hz1.local.', 'DNS 名を末尾にドット (.) を付けた小文字の FQDN で入力します (例: srv.hz1.local.)。'),
      widget: 'text',
      placeholder: 'srv.hz1.local.',
    },
    ip: {
      label: msg('IP Address', 'IP アドレス'),
      help: msg(
        'The address the name resolves to. Set each server\'s own IP on its tab, or one VIP / EIP here for all servers.',
        'DNS 名に対応する IP アドレスです。各サーバのタブでそのサーバの IP を個別に設定するか、VIP や EIP の場合は共通タブに設定します。',
      ),
      widget: 'text',
      discovery: 'privateIp',
      placeholder: '10.0.110.10',
    },
    ttl: {
      label: msg('TTL', 'TTL'),
      help: msg('Time to live of the record in seconds.', 'キャッシュの生存期間 (秒) です。'),
      widget: 'number',
      unit: 's',
    },
    deleteOnDeactivate: {
      label: msg('Delete a resource record set at deactivation', '非活性時にリソースレコードセットを削除する'),
      help: msg(
        'When ticked the record is deleted when the resource stops; unticked, failover only updates the IP (faster).',
        'チェックすると非活性時にレコードを削除します。外すとフェイルオーバ時は IP の更新のみとなり、切り替えが速くなります。',
      ),
      widget: 'checkbox',
    },
    awsCliTimeoutS: awsCliTimeoutHint,
  },
  perServer: { allowed: ['ip'], required: [] },
  defaultDependsOn: ['awsvip', 'awseip'],
  autoMonitors: [{ type: 'awsdnsw', link: 'target', recovery: 'resource' }],
  timeouts: awsResourceTimeouts,
});

/** A DNS server to resolve through: an IPv4 address with an optional port (the emulator's DNS in tests). */
const dnsServer = z
  .string({ error: 'msg:dnsServer' })
  .regex(/^(\d{1,3}\.){3}\d{1,3}(:\d{1,5})?$/, { error: 'msg:dnsServer' })
  .refine((v) => ipv4.safeParse(v.split(':')[0]).success, { error: 'msg:dnsServer' });

export const awsdnswType = defineMonitorType({
  id: 'awsdnsw',
  label: msg('AWS DNS monitor', 'AWS DNS モニタリソース'),
  help: msg(
    'Checks that the record set exists in Route 53 with this server\'s IP, and that the name resolves to it.',
    'リソースレコードセットが Route 53 に存在し設定した IP を持つか、および DNS 名の名前解決で得られるかを監視します。',
  ),
  params: z.object({
    mode: awsMode,
    awsCliTimeoutS,
    checkRecordSet: z.boolean({ error: 'msg:boolean' }).default(true),
    checkResolution: z.boolean({ error: 'msg:boolean' }).default(true),
    dnsServer: dnsServer.optional(),
  }),
  fields: {
    mode: awsModeHint,
    awsCliTimeoutS: awsCliTimeoutHint,
    checkRecordSet: {
      label: msg('Check the resource record set in Route 53', 'Route 53 のリソースレコードセットを確認する'),
      help: msg('Read the record through the Route 53 API (errors 7 and 8).', 'Route 53 API でレコードを確認します (エラー 7、8)。'),
      widget: 'checkbox',
    },
    checkResolution: {
      label: msg('Check name resolution', '名前解決を確認する'),
      help: msg('Resolve the name and compare the address (errors 9 and 10).', '名前解決を行い、得られたアドレスを確認します (エラー 9、10)。'),
      widget: 'checkbox',
    },
    dnsServer: {
      label: msg('DNS server', 'DNS サーバ'),
      help: msg('Resolve through this server (address[:port]) instead of the system resolver.', 'システムのリゾルバの代わりに使う DNS サーバ (アドレス[:ポート]) です。'),
      widget: 'text',
      placeholder: '10.0.0.2',
      tab: 'tuning',
    },
  },
  perServer: { allowed: [], required: [] },
  defaults: { ...AWS_MONITOR_DEFAULTS, timing: 'active' },
  targetTypes: ['awsdns'],
  awsMode: true,
});
