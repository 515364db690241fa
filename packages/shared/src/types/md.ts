import { z } from 'zod';
import { msg } from '../i18n.js';
import { absolutePath, count, objectName, port } from '../config/primitives.js';
import { defineMonitorType, defineResourceType } from './define.js';

/**
 * Mirror disk: a data partition replicated synchronously to the other server over the mirror disk connect (MDC).
 * Kumo implements synchronous mode only; the field exists so that a config states its mode explicitly.
 * "Execute initial mkfs" defaults to on, as the WebUI pre-ticks it, but Kumo only makes a file system on a
 * partition that has none, so data is never formatted away.
 */
export const mdType = defineResourceType({
  id: 'md',
  label: msg('Mirror disk resource', 'ミラーディスクリソース'),
  help: msg(
    'A data partition kept identical on two servers by synchronous replication over the mirror disk connect; the active server mounts it.',
    'ミラーディスクコネクトを通じた同期レプリケーションで 2 台のサーバのデータパーティションを同一に保ち、現用系でマウントします。',
  ),
  params: z.object({
    mountPoint: absolutePath,
    dataPartition: absolutePath,
    clusterPartition: absolutePath,
    fileSystem: z.enum(['ext3', 'ext4', 'xfs', 'none']).default('ext4'),
    mdc: objectName.default('mdc1'),
    mirrorPort: port.default(29051),
    syncMode: z.enum(['sync']).default('sync'),
    initialCopy: z.boolean({ error: 'msg:boolean' }).default(true),
    initialMkfs: z.boolean({ error: 'msg:boolean' }).default(true),
    mountOptions: z.string().regex(/^[A-Za-z0-9_=,.-]+$/, { error: 'msg:mountOptions' }).default('rw'),
    autoRecovery: z.boolean({ error: 'msg:boolean' }).default(true),
    /** Cap on recovery traffic in MiB/s; 0 means no cap. DRBD's c-max-rate default is 100 MiB/s. */
    recoveryRateLimitMiBs: count(0, 100000).default(100),
    ackTimeoutS: count(1, 600).default(100),
    connectTimeoutS: count(5, 99).default(10),
    heartbeatIntervalS: count(1, 600).default(10),
  }),
  fields: {
    mountPoint: {
      label: msg('Mount Point', 'マウントポイント'),
      help: msg('Where the active server mounts the mirror disk.', 'ミラーディスクのマウント先です。'),
      widget: 'text',
      placeholder: '/mnt/md1',
    },
    dataPartition: {
      label: msg('Data Partition Device Name', 'データパーティションデバイス名'),
      help: msg('The partition (or file) that holds the data.', 'データを格納するパーティション (またはファイル) です。'),
      widget: 'text',
      placeholder: '/dev/nvme1n1p2',
    },
    clusterPartition: {
      label: msg('Cluster Partition Device Name', 'クラスタパーティションデバイス名'),
      help: msg('A small raw partition for the mirror\'s management data (superblock, bitmaps).', 'ミラーの管理情報 (スーパーブロック、ビットマップ) 用の小さな RAW パーティションです。'),
      widget: 'text',
      placeholder: '/dev/nvme1n1p1',
    },
    fileSystem: {
      label: msg('File System', 'ファイルシステム'),
      help: msg('The file system on the data partition.', 'データパーティションのファイルシステムです。'),
      widget: 'select',
      options: [
        { value: 'ext3', label: msg('ext3', 'ext3') },
        { value: 'ext4', label: msg('ext4', 'ext4') },
        { value: 'xfs', label: msg('xfs', 'xfs') },
        { value: 'none', label: msg('none (raw)', 'none (RAW)') },
      ],
    },
    mdc: {
      label: msg('Mirror Disk Connect', 'ミラーディスクコネクト'),
      help: msg('The MDC (chosen on the Interconnect page) that carries the mirror data.', 'ミラーデータを転送する MDC (インタコネクト画面で選択したもの) です。'),
      widget: 'select',
      discovery: 'mdc',
    },
    mirrorPort: {
      label: msg('Mirror Data Port Number', 'ミラーデータポート番号'),
      help: msg('TCP port of the mirror data on the MDC address.', 'MDC アドレス上のミラーデータの TCP ポートです。'),
      widget: 'number',
      unit: 'port',
      tab: 'tuning',
    },
    syncMode: {
      label: msg('Mode', 'モード'),
      help: msg('Synchronous: a write completes only when both servers have it.', '同期: 両方のサーバに書き込まれた時点で書き込みが完了します。'),
      widget: 'select',
      options: [{ value: 'sync', label: msg('Synchronous', '同期') }],
      tab: 'tuning',
    },
    initialCopy: {
      label: msg('Execute the initial mirror construction', '初期ミラー構築を行う'),
      help: msg('Copy the whole data partition at the first start. Untick only when both disks are already identical.', '初回起動時にデータパーティション全体をコピーします。両ディスクが同一の場合のみ外してください。'),
      widget: 'checkbox',
    },
    initialMkfs: {
      label: msg('Execute initial mkfs', '初期 mkfs を行う'),
      help: msg('Make the file system at the first start if the partition has none.', '初回起動時、パーティションにファイルシステムがなければ作成します。'),
      widget: 'checkbox',
    },
    mountOptions: {
      label: msg('Mount options', 'マウントオプション'),
      help: msg('Options passed to mount.', 'mount に渡すオプションです。'),
      widget: 'text',
      tab: 'tuning',
    },
    autoRecovery: {
      label: msg('Auto Mirror Recovery', '自動ミラー復帰'),
      help: msg('Recover the mirror automatically when the other server returns.', '相手サーバが復帰したときに自動でミラー復帰を行います。'),
      widget: 'checkbox',
      tab: 'tuning',
    },
    recoveryRateLimitMiBs: {
      label: msg('Mirror recovery rate limit (MiB/s)', 'ミラー復帰の帯域制限 (MiB/s)'),
      help: msg('Upper bound of recovery traffic, leaving room for application writes; 0 = no limit.', 'アプリケーションの書き込み用に余裕を残すための復帰通信の上限です。0 は無制限です。'),
      widget: 'number',
      unit: 'MiB',
      tab: 'tuning',
    },
    ackTimeoutS: {
      label: msg('Ack Timeout', 'ACK タイムアウト'),
      help: msg('How long a write waits for the other server\'s acknowledgement before the mirror breaks.', '相手サーバからの ACK を待つ時間です。超えるとミラーを切り離します。'),
      widget: 'number',
      unit: 's',
      tab: 'tuning',
    },
    connectTimeoutS: {
      label: msg('Connection Timeout', '接続タイムアウト'),
      help: msg('Timeout of connecting the mirror disk connect.', 'ミラーディスクコネクトの接続タイムアウトです。'),
      widget: 'number',
      unit: 's',
      tab: 'tuning',
    },
    heartbeatIntervalS: {
      label: msg('Heartbeat Interval', 'ハートビート間隔'),
      help: msg('Interval of the mirror driver\'s keep-alive on the MDC.', 'MDC 上のミラードライバのハートビート間隔です。'),
      widget: 'number',
      unit: 's',
      tab: 'tuning',
    },
  },
  perServer: { allowed: ['dataPartition', 'clusterPartition'], required: [] },
  defaultDependsOn: ['awsvip', 'awseip', 'awsdns'],
  autoMonitors: [
    { type: 'mdw', link: { param: 'mirrorDisk' }, recovery: 'resource' },
    { type: 'mdnw', link: { param: 'mirrorDisk' }, recovery: 'resource' },
  ],
  timeouts: () => ({ activateS: 1800, deactivateS: 1800 }),
});

const mirrorDiskHint = {
  label: msg('Mirror Disk Resource', 'ミラーディスクリソース'),
  help: msg('The mirror disk resource to watch.', '監視するミラーディスクリソースです。'),
  widget: 'select',
  discovery: 'mdResource',
} as const;

export const mdwType = defineMonitorType({
  id: 'mdw',
  label: msg('Mirror disk monitor', 'ミラーディスクモニタリソース'),
  help: msg('Watches the mirror state: an up-to-date mirror is normal, a recovering one a warning, a broken one an error.', 'ミラーの状態を監視します。最新は正常、復帰中は警告、破損は異常です。'),
  params: z.object({ mirrorDisk: objectName }),
  fields: { mirrorDisk: mirrorDiskHint },
  perServer: { allowed: [], required: [] },
  defaults: { intervalS: 10, timeoutS: 60, retryCount: 0, waitStartS: 0, timing: 'always' },
  targetTypes: [],
  resourceParam: { name: 'mirrorDisk', types: ['md'] },
  awsMode: false,
});

export const mdnwType = defineMonitorType({
  id: 'mdnw',
  label: msg('Mirror disk connect monitor', 'ミラーディスクコネクトモニタリソース'),
  help: msg('Watches the mirror disk connect (the link that carries the mirror data).', 'ミラーディスクコネクト (ミラーデータの通信経路) を監視します。'),
  params: z.object({ mirrorDisk: objectName }),
  fields: { mirrorDisk: mirrorDiskHint },
  perServer: { allowed: [], required: [] },
  /** The MDC needs a moment to connect when the agents start; Kumo waits 10 s before the first check. */
  defaults: { intervalS: 60, timeoutS: 120, retryCount: 0, waitStartS: 10, timing: 'always' },
  targetTypes: [],
  resourceParam: { name: 'mirrorDisk', types: ['md'] },
  awsMode: false,
});
