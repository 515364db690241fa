/** Params and hints several AWS types share, defined once. */
import { z } from 'zod';
import { msg } from '../i18n.js';
import { count } from '../config/primitives.js';
import type { FieldHint } from './define.js';

/** CLUSTERPRO's "AWS CLI timeout": the per-call deadline of every AWS API call, 1–999 s, default 100 s. */
export const awsCliTimeoutS = count(1, 999).default(100);

export const awsCliTimeoutHint: FieldHint = {
  label: msg('AWS CLI timeout', 'AWS CLI タイムアウト'),
  help: msg(
    'Deadline of each AWS API call in seconds. The activation timeout defaults to 180 + 3 × this value.',
    'AWS API 呼び出しごとのタイムアウト (秒)。活性タイムアウトの既定値は 180 + 3 × この値です。',
  ),
  widget: 'number',
  unit: 's',
  tab: 'tuning',
};

/**
 * "Action when AWS CLI command failed to receive response". Kumo defaults to warning (code 105/106) rather than
 * CLUSTERPRO's documented "do nothing", so that an unreachable AWS API is visible but never by itself a reason
 * to fail over (DESIGN §4; the guide recommends a non-recovery mode in chapter 4).
 */
export const awsMode = z.enum(['none', 'warn', 'recover']).default('warn');

export const awsModeHint: FieldHint = {
  label: msg('Action when AWS CLI command failed to receive response', 'AWS CLI コマンド応答取得失敗時動作'),
  help: msg(
    'What the monitor does when the AWS API cannot be reached or times out. Only "Enable recovery action" can lead to a failover.',
    'AWS API に接続できない、またはタイムアウトした場合の動作です。フェイルオーバにつながるのは「回復動作を実行する」だけです。',
  ),
  widget: 'select',
  options: [
    { value: 'none', label: msg('Disable recovery action (Do nothing)', '回復動作を実行しない (警告を表示しない)') },
    { value: 'warn', label: msg('Disable recovery action (Display warning)', '回復動作を実行しない (警告を表示する)') },
    { value: 'recover', label: msg('Enable recovery action', '回復動作を実行する') },
  ],
};

export const eniIdHint: FieldHint = {
  label: msg('ENI ID', 'ENI ID'),
  help: msg(
    'The ENI of the instance. Must be set individually on each server\'s tab ("Set up individually").',
    'インスタンスの ENI です。各サーバのタブで「個別に設定する」をチェックして設定してください。',
  ),
  widget: 'text',
  discovery: 'eni',
  placeholder: 'eni-0a1b2c3d4e5f60001',
};

export function awsResourceTimeouts(p: { awsCliTimeoutS: number }) {
  return { activateS: 180 + 3 * p.awsCliTimeoutS, deactivateS: 180 + 3 * p.awsCliTimeoutS };
}

export const AWS_MONITOR_DEFAULTS = { intervalS: 60, timeoutS: 180, retryCount: 1, waitStartS: 0 } as const;
