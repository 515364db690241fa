/** The alert log's words (CLUSTERPRO's アラートログ columns: タイプ, 時刻, サーバ名, モジュール名, イベントID, メッセージ). */
import type { Msg } from '@kumo/shared';

const m = (en: string, ja: string): Msg => ({ en, ja });

export const A = {
  title: m('Alert log', 'アラートログ'),
  level: m('Type', 'タイプ'),
  time: m('Time', '時刻'),
  server: m('Server', 'サーバ名'),
  module: m('Module', 'モジュール名'),
  eventId: m('Event ID', 'イベントID'),
  message: m('Message', 'メッセージ'),
  all: m('All', 'すべて'),
  info: m('Info', '情報'),
  warning: m('Warning', '警告'),
  error: m('Error', 'エラー'),
  older: m('Show older alerts', '古いアラートを表示'),
  loading: m('Loading…', '読み込み中…'),
  none: m('No alerts.', 'アラートはありません。'),
  noMore: m('No older alerts.', 'これより古いアラートはありません。'),
  unavailable: m('The alert log could not be read.', 'アラートログを取得できませんでした。'),
  count: (n: number) => m(`${n} alert${n === 1 ? '' : 's'} shown`, `${n} 件表示`),
  filters: m('Filter the alert log', 'アラートログの絞り込み'),
} as const;
