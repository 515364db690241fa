/**
 * The accessible names the Cluster WebUI gives its controls, in English and Japanese (apps/webui/README.md, the
 * WebUI's strings and the shared type catalogue's labels). They are the guide's words: the tests click what the
 * guide tells the administrator to click.
 */
export type UiLang = 'en' | 'ja';

export interface UiNames {
  // toolbar
  mode: string;
  configMode: string;
  operationMode: string;
  // buttons
  startWizard: string;
  next: string;
  back: string;
  finish: string;
  cancel: string;
  add: string;
  ok: string;
  // pages
  pageCluster: string;
  pageBasic: string;
  pageInterconnect: string;
  pageNp: string;
  pageGroupList: string;
  pageGroupDefinition: string;
  pageStartupServers: string;
  pageGroupAttributes: string;
  pageGroupResourceList: string;
  pageInfo: string;
  pageDependency: string;
  pageRecoveryOperation: string;
  pageDetails: string;
  pageMonitorList: string;
  pageMonitorCommon: string;
  pageMonitorSpecial: string;
  pageRecoveryAction: string;
  /** The sub-wizard's title above the steps (the guide's "[グループのリソース定義 | failover1]画面"). */
  resourceDefinitionOf: (group: string) => string;
  // Cluster
  clusterName: string;
  language: string;
  langOption: Record<UiLang, string>;
  comment: string;
  // Basic Settings
  addServer: string;
  ipAddress: string;
  masterServer: string;
  addressOf: (server: string) => string;
  // Interconnect
  interconnectRow: (n: number) => string;
  mdc: string;
  // NP
  npTarget: (n: number) => string;
  /** The NP target's and interconnect's type (種別). */
  type: string;
  /** A resource's or monitor's type on its Info page (タイプ). */
  resourceType: string;
  targetHost: string;
  servicePort: string;
  useSsl: string;
  addWitness: string;
  splitBrainNote: string;
  // groups, resources, monitors
  name: string;
  allServersFailover: string;
  autoStartup: string;
  manualFailback: string;
  followDefaultDependency: string;
  common: string;
  setUpIndividually: string;
  recoveryTarget: string;
  localServer: string;
  addedAutomatically: (resource: string) => string;
  propertiesOf: (item: string) => string;
  tuning: string;
  pageHasErrors: RegExp;
  discardTitle: string;
  leaveWizardTitle: string;
  errorsOnTab: (tab: string) => string;
  showTab: (tab: string) => string;
  // apply
  applyConfig: string;
  applyDialog: string;
  applyConfirm: string;
  applySuccess: string;
  applyFailed: string;
  nothingChanged: string;
  preflight: string;
  routeTablesTitle: string;
  preflightFailures: RegExp;
  discardChanges: string;
  // catalogue labels (types and fields)
  types: {
    md: string;
    awsvip: string;
    awseip: string;
    awsdns: string;
    awsazw: string;
  };
  fields: {
    mountPoint: string;
    dataPartition: string;
    clusterPartition: string;
    ip: string;
    vpcId: string;
    eniId: string;
    allocationId: string;
    hostedZoneId: string;
    recordName: string;
    ttl: string;
    deleteOnDeactivate: string;
    availabilityZone: string;
    dnsServer: string;
  };
}

export const NAMES: Record<UiLang, UiNames> = {
  en: {
    mode: 'Mode',
    configMode: 'Config mode',
    operationMode: 'Operation mode',
    startWizard: 'Cluster generation wizard',
    next: 'Next',
    back: 'Back',
    finish: 'Finish',
    cancel: 'Cancel',
    add: 'Add',
    ok: 'OK',
    pageCluster: 'Cluster',
    pageBasic: 'Basic Settings',
    pageInterconnect: 'Interconnect',
    pageNp: 'NP Resolution',
    pageGroupList: 'Group List',
    pageGroupDefinition: 'Group Definition',
    pageStartupServers: 'Startup Servers',
    pageGroupAttributes: 'Group Attributes',
    pageGroupResourceList: 'Group Resource List',
    pageInfo: 'Info',
    pageDependency: 'Dependency',
    pageRecoveryOperation: 'Recovery Operation',
    pageDetails: 'Details',
    pageMonitorList: 'Monitor Resource List',
    pageMonitorCommon: 'Monitor (common)',
    pageMonitorSpecial: 'Monitor (special)',
    pageRecoveryAction: 'Recovery Action',
    resourceDefinitionOf: (g) => `Resource Definition of Group | ${g}`,
    clusterName: 'Cluster Name',
    language: 'Language',
    langOption: { en: 'English', ja: 'Japanese' },
    comment: 'Comment',
    addServer: 'Add server',
    ipAddress: 'IP Address',
    masterServer: 'Master server',
    addressOf: (s) => `Address of ${s}`,
    interconnectRow: (n) => `Interconnect ${n}`,
    mdc: 'MDC',
    npTarget: (n) => `NP target ${n}`,
    type: 'Type',
    resourceType: 'Type',
    targetHost: 'Target Host',
    servicePort: 'Service Port',
    useSsl: 'Use SSL',
    addWitness: 'Protect with a witness',
    splitBrainNote: 'No protection against split brain',
    name: 'Name',
    allServersFailover: 'Failover is possible on all servers',
    autoStartup: 'Auto Startup',
    manualFailback: 'Manual Failback',
    followDefaultDependency: 'Follow the default dependency',
    common: 'Common',
    setUpIndividually: 'Set up individually',
    recoveryTarget: 'Recovery Target',
    localServer: 'LocalServer',
    addedAutomatically: (r) => `added automatically with ${r}`,
    propertiesOf: (i) => `Properties of ${i}`,
    tuning: 'Tuning',
    pageHasErrors: /This page has \d+ errors?/,
    discardTitle: 'Discard the changes?',
    leaveWizardTitle: 'Leave the wizard?',
    errorsOnTab: (t) => `Errors on the ${t} tab`,
    showTab: (t) => `Show ${t}`,
    applyConfig: 'Apply the configuration',
    applyDialog: 'Apply the configuration',
    applyConfirm: 'Apply the configuration?',
    applySuccess: 'The configuration was applied successfully.',
    applyFailed: 'The configuration could not be applied.',
    nothingChanged: 'Nothing was changed on any server.',
    preflight: 'Preflight',
    routeTablesTitle: 'Route tables holding the VIP',
    preflightFailures: /\d+ checks? failed\. You can still apply, but the resources may fail to activate\./,
    discardChanges: 'Discard changes',
    types: {
      md: 'Mirror disk resource',
      awsvip: 'AWS Virtual IP resource',
      awseip: 'AWS Elastic IP resource',
      awsdns: 'AWS DNS resource',
      awsazw: 'AWS AZ monitor',
    },
    fields: {
      mountPoint: 'Mount Point',
      dataPartition: 'Data Partition Device Name',
      clusterPartition: 'Cluster Partition Device Name',
      ip: 'IP Address',
      vpcId: 'VPC ID',
      eniId: 'ENI ID',
      allocationId: 'EIP ALLOCATION ID',
      hostedZoneId: 'Host Zone ID',
      recordName: 'Resource Record Set Name',
      ttl: 'TTL',
      deleteOnDeactivate: 'Delete a resource record set at deactivation',
      availabilityZone: 'Availability Zone',
      dnsServer: 'DNS server',
    },
  },
  ja: {
    mode: 'モード',
    configMode: '設定モード',
    operationMode: '操作モード',
    startWizard: 'クラスタ生成ウィザード',
    next: '次へ',
    back: '戻る',
    finish: '完了',
    cancel: 'キャンセル',
    add: '追加',
    ok: 'OK',
    pageCluster: 'クラスタ',
    pageBasic: '基本設定',
    pageInterconnect: 'インタコネクト',
    pageNp: 'NP解決',
    pageGroupList: 'グループ一覧',
    pageGroupDefinition: 'グループの定義',
    pageStartupServers: '起動可能サーバ',
    pageGroupAttributes: 'グループ属性',
    pageGroupResourceList: 'グループリソース一覧',
    pageInfo: '情報',
    pageDependency: '依存関係',
    pageRecoveryOperation: '復旧動作',
    pageDetails: '詳細',
    pageMonitorList: 'モニタリソース一覧',
    pageMonitorCommon: '監視(共通)',
    pageMonitorSpecial: '監視(固有)',
    pageRecoveryAction: '回復動作',
    resourceDefinitionOf: (g) => `グループのリソース定義 | ${g}`,
    clusterName: 'クラスタ名',
    language: '言語',
    langOption: { en: '英語', ja: '日本語' },
    comment: 'コメント',
    addServer: 'サーバの追加',
    ipAddress: 'IP アドレス',
    masterServer: 'マスタサーバ',
    addressOf: (s) => `${s} のアドレス`,
    interconnectRow: (n) => `インタコネクト ${n}`,
    mdc: 'MDC',
    npTarget: (n) => `NP 対象 ${n}`,
    type: '種別',
    resourceType: 'タイプ',
    targetHost: 'ターゲットホスト',
    servicePort: 'サービスポート',
    useSsl: 'SSL を使用する',
    addWitness: 'Witness で保護する',
    splitBrainNote: 'スプリットブレインへの備えがありません',
    name: '名前',
    allServersFailover: '全てのサーバでフェイルオーバ可能',
    autoStartup: '自動起動',
    manualFailback: '手動フェイルバック',
    followDefaultDependency: '既定の依存関係に従う',
    common: '共通',
    setUpIndividually: '個別に設定する',
    recoveryTarget: '回復対象',
    localServer: 'LocalServer',
    addedAutomatically: (r) => `${r} とともに自動追加`,
    propertiesOf: (i) => `${i} のプロパティ`,
    tuning: '調整',
    pageHasErrors: /この画面に \d+ 件のエラーがあります/,
    discardTitle: '変更を破棄しますか',
    leaveWizardTitle: 'ウィザードを終了しますか',
    errorsOnTab: (t) => `${t} タブのエラー`,
    showTab: (t) => `${t} を表示`,
    applyConfig: '設定の反映',
    applyDialog: '設定の反映',
    applyConfirm: '設定を反映しますか。',
    applySuccess: '反映に成功しました。',
    applyFailed: '設定を反映できませんでした。',
    nothingChanged: 'どのサーバでも変更は行われていません。',
    preflight: '事前チェック',
    routeTablesTitle: 'VIP を持つルートテーブル',
    preflightFailures: /\d+ 件のチェックに失敗しました。反映はできますが、リソースの活性化に失敗する可能性があります。/,
    discardChanges: '変更を破棄',
    types: {
      md: 'ミラーディスクリソース',
      awsvip: 'AWS 仮想 IP リソース',
      awseip: 'AWS Elastic IP リソース',
      awsdns: 'AWS DNS リソース',
      awsazw: 'AWS AZ モニタリソース',
    },
    fields: {
      mountPoint: 'マウントポイント',
      dataPartition: 'データパーティションデバイス名',
      clusterPartition: 'クラスタパーティションデバイス名',
      ip: 'IP アドレス',
      vpcId: 'VPC ID',
      eniId: 'ENI ID',
      allocationId: 'EIP ALLOCATION ID',
      hostedZoneId: 'ホストゾーン ID',
      recordName: 'リソースレコードセット名',
      ttl: 'TTL',
      deleteOnDeactivate: '非活性時にリソースレコードセットを削除する',
      availabilityZone: 'アベイラビリティーゾーン',
      dnsServer: 'DNS サーバ',
    },
  },
};
