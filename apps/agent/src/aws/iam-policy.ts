/**
 * The least-privilege IAM policy for a cluster config (`aws.iamPolicy`): the actions of the guide's chapter 8
 * for each AWS type the config uses, on the resources the config names where IAM allows resource-level scope
 * (route tables, Elastic IPs, ENIs, hosted zones, instances). Describe* actions stay on `*`, as AWS requires.
 * Kumo adds route53:GetChange (it waits for INSYNC) and, with forced stop, ec2:StopInstances and
 * ec2:DescribeInstances.
 */
import { effectiveParams, groupServers } from '@kumo/shared';
import type { ClusterConfig } from '@kumo/shared';

export interface IamStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string | string[];
}

export interface IamPolicy {
  Version: '2012-10-17';
  Statement: IamStatement[];
}

export interface IamPolicyOptions {
  /** Without it, ARNs use `*` for the account. */
  accountId?: string | undefined;
  /** Default `cluster.aws.region`; without either, ARNs use `*` for the region. */
  region?: string | undefined;
  /** The route tables that hold the VIPs' /32 routes (from discovery): ReplaceRoute is scoped to them. */
  routeTableIds?: readonly string[] | undefined;
  /** Also allow what the wizard's discovery and preflight read (when they run with the instance role). */
  includeWizard?: boolean | undefined;
}

export interface IamPolicyResult {
  policy: IamPolicy;
  /** The policy as the IAM console takes it. */
  text: string;
  /** What could be scoped tighter with more information. */
  notes: string[];
}

function partitionOf(region: string | undefined): string {
  if (region?.startsWith('cn-')) return 'aws-cn';
  if (region?.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const sorted = (s: Iterable<string>) => [...new Set(s)].sort();

export function iamPolicyFor(config: ClusterConfig, opts: IamPolicyOptions = {}): IamPolicyResult {
  const region = opts.region ?? config.cluster.aws.region;
  const partition = partitionOf(region);
  const ec2Arn = (type: string, id: string) => `arn:${partition}:ec2:${region ?? '*'}:${opts.accountId ?? '*'}:${type}/${id}`;
  const r53Arn = (type: string, id: string) => `arn:${partition}:route53:::${type}/${id}`;

  const describe = new Set<string>();
  const replaceRoute = new Set<string>();
  const eipResources = new Set<string>();
  const zones = new Set<string>();
  const notes: string[] = [];
  let usesVip = false;

  for (const group of config.groups) {
    const servers = groupServers(config, group);
    for (const resource of group.resources) {
      const each = servers.map((s) => effectiveParams(resource, s));
      switch (resource.type) {
        case 'awsvip':
          usesVip = true;
          ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs', 'ec2:DescribeRouteTables'].forEach((a) => describe.add(a));
          break;
        case 'awseip':
          ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeAddresses'].forEach((a) => describe.add(a));
          for (const p of each) {
            const alloc = str(p['allocationId']);
            const eni = str(p['eniId']);
            if (alloc) eipResources.add(ec2Arn('elastic-ip', alloc));
            if (eni) eipResources.add(ec2Arn('network-interface', eni));
          }
          break;
        case 'awsdns':
          for (const p of each) {
            const zone = str(p['hostedZoneId']);
            if (zone) zones.add(r53Arn('hostedzone', zone));
          }
          break;
        case 'md':
        case 'exec':
          break;
        default: {
          const check: never = resource.type;
          throw new Error(`unknown resource type ${String(check)}`);
        }
      }
    }
  }
  if (config.monitors.some((m) => m.type === 'awsazw')) describe.add('ec2:DescribeAvailabilityZones');

  if (usesVip) {
    if (opts.routeTableIds && opts.routeTableIds.length > 0) for (const id of opts.routeTableIds) replaceRoute.add(ec2Arn('route-table', id));
    else {
      replaceRoute.add(ec2Arn('route-table', '*'));
      notes.push('ec2:ReplaceRoute is allowed on every route table; pass the route tables that hold the VIP /32 routes to scope it to them.');
    }
  }
  const forced = config.cluster.forcedStop.enabled;
  const instanceArns = sorted(config.servers.flatMap((s) => (s.instanceId ? [ec2Arn('instance', s.instanceId)] : [])));
  if (forced) {
    describe.add('ec2:DescribeInstances');
    if (instanceArns.length < config.servers.length) notes.push('Some servers have no instance ID: ec2:StopInstances is allowed on every instance.');
  }
  if (opts.includeWizard) {
    for (const a of ['ec2:DescribeInstances', 'ec2:DescribeVpcs', 'ec2:DescribeRouteTables', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeAddresses', 'ec2:DescribeAvailabilityZones']) {
      describe.add(a);
    }
  }
  if ((region === undefined || opts.accountId === undefined) && (usesVip || eipResources.size > 0 || forced)) {
    notes.push('The ARNs use * for the region or the account; give both to pin them.');
  }

  const statements: IamStatement[] = [];
  if (describe.size > 0) statements.push({ Sid: 'KumoDescribe', Effect: 'Allow', Action: sorted(describe), Resource: '*' });
  if (replaceRoute.size > 0) statements.push({ Sid: 'KumoAwsvipReplaceRoute', Effect: 'Allow', Action: ['ec2:ReplaceRoute'], Resource: sorted(replaceRoute) });
  if (eipResources.size > 0) {
    statements.push({ Sid: 'KumoAwseipAssociate', Effect: 'Allow', Action: ['ec2:AssociateAddress', 'ec2:DisassociateAddress'], Resource: sorted(eipResources) });
  }
  if (zones.size > 0) {
    statements.push({ Sid: 'KumoAwsdnsRecords', Effect: 'Allow', Action: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets'], Resource: sorted(zones) });
    statements.push({ Sid: 'KumoAwsdnsChanges', Effect: 'Allow', Action: ['route53:GetChange'], Resource: r53Arn('change', '*') });
  }
  if (opts.includeWizard) {
    statements.push({ Sid: 'KumoWizardRoute53', Effect: 'Allow', Action: ['route53:GetHostedZone', 'route53:ListHostedZones', 'route53:ListResourceRecordSets'], Resource: '*' });
  }
  if (forced) {
    statements.push({ Sid: 'KumoForcedStop', Effect: 'Allow', Action: ['ec2:StopInstances'], Resource: instanceArns.length === config.servers.length ? instanceArns : ec2Arn('instance', '*') });
  }

  const policy: IamPolicy = { Version: '2012-10-17', Statement: statements };
  return { policy, text: JSON.stringify(policy, null, 2), notes };
}
