import { z } from 'zod';
import { msg } from '../i18n.js';
import { count } from '../config/primitives.js';
import { defineMonitorType, defineResourceType } from './define.js';

const script = z.string({ error: 'msg:text' }).max(65536, { error: 'msg:scriptLength' });

export const DEFAULT_START_SCRIPT = `#!/bin/sh
# Kumo start script. CLP_EVENT is START or FAILOVER; CLP_SERVER is this server; CLP_GROUPNAME the group.
echo "start: event=$CLP_EVENT server=$CLP_SERVER group=$CLP_GROUPNAME resource=$CLP_RESOURCENAME"
exit 0
`;

export const DEFAULT_STOP_SCRIPT = `#!/bin/sh
# Kumo stop script. CLP_EVENT is END or FAILOVER.
echo "stop: event=$CLP_EVENT server=$CLP_SERVER group=$CLP_GROUPNAME resource=$CLP_RESOURCENAME"
exit 0
`;

/**
 * EXEC resource: start and stop scripts kept in the config (as CLUSTERPRO keeps them beside clp.conf), run with
 * CLUSTERPRO's environment variables. A non-zero exit code is a failure.
 */
export const execType = defineResourceType({
  id: 'exec',
  label: msg('EXEC resource', 'EXEC リソース'),
  help: msg(
    'Runs a start script at activation and a stop script at deactivation, with CLP_EVENT, CLP_SERVER and the other CLUSTERPRO variables set.',
    '活性時に開始スクリプトを、非活性時に終了スクリプトを実行します。CLP_EVENT、CLP_SERVER などの環境変数が設定されます。',
  ),
  params: z.object({
    startScript: script.default(DEFAULT_START_SCRIPT),
    stopScript: script.default(DEFAULT_STOP_SCRIPT),
    startTimeoutS: count(1, 9999).default(1800),
    stopTimeoutS: count(1, 9999).default(1800),
  }),
  fields: {
    startScript: {
      label: msg('Start script (start.sh)', '開始スクリプト (start.sh)'),
      help: msg('Runs at activation; exit code 0 means success.', '活性時に実行されます。終了コード 0 が成功です。'),
      widget: 'script',
    },
    stopScript: {
      label: msg('Stop script (stop.sh)', '終了スクリプト (stop.sh)'),
      help: msg('Runs at deactivation; exit code 0 means success.', '非活性時に実行されます。終了コード 0 が成功です。'),
      widget: 'script',
    },
    startTimeoutS: {
      label: msg('Start script timeout', '開始スクリプトのタイムアウト'),
      help: msg('Seconds the start script may run.', '開始スクリプトの実行を待つ時間 (秒) です。'),
      widget: 'number',
      unit: 's',
      tab: 'tuning',
    },
    stopTimeoutS: {
      label: msg('Stop script timeout', '終了スクリプトのタイムアウト'),
      help: msg('Seconds the stop script may run.', '終了スクリプトの実行を待つ時間 (秒) です。'),
      widget: 'number',
      unit: 's',
      tab: 'tuning',
    },
  },
  perServer: { allowed: [], required: [] },
  defaultDependsOn: ['awsvip', 'awseip', 'awsdns', 'md'],
  autoMonitors: [],
  timeouts: (p) => ({ activateS: 180 + p.startTimeoutS, deactivateS: 180 + p.stopTimeoutS }),
});

export const DEFAULT_MONITOR_SCRIPT = `#!/bin/sh
# Kumo custom monitor: exit code 0 is normal, anything else an error.
exit 0
`;

export const genwType = defineMonitorType({
  id: 'genw',
  label: msg('Custom monitor', 'カスタムモニタリソース'),
  help: msg('Runs a script at every interval; exit code 0 is normal, any other an error.', '監視間隔ごとにスクリプトを実行します。終了コード 0 は正常、それ以外は異常です。'),
  params: z.object({ script: script.default(DEFAULT_MONITOR_SCRIPT) }),
  fields: {
    script: {
      label: msg('Monitor script (genw.sh)', '監視スクリプト (genw.sh)'),
      help: msg('Exit code 0 means normal; any other code is an error.', '終了コード 0 は正常、それ以外は異常です。'),
      widget: 'script',
    },
  },
  perServer: { allowed: [], required: [] },
  defaults: { intervalS: 30, timeoutS: 60, retryCount: 0, waitStartS: 0, timing: 'always' },
  targetTypes: [],
  awsMode: false,
});
