/**
 * The alert log's catalogue: CLUSTERPRO's module names, event ids and texts (reference/clusterpro.md, ALERT),
 * with Japanese beside the English. An alert is stored with its key and arguments, so the WebUI can show it in
 * either language; `%1`, `%2`, … are filled from the arguments.
 */
import { z } from 'zod';
import type { Lang } from '../i18n.js';

export type AlertLevel = 'info' | 'warning' | 'error';

interface AlertDef {
  readonly module: string;
  readonly eventId: number;
  readonly level: AlertLevel;
  readonly en: string;
  readonly ja: string;
}

function a(module: string, eventId: number, level: AlertLevel, en: string, ja: string): AlertDef {
  return { module, eventId, level, en, ja };
}

export const ALERTS = {
  // Node map (membership)
  serverStarted: a('nm', 1, 'info', 'Server %1 has started.', 'サーバ %1 が起動しました。'),
  serverStopped: a('nm', 2, 'error', 'Server %1 has been stopped.', 'サーバ %1 が停止しました。'),
  heartbeatUp: a('nm', 3, 'info', 'Resource %1 of server %2 has started.', 'サーバ %2 のリソース %1 が起動しました。'),
  heartbeatDown: a('nm', 4, 'error', 'Resource %1 of server %2 has stopped.', 'サーバ %2 のリソース %1 が停止しました。'),
  networkPartition: a('nm', 30, 'error', 'Network partition was detected. Shut down the server %1 to protect data.', 'ネットワークパーティションを検出しました。データ保護のためサーバ %1 をシャットダウンします。'),
  cannotCommunicate: a('nm', 80, 'warning', 'Cannot communicate with server %1.', 'サーバ %1 と通信できません。'),
  communicationRecovered: a('nm', 81, 'info', 'Recovered from the communication failure with server %1.', 'サーバ %1 との通信異常から回復しました。'),
  npNotReachable: a('nm', 31, 'error', 'None of the network partition resolution targets could be reached from server %1.', 'サーバ %1 からネットワークパーティション解決の対象にいずれも到達できません。'),
  witnessPeerAlive: a('nm', 32, 'warning', 'Server %1 is still alive according to the witness; the interconnect is cut. %2', 'Witness によるとサーバ %1 は稼働しています。インタコネクトが切断されています。%2'),
  heartbeatDelayed: a('lankhb', 71, 'warning', 'Heartbeats sent from HB resource %1 of server %2 are delayed.(timeout=%3 actual-time=%4)', 'サーバ %2 の HB リソース %1 から送信されたハートビートが遅延しています。(timeout=%3 actual-time=%4)'),
  // Cluster service
  clusterRequest: a('cl', 1, 'info', 'There was a request to %1 %2 from the %3.', '%3 から %2 の %1 要求がありました。'),
  clusterStarted: a('pm', 2, 'info', 'The cluster daemon has started properly.', 'クラスタデーモンが正常に起動しました。'),
  clusterStopped: a('pm', 4, 'info', 'The cluster daemon has been stopped properly.', 'クラスタデーモンが正常に停止しました。'),
  clusterSuspended: a('pm', 34, 'info', 'The cluster has been suspended.', 'クラスタをサスペンドしました。'),
  clusterResumed: a('pm', 35, 'info', 'The cluster has been resumed.', 'クラスタをリジュームしました。'),
  isolationAction: a('pm', 50, 'error', 'Server %1 is isolated; %2', 'サーバ %1 は孤立しています。%2'),
  // Groups and resources
  groupStarting: a('rc', 10, 'info', 'The group %1 is starting.', 'グループ %1 を起動しています。'),
  groupStarted: a('rc', 11, 'info', 'The group %1 has been started.', 'グループ %1 を起動しました。'),
  groupStartFailed: a('rc', 12, 'error', 'The group %1 failed to start.', 'グループ %1 の起動に失敗しました。'),
  groupStopping: a('rc', 20, 'info', 'The group %1 is stopping.', 'グループ %1 を停止しています。'),
  groupStopped: a('rc', 21, 'info', 'The group %1 has been stopped.', 'グループ %1 を停止しました。'),
  groupStopFailed: a('rc', 22, 'error', 'The group %1 failed to stop.', 'グループ %1 の停止に失敗しました。'),
  resourceActivating: a('rc', 30, 'info', 'Activating %1 resource has started.', '%1 リソースの活性処理を開始しました。'),
  resourceActivated: a('rc', 31, 'info', 'Activating %1 resource has completed.', '%1 リソースの活性処理が完了しました。'),
  resourceActivationFailed: a('rc', 32, 'error', 'Activating %1 resource has failed.(%2 : %3)', '%1 リソースの活性処理に失敗しました。(%2 : %3)'),
  resourceDeactivating: a('rc', 40, 'info', 'Stopping %1 resource has started.', '%1 リソースの停止処理を開始しました。'),
  resourceDeactivated: a('rc', 41, 'info', 'Stopping %1 resource has completed.', '%1 リソースの停止処理が完了しました。'),
  resourceDeactivationFailed: a('rc', 42, 'error', 'Stopping %1 resource has failed.(%2 : %3)', '%1 リソースの停止処理に失敗しました。(%2 : %3)'),
  groupMoving: a('rc', 50, 'info', 'The group %1 is moving to %2.', 'グループ %1 を %2 に移動しています。'),
  groupMoved: a('rc', 51, 'info', 'The group %1 has been moved to %2.', 'グループ %1 を %2 に移動しました。'),
  groupMoveFailed: a('rc', 52, 'error', 'The group %1 failed to move to %2.', 'グループ %1 の %2 への移動に失敗しました。'),
  groupFailingOver: a('rc', 60, 'info', 'The group %1 is failing over to %2.', 'グループ %1 を %2 にフェイルオーバしています。'),
  groupFailedOver: a('rc', 61, 'info', 'The group %1 has been failed over to %2.', 'グループ %1 を %2 にフェイルオーバしました。'),
  groupFailoverFailed: a('rc', 62, 'error', 'The group %1 failed to fail over to %2.', 'グループ %1 の %2 へのフェイルオーバに失敗しました。'),
  resourceStartSingle: a('rc', 83, 'info', 'Starting a single resource %1.', '単体リソース %1 を起動します。'),
  resourceStopSingle: a('rc', 86, 'info', 'Stopping a single resource %1.', '単体リソース %1 を停止します。'),
  recoveryReactivate: a('rc', 200, 'warning', 'Resource(%1) will be reactivated since activating resource(%2) failed.', 'リソース(%2)の活性に失敗したため、リソース(%1)を再活性します。'),
  recoveryMoveGroup: a('rc', 201, 'warning', 'Group(%1) will be moved to server(%2) since activating resource(%3) failed.', 'リソース(%3)の活性に失敗したため、グループ(%1)をサーバ(%2)に移動します。'),
  recoveryStopGroup: a('rc', 202, 'error', 'Group(%1) will be stopped since activating resource(%2) failed.', 'リソース(%2)の活性に失敗したため、グループ(%1)を停止します。'),
  recoveryStopService: a('rc', 203, 'error', 'Cluster daemon will be stopped since activating resource(%1) failed.', 'リソース(%1)の活性に失敗したため、クラスタデーモンを停止します。'),
  recoveryShutdown: a('rc', 204, 'error', 'System will be halted since activating resource(%1) failed.', 'リソース(%1)の活性に失敗したため、システムを停止します。'),
  recoveryReboot: a('rc', 205, 'error', 'System will be rebooted since activating resource(%1) failed.', 'リソース(%1)の活性に失敗したため、システムを再起動します。'),
  recoveryContinue: a('rc', 206, 'warning', 'Activating group(%1) will be continued since failover process failed.', 'フェイルオーバ処理に失敗したため、グループ(%1)の活性処理を継続します。'),
  recoveryNoOperation: a('rc', 207, 'error', 'Activating group(%1) stopped at resource(%2); its final action is "No operation".', 'グループ(%1)の活性処理はリソース(%2)で停止しました。最終動作は「何もしない」です。'),
  deactivationFinal: a('rc', 220, 'error', 'The final action (%1) will be executed since stopping resource(%2) failed.', 'リソース(%2)の停止に失敗したため、最終動作 (%1) を実行します。'),
  // Monitors
  monitorWarn: a('rm', 4, 'warning', 'Warn monitoring %1. (%2 : %3)', '監視 %1 で警告を検出しました。(%2 : %3)'),
  monitorError: a('rm', 9, 'error', 'Detected an error in monitoring %1. (%2 : %3)', '監視 %1 で異常を検出しました。(%2 : %3)'),
  monitorRecoveryStop: a('rm', 12, 'error', 'Recovery target %1 has stopped because an error was detected in monitoring %2.', '監視 %2 で異常を検出したため、回復対象 %1 を停止しました。'),
  monitorRecoveryRestart: a('rm', 13, 'warning', 'Recovery target %1 has restarted because an error was detected in monitoring %2.', '監視 %2 で異常を検出したため、回復対象 %1 を再起動しました。'),
  monitorRecoveryFailover: a('rm', 14, 'warning', 'Recovery target %1 failed over because an error was detected in monitoring %2.', '監視 %2 で異常を検出したため、回復対象 %1 をフェイルオーバしました。'),
  monitorRecoveryStopService: a('rm', 15, 'error', 'Stopping the cluster has been required because an error was detected in monitoring %1.', '監視 %1 で異常を検出したため、クラスタの停止を要求しました。'),
  monitorRecoveryShutdown: a('rm', 16, 'error', 'Stopping the system has been required because an error was detected in monitoring %1.', '監視 %1 で異常を検出したため、システムの停止を要求しました。'),
  monitorRecoveryReboot: a('rm', 17, 'error', 'Rebooting the system has been required because an error was detected in monitoring %1.', '監視 %1 で異常を検出したため、システムの再起動を要求しました。'),
  monitorRecoveryDeferred: a('rm', 27, 'warning', 'Recovery of %1 is deferred while a lost server is being checked (it may be taking over).', '消失したサーバを確認中のため、%1 の回復動作を保留します (引き継ぎ中の可能性があります)。'),
  monitorRecoveryNotActive: a('rm', 25, 'warning', 'Recovery will not be executed since the recovery target %1 is not active.', '回復対象 %1 が非活性のため、回復動作を実行しません。'),
  monitorNormalFromError: a('rm', 26, 'info', '%1 status changed from error to normal.', '%1 の状態が異常から正常に変化しました。'),
  monitorNormalFromWarning: a('rm', 49, 'info', '%1 status changed from warning to normal.', '%1 の状態が警告から正常に変化しました。'),
  monitorSuspended: a('rm', 29, 'info', 'Monitor %1 was suspended.', '監視 %1 を一時停止しました。'),
  monitorResumed: a('rm', 30, 'info', 'Monitor %1 was resumed.', '監視 %1 を再開しました。'),
  monitorsSuspended: a('rm', 31, 'info', 'All monitors were suspended.', 'すべての監視を一時停止しました。'),
  monitorsResumed: a('rm', 32, 'info', 'All monitors were resumed.', 'すべての監視を再開しました。'),
  monitorFinalNone: a('rm', 100, 'warning', 'Restart count exceeded the maximum of %1. Final action of monitoring %2 will not be executed.', '再起動回数が最大値 %1 を超えました。監視 %2 の最終動作は実行しません。'),
  monitorDummyOn: a('rm', 140, 'info', 'The dummy failure of monitor %1 was enabled.', 'モニタリソース %1 の擬似障害を有効にしました。'),
  monitorDummyOff: a('rm', 141, 'info', 'The dummy failure of monitor %1 was disabled.', 'モニタリソース %1 の擬似障害を無効にしました。'),
  // Mirror disks
  mirrorInitialStarted: a('mdadmn', 16, 'info', 'Initial mirror recovery of %1 has started.', '%1 の初期ミラー構築を開始しました。'),
  mirrorRecoveryStarted: a('mdadmn', 17, 'info', 'Mirror recovery of %1 has started.(%2 bytes)', '%1 のミラー復帰を開始しました。(%2 bytes)'),
  mirrorInitialCompleted: a('mdadmn', 18, 'info', 'Initial mirror recovery of %1 was successful.', '%1 の初期ミラー構築に成功しました。'),
  mirrorRecoveryCompleted: a('mdadmn', 19, 'info', 'Mirror recovery of %1 was completed successfully.', '%1 のミラー復帰が正常に完了しました。'),
  mirrorRecoveryFailed: a('mdadmn', 20, 'error', 'Failed to perform mirror recovery. %1(Device:%2)', 'ミラー復帰に失敗しました。%1(Device:%2)'),
  mirrorInitialSkipped: a('mdadmn', 22, 'info', 'Initial mirror recovery was not executed following the configuration. (Device:%1)', '設定に従い初期ミラー構築を行いませんでした。(Device:%1)'),
  mirrorForceRecovery: a('mdadmn', 23, 'warning', 'Execute the command "clpmdctrl --force" to resume the mirror recovery. (Device:%1)', 'ミラー復帰を再開するには "clpmdctrl --force" を実行してください。(Device:%1)'),
  mirrorBroken: a('mdadmn', 31, 'warning', 'The mirror disk %1 was isolated. %2', 'ミラーディスク %1 を切り離しました。%2'),
  mirrorSplitBrain: a('mdadmn', 33, 'error', 'Both servers updated mirror disk %1 while apart (split brain); choose the up-to-date server and run a forced recovery.', 'ミラーディスク %1 が両方のサーバで更新されました (スプリットブレイン)。最新のサーバを選び、強制ミラー復帰を実行してください。'),
  mirrorConnected: a('mdadmn', 40, 'info', 'The mirror disk connect of %1 is connected to %2.', '%1 のミラーディスクコネクトが %2 と接続しました。'),
  mirrorDisconnected: a('mdadmn', 41, 'warning', 'The mirror disk connect of %1 to %2 was lost.', '%1 の %2 とのミラーディスクコネクトが切断されました。'),
  mirrorActivateFailed: a('md', 1, 'error', 'Failed to activate mirror disk. %1(Device:%2)', 'ミラーディスクの活性に失敗しました。%1(Device:%2)'),
  mirrorDeactivateFailed: a('md', 4, 'error', 'Failed to deactivate mirror disk. %1(Device:%2)', 'ミラーディスクの非活性に失敗しました。%1(Device:%2)'),
  // Kumo's own
  configApplied: a('cfmgr', 1, 'info', 'The configuration (version %1) was applied by %2.', '構成情報 (バージョン %1) が %2 によって反映されました。'),
  configApplyFailed: a('cfmgr', 2, 'error', 'Applying the configuration failed; nothing was changed. %1', '構成情報の反映に失敗しました。何も変更されていません。%1'),
  configCaughtUp: a('cfmgr', 3, 'info', 'The configuration (version %1) was taken from server %2.', 'サーバ %2 から構成情報 (バージョン %1) を取得しました。'),
  peerRefused: a('cfmgr', 10, 'error', 'A connection claiming to be server %1 from %2 was refused: %3', '%2 からのサーバ %1 を名乗る接続を拒否しました: %3'),
  splitBrain: a('rc', 300, 'error', 'Group %1 is active on more than one server (%2); it is kept on %3 and stopped elsewhere.', 'グループ %1 が複数のサーバ (%2) で活性しています。%3 に残し、他のサーバでは停止します。'),
  splitBrainResource: a('rm', 300, 'error', 'Split brain: %1 was taken by server %2 while this server holds it; not fighting for it.', 'スプリットブレイン: %1 が活性中にサーバ %2 に奪われました。奪い返しは行いません。'),
  fenceStarted: a('fence', 1, 'warning', 'Forced stop of server %1 (instance %2) has started.', 'サーバ %1 (インスタンス %2) の強制停止を開始しました。'),
  fenceCompleted: a('fence', 2, 'info', 'Forced stop of server %1 (instance %2) has completed.', 'サーバ %1 (インスタンス %2) の強制停止が完了しました。'),
  fenceFailed: a('fence', 3, 'error', 'Forced stop of server %1 failed; its groups are not taken over. %2', 'サーバ %1 の強制停止に失敗しました。グループは引き継ぎません。%2'),
  operationRequest: a('apisv', 1, 'info', 'There was a request to %1 from the %2(IP=%3).', '%2(IP=%3) から %1 の要求がありました。'),
  operationFailed: a('apisv', 101, 'error', 'A request to %1 was failed. %2', '%1 の要求が失敗しました。%2'),
  loginFailed: a('webmgr', 1, 'warning', 'A login with a wrong password from %1 was refused.', '%1 からの誤ったパスワードによるログインを拒否しました。'),
} as const satisfies Record<string, AlertDef>;

export type AlertKey = keyof typeof ALERTS;

export function renderAlert(key: AlertKey, args: readonly (string | number)[], lang: Lang = 'en'): string {
  return ALERTS[key][lang].replace(/%(\d+)/g, (_m, n: string) => String(args[Number(n) - 1] ?? ''));
}

export const alertEntrySchema = z.object({
  id: z.number(),
  time: z.number(),
  server: z.string(),
  module: z.string(),
  eventId: z.number(),
  level: z.enum(['info', 'warning', 'error']),
  key: z.string(),
  args: z.array(z.union([z.string(), z.number()])),
  /** The English text, as stored and as scripts read it. */
  message: z.string(),
});

export type AlertEntry = z.infer<typeof alertEntrySchema>;

/** Renders a stored alert in the UI's language (falls back to the stored text for unknown keys). */
export function alertMessage(entry: Pick<AlertEntry, 'key' | 'args' | 'message'>, lang: Lang): string {
  return entry.key in ALERTS ? renderAlert(entry.key as AlertKey, entry.args, lang) : entry.message;
}
