import { z } from 'zod';
import { msg } from '../i18n.js';
import { eniId, ipv4, vpcId } from '../config/primitives.js';
import { AWS_MONITOR_DEFAULTS, awsCliTimeoutHint, awsCliTimeoutS, awsMode, awsModeHint, awsResourceTimeouts, eniIdHint } from './common.js';
import { defineMonitorType, defineResourceType } from './define.js';

/** AWS virtual IP: a VIP outside the VPC CIDR, routed to the active server's ENI in every route table that has it. */
export const awsvipType = defineResourceType({
  id: 'awsvip',
  label: msg('AWS Virtual IP resource', 'AWS 仮想 IP リソース'),
  help: msg(
    'Routes a virtual IP outside the VPC CIDR to the active server: every route table of the VPC that holds VIP/32 is pointed at that server\'s ENI, and the VIP is added to its NIC. Clients in the same VPC reach the cluster through it.',
    'VPC の CIDR 範囲外の仮想 IP を現用系サーバへルーティングします。VIP/32 を持つ VPC のすべてのルートテーブルを現用系サーバの ENI に向け、VIP を NIC に付与します。同じ VPC 内のクライアントが利用します。',
  ),
  params: z.object({
    ip: ipv4,
    vpcId,
    eniId,
    /** The NIC to add the VIP to; by default the one that holds the ENI's private IP. */
    nic: z.string().regex(/^[A-Za-z0-9_.:-]{1,15}$/, { error: 'msg:nic' }).optional(),
    awsCliTimeoutS,
  }),
  fields: {
    ip: {
      label: msg('IP Address', 'IP アドレス'),
      help: msg('The virtual IP. It must lie outside the VPC CIDR (e.g. 10.1.0.20 for a VPC 10.0.0.0/16).', '付与する VIP アドレスです。VPC の CIDR の範囲外である必要があります (例: VPC 10.0.0.0/16 に対して 10.1.0.20)。'),
      widget: 'text',
      placeholder: '10.1.0.20',
    },
    vpcId: {
      label: msg('VPC ID', 'VPC ID'),
      help: msg('The VPC the instances belong to.', 'インスタンスが所属する VPC の ID です。'),
      widget: 'text',
      discovery: 'vpc',
      placeholder: 'vpc-0a1b2c3d4e5f67890',
    },
    eniId: eniIdHint,
    nic: {
      label: msg('Network interface', 'ネットワークインタフェース'),
      help: msg('The NIC to add the VIP to. Leave empty to use the NIC that holds the ENI\'s private IP.', 'VIP を付与する NIC です。空欄の場合は ENI のプライベート IP を持つ NIC を使います。'),
      widget: 'text',
      placeholder: 'eth0',
      tab: 'tuning',
    },
    awsCliTimeoutS: awsCliTimeoutHint,
  },
  perServer: { allowed: ['vpcId', 'eniId', 'nic'], required: ['eniId'] },
  defaultDependsOn: [],
  autoMonitors: [{ type: 'awsvipw', link: 'target', recovery: 'resource' }],
  timeouts: awsResourceTimeouts,
});

export const awsvipwType = defineMonitorType({
  id: 'awsvipw',
  label: msg('AWS Virtual IP monitor', 'AWS 仮想 IP モニタリソース'),
  help: msg(
    'Checks that the VIP is on this server\'s NIC and that no route table entry for it was changed to another ENI.',
    'VIP アドレスが自サーバに存在するか、および VPC のルートテーブルが不正に変更されていないかを監視します。',
  ),
  params: z.object({ mode: awsMode, awsCliTimeoutS }),
  fields: { mode: awsModeHint, awsCliTimeoutS: awsCliTimeoutHint },
  perServer: { allowed: [], required: [] },
  defaults: { ...AWS_MONITOR_DEFAULTS, timing: 'active' },
  targetTypes: ['awsvip'],
  awsMode: true,
});
