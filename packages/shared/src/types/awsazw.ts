import { z } from 'zod';
import { msg } from '../i18n.js';
import { availabilityZone } from '../config/primitives.js';
import { AWS_MONITOR_DEFAULTS, awsCliTimeoutHint, awsCliTimeoutS, awsMode, awsModeHint } from './common.js';
import { defineMonitorType } from './define.js';

/** AWS AZ monitor: the health of this server's availability zone (available / information / impaired / unavailable). */
export const awsazwType = defineMonitorType({
  id: 'awsazw',
  label: msg('AWS AZ monitor', 'AWS AZ モニタリソース'),
  help: msg(
    'Checks the health of the availability zone this server lives in: available is normal, information or impaired is a warning, unavailable is an error.',
    '自サーバが属するアベイラビリティーゾーンの健全性を監視します。available は正常、information・impaired は警告、unavailable は異常です。',
  ),
  params: z.object({ availabilityZone, mode: awsMode, awsCliTimeoutS }),
  fields: {
    availabilityZone: {
      label: msg('Availability Zone', 'アベイラビリティーゾーン'),
      help: msg(
        'The AZ to watch: the active server\'s in common, and each server\'s own on its tab ("Set up individually").',
        '監視するアベイラビリティーゾーンです。共通タブには現用系の AZ を、各サーバのタブには「個別に設定する」でそのサーバの AZ を設定します。',
      ),
      widget: 'text',
      discovery: 'availabilityZone',
      placeholder: 'ap-northeast-1a',
    },
    mode: awsModeHint,
    awsCliTimeoutS: awsCliTimeoutHint,
  },
  perServer: { allowed: ['availabilityZone'], required: [] },
  defaults: { ...AWS_MONITOR_DEFAULTS, timing: 'always' },
  targetTypes: [],
  awsMode: true,
});
