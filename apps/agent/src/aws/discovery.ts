/**
 * Discovery for the wizard (the `aws.discover` method): what the wizard asks for, read from AWS so the
 * administrator picks instead of typing IDs (peers.md §5, row 1). Each item is `{ id, label, detail }`: the ID
 * the config stores, a line the dropdown shows, and the facts a form may fill from (an ENI's private IP, a
 * route table's /32 routes). Lists that belong to a VPC default to this instance's VPC.
 */
import type { AwsApi, CallOptions, Instance } from './api.js';
import type { InstanceIdentity } from './imds.js';

export const DISCOVERY_KINDS = ['self', 'vpcs', 'routeTables', 'networkInterfaces', 'eipAllocations', 'hostedZones', 'availabilityZones', 'instances'] as const;
export type DiscoveryKind = (typeof DISCOVERY_KINDS)[number];

export interface DiscoveryItem {
  id: string;
  label: string;
  detail: Record<string, unknown>;
}

export interface DiscoveryRequest {
  what: DiscoveryKind;
  /** Limits route tables, ENIs and instances to this VPC (default: this instance's). */
  vpcId?: string | undefined;
}

const compact = (o: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** This instance, when the metadata service answers (not on EC2 it does not, and discovery goes on without it). */
async function selfOrNothing(aws: AwsApi, opts: CallOptions | undefined): Promise<InstanceIdentity | undefined> {
  return aws.self(opts).catch(() => undefined);
}

function instanceLabel(i: Instance | undefined, fallback: string): string {
  return i?.name ? `${i.name} (${i.id})` : fallback;
}

export async function discover(aws: AwsApi, req: DiscoveryRequest, opts?: CallOptions): Promise<{ items: DiscoveryItem[] }> {
  const self = await selfOrNothing(aws, opts);
  const vpcId = req.vpcId ?? self?.vpcId;
  switch (req.what) {
    case 'self': {
      if (!self) return { items: [] };
      const [instance] = await aws.describeInstances({ ids: [self.instanceId] }, opts).catch(() => []);
      return {
        items: [
          {
            id: self.instanceId,
            label: `${instanceLabel(instance, self.instanceId)}: ${self.availabilityZone}, ${self.privateIp}`,
            detail: compact({ ...self, name: instance?.name }),
          },
        ],
      };
    }
    case 'vpcs': {
      const vpcs = await aws.describeVpcs({}, opts);
      return {
        items: vpcs.map((v) => ({
          id: v.id,
          label: `${v.name ? `${v.name} ` : ''}${v.id} (${v.cidrs.join(', ')})`,
          detail: { cidrs: v.cidrs, isDefault: v.isDefault, self: v.id === self?.vpcId },
        })),
      };
    }
    case 'routeTables': {
      const tables = await aws.describeRouteTables({ vpcId }, opts);
      return {
        items: tables.flatMap((t) => {
          const hostRoutes = t.routes.filter((r) => r.destination?.endsWith('/32'));
          if (hostRoutes.length === 0) return [];
          return [
            {
              id: t.id,
              label: `${t.name ? `${t.name} ` : ''}${t.id}: ${hostRoutes.map((r) => `${r.destination ?? '?'} → ${r.target ?? '?'}`).join(', ')}`,
              detail: { vpcId: t.vpcId, main: t.main, subnetIds: t.subnetIds, hostRoutes: hostRoutes.map((r) => compact({ ...r })) },
            },
          ];
        }),
      };
    }
    case 'networkInterfaces': {
      const [enis, instances] = await Promise.all([aws.describeNetworkInterfaces({ vpcId }, opts), aws.describeInstances({ vpcId }, opts)]);
      const byId = new Map(instances.map((i) => [i.id, i]));
      const items = enis
        .filter((e) => e.instanceId !== undefined)
        .map((e) => ({
          id: e.id,
          label: `${e.id} (${instanceLabel(byId.get(e.instanceId ?? ''), e.instanceId ?? '')}, ${e.privateIp})`,
          detail: compact({
            instanceId: e.instanceId,
            instanceName: byId.get(e.instanceId ?? '')?.name,
            privateIp: e.privateIp,
            vpcId: e.vpcId,
            subnetId: e.subnetId,
            availabilityZone: e.availabilityZone,
            sourceDestCheck: e.sourceDestCheck,
            self: e.instanceId === self?.instanceId,
          }),
        }));
      return { items: items.sort((a, b) => Number(b.detail['self'] === true) - Number(a.detail['self'] === true)) };
    }
    case 'eipAllocations': {
      const addresses = await aws.describeAddresses({}, opts);
      return {
        items: addresses.map((a) => ({
          id: a.allocationId,
          label: `${a.publicIp ?? '?'} (${a.allocationId})${a.eniId ? ` on ${a.eniId}` : ''}`,
          detail: compact({ publicIp: a.publicIp, name: a.name, eniId: a.eniId, instanceId: a.instanceId, privateIp: a.privateIp }),
        })),
      };
    }
    case 'hostedZones': {
      const zones = await aws.listHostedZones(opts);
      const items = await Promise.all(
        zones.map(async (z) => {
          const [detail, records] = await Promise.all([
            z.private ? aws.getHostedZone(z.id, opts) : Promise.resolve(undefined),
            aws.listRecordSets(z.id, opts),
          ]);
          return {
            id: z.id,
            label: `${z.name} (${z.private ? 'private' : 'public'}, ${z.id})`,
            detail: compact({
              name: z.name,
              private: z.private,
              comment: z.comment,
              vpcs: detail?.vpcs,
              records: records.filter((r) => r.type !== 'SOA' && r.type !== 'NS'),
            }),
          };
        }),
      );
      return { items };
    }
    case 'availabilityZones': {
      const zones = await aws.describeAvailabilityZones({}, opts);
      return {
        items: zones.map((z) => ({
          id: z.name,
          label: `${z.name} (${z.zoneId ?? '?'}, ${z.state})`,
          detail: compact({ zoneId: z.zoneId, state: z.state, messages: z.messages, self: z.name === self?.availabilityZone }),
        })),
      };
    }
    case 'instances': {
      const instances = await aws.describeInstances({ vpcId }, opts);
      return {
        items: instances.map((i) => ({
          id: i.id,
          label: `${instanceLabel(i, i.id)}: ${i.availabilityZone ?? '?'}, ${i.privateIp ?? '?'}, ${i.state}`,
          detail: compact({ name: i.name, state: i.state, availabilityZone: i.availabilityZone, privateIp: i.privateIp, vpcId: i.vpcId, eniIds: i.eniIds, self: i.id === self?.instanceId }),
        })),
      };
    }
    default: {
      const check: never = req.what;
      throw new Error(`unknown discovery ${String(check)}`);
    }
  }
}
