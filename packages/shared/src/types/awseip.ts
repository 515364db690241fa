import { z } from 'zod';
import { msg } from '../i18n.js';
import { eipAllocationId, eniId } from '../config/primitives.js';
import { AWS_MONITOR_DEFAULTS, awsCliTimeoutHint, awsCliTimeoutS, awsMode, awsModeHint, awsResourceTimeouts, eniIdHint } from './common.js';
import { defineMonitorType, defineResourceType } from './define.js';

/** AWS Elastic IP: the EIP is associated with the active server's ENI, so clients on the Internet reach it. */
export const awseipType = defineResourceType({
  id: 'awseip',
  label: msg('AWS Elastic IP resource', 'AWS Elastic IP リソース'),
  help: msg(
    'Associates an Elastic IP with the active server\'s ENI, so that clients on the Internet reach the cluster through it.',
    '現用系サーバの ENI に EIP を割り当て、インターネット上のクライアントに業務を公開します。',
  ),
  params: z.object({ allocationId: eipAllocationId, eniId, awsCliTimeoutS }),
  fields: {
    allocationId: {
      label: msg('EIP ALLOCATION ID', 'EIP ALLOCATION ID'),
      help: msg('The allocation ID of the Elastic IP to move with the group.', 'グループとともに移動する EIP の Allocation ID です。'),
      widget: 'text',
      discovery: 'eipAllocation',
      placeholder: 'eipalloc-0a1b2c3d4e5f60001',
    },
    eniId: eniIdHint,
    awsCliTimeoutS: awsCliTimeoutHint,
  },
  perServer: { allowed: ['eniId'], required: ['eniId'] },
  defaultDependsOn: [],
  autoMonitors: [{ type: 'awseipw', link: 'target', recovery: 'resource' }],
  timeouts: awsResourceTimeouts,
});

export const awseipwType = defineMonitorType({
  id: 'awseipw',
  label: msg('AWS Elastic IP monitor', 'AWS Elastic IP モニタリソース'),
  help: msg('Checks that the Elastic IP is still associated with this server\'s ENI.', 'EIP が自サーバの ENI に割り当てられているかを監視します。'),
  params: z.object({ mode: awsMode, awsCliTimeoutS }),
  fields: { mode: awsModeHint, awsCliTimeoutS: awsCliTimeoutHint },
  perServer: { allowed: [], required: [] },
  defaults: { ...AWS_MONITOR_DEFAULTS, timing: 'active' },
  targetTypes: ['awseip'],
  awsMode: true,
});
