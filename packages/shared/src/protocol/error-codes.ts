/**
 * One catalogue of Kumo's error codes (`KUMO_E_*`). Every error a user sees has a code, a sentence that says
 * what to do, and the HTTP status REST clients get. Resource and monitor failures keep CLUSTERPRO's numeric
 * codes in their own messages ("(5 : …)"); these codes are for Kumo's API.
 */
import type { Msg } from '../i18n.js';

interface ErrorDef {
  readonly status: number;
  readonly message: Msg;
}

function def(status: number, en: string, ja: string): ErrorDef {
  return { status, message: { en, ja } };
}

export const ERROR_CODES = {
  KUMO_E_BAD_REQUEST: def(400, 'The request is malformed; check its method and parameters.', 'リクエストの形式が正しくありません。メソッドとパラメータを確認してください。'),
  KUMO_E_VALIDATION: def(422, 'The configuration is invalid; fix the errors listed and apply again.', '構成情報が正しくありません。表示されたエラーを修正して再度反映してください。'),
  KUMO_E_AUTH_REQUIRED: def(401, 'Log in first.', 'ログインしてください。'),
  KUMO_E_AUTH_FAILED: def(401, 'The password is wrong; try again (attempts are slowed down after failures).', 'パスワードが違います。再度入力してください (失敗が続くと待ち時間が入ります)。'),
  KUMO_E_SESSION_EXPIRED: def(401, 'Your session has expired; log in again.', 'セッションの有効期限が切れました。再度ログインしてください。'),
  KUMO_E_FORBIDDEN: def(403, 'This login is reference-only; log in with the operation password to operate the cluster.', '参照用のログインでは操作できません。操作用パスワードでログインしてください。'),
  KUMO_E_CLIENT_ADDRESS_DENIED: def(403, 'Connections from this address are not allowed; ask the administrator to add it to the client list.', 'このアドレスからの接続は許可されていません。管理者にクライアントリストへの追加を依頼してください。'),
  KUMO_E_ORIGIN_DENIED: def(403, 'The page was loaded from another origin; open the Cluster WebUI from the agent itself.', '別のオリジンから読み込まれたページです。エージェントから Cluster WebUI を開いてください。'),
  KUMO_E_NO_CONFIG: def(409, 'The cluster has no configuration yet; create one with the cluster generation wizard and apply it.', 'クラスタ構成情報がありません。クラスタ生成ウィザードで作成して反映してください。'),
  KUMO_E_APPLY_IN_PROGRESS: def(409, 'Another apply is in progress; wait for it to finish and try again.', '別の反映処理が実行中です。終了を待って再度実行してください。'),
  KUMO_E_APPLY_PEER_UNREACHABLE: def(503, 'A server could not be reached, so nothing was applied anywhere; start its agent (same cluster key) and apply again.', '到達できないサーバがあるため、どのサーバにも反映していません。そのサーバのエージェント (同じクラスタキー) を起動して再度反映してください。'),
  KUMO_E_APPLY_PEER_REJECTED: def(409, 'A server refused the configuration, so nothing was applied anywhere; see its reason.', '構成情報を拒否したサーバがあるため、どのサーバにも反映していません。理由を確認してください。'),
  KUMO_E_PEER_AUTH: def(401, 'The peer is not part of this cluster (wrong cluster key or a replayed message).', 'このクラスタのサーバではありません (クラスタキーが異なるか、メッセージが再送されました)。'),
  KUMO_E_UNKNOWN_SERVER: def(404, 'There is no such server in the cluster.', 'そのようなサーバはクラスタに存在しません。'),
  KUMO_E_UNKNOWN_GROUP: def(404, 'There is no such group.', 'そのようなグループは存在しません。'),
  KUMO_E_UNKNOWN_RESOURCE: def(404, 'There is no such resource.', 'そのようなリソースは存在しません。'),
  KUMO_E_UNKNOWN_MONITOR: def(404, 'There is no such monitor.', 'そのようなモニタリソースは存在しません。'),
  KUMO_E_SERVER_DOWN: def(409, 'The target server is down or its cluster service is stopped; choose another server or start it first.', '対象サーバが停止しているか、クラスタサービスが停止しています。別のサーバを選ぶか、先に起動してください。'),
  KUMO_E_NOT_STARTUP_SERVER: def(409, 'The server is not a startup server of the group; choose one of its startup servers.', 'そのサーバはグループの起動可能サーバではありません。起動可能サーバを指定してください。'),
  KUMO_E_GROUP_BUSY: def(409, 'The group is already starting, stopping or moving; wait until it finishes.', 'グループは起動・停止・移動の処理中です。終了を待ってください。'),
  KUMO_E_GROUP_STATE: def(409, 'The group is not in a state that allows this operation.', 'グループはこの操作を実行できる状態ではありません。'),
  KUMO_E_CLUSTER_STOPPED: def(409, 'The cluster service is not running; start the cluster first.', 'クラスタサービスが起動していません。先にクラスタを起動してください。'),
  KUMO_E_MASTER_UNREACHABLE: def(503, 'The master server could not be reached; try again in a moment.', 'マスタサーバに到達できません。しばらくしてから再度実行してください。'),
  KUMO_E_TIMEOUT: def(504, 'The operation did not finish in time; check the alert log.', '操作が時間内に完了しませんでした。アラートログを確認してください。'),
  KUMO_E_MIRROR: def(409, 'The mirror disk refused the operation; see the reason.', 'ミラーディスクが操作を拒否しました。理由を確認してください。'),
  KUMO_E_AWS: def(502, 'The AWS API call failed; see the reason.', 'AWS API の呼び出しに失敗しました。理由を確認してください。'),
  KUMO_E_NOT_FOUND: def(404, 'Not found.', '見つかりません。'),
  KUMO_E_INTERNAL: def(500, 'An internal error occurred; the agent log has the details.', '内部エラーが発生しました。詳細はエージェントのログを確認してください。'),
} as const satisfies Record<`KUMO_E_${string}`, ErrorDef>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

/** The error body every API answers with: a code, a sentence, and optional structured details. */
export interface KumoErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: unknown;
}
