/** Login and session words (CLUSTERPRO: ログイン, ログアウト, 操作用パスワード, 参照用パスワード). */
import type { Msg } from '@kumo/shared';

const m = (en: string, ja: string): Msg => ({ en, ja });

export const L = {
  title: m('Log in', 'ログイン'),
  intro: (cluster: string | null, server: string | null) =>
    m(
      `The Cluster WebUI${cluster ? ` of ${cluster}` : ''}${server ? ` (${server})` : ''} requires a password. The operation password lets you operate the cluster; the reference password lets you look only.`,
      `${cluster ? `${cluster} の` : ''}Cluster WebUI${server ? ` (${server})` : ''} にはパスワードが必要です。操作用パスワードではクラスタを操作でき、参照用パスワードでは参照のみできます。`,
    ),
  password: m('Password', 'パスワード'),
  login: m('Log in', 'ログイン'),
  loggingIn: m('Checking the password…', 'パスワードを確認しています…'),
  logout: m('Log out', 'ログアウト'),
  loggedOut: m('You have logged out.', 'ログアウトしました。'),
  expired: m('Your session has expired; log in again.', 'セッションの有効期限が切れました。再度ログインしてください。'),
  refused: m('The login was refused.', 'ログインできませんでした。'),
  slowDown: m('Repeated failures are answered more slowly; wait for the answer.', '失敗が続くと応答が遅くなります。応答をお待ちください。'),
  roleOperate: m('Operation', '操作'),
  roleReference: m('Reference', '参照'),
  access: m('Access', '権限'),
  loginToOperate: m('Log in to operate', '操作用ログイン'),
  addressDenied: m('This address may not use the Cluster WebUI.', 'このアドレスからは Cluster WebUI を使用できません。'),
} as const;
