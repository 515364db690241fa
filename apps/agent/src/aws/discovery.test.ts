import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discover, type DiscoveryKind } from './discovery.js';
import { G, SERVERS, startCluster, type TestCluster } from './testing.js';

describe('discovery for the wizard (seen from server1)', () => {
  let cluster: TestCluster;
  beforeAll(async () => {
    cluster = await startCluster();
    cluster.cloud.tamper.changeRecord(G.zone, 'srv.hz1.local.', 'A', [SERVERS.server1.privateIp], 60);
  });
  afterAll(async () => {
    await cluster.stop();
  });
  const ask = (what: DiscoveryKind, vpcId?: string) => discover(cluster.servers.server1.aws, { what, vpcId });

  it('self: this instance, its AZ, ENI, private IP and VPC', async () => {
    const { items } = await ask('self');
    expect(items).toEqual([
      {
        id: SERVERS.server1.instanceId,
        label: `server1 (${SERVERS.server1.instanceId}): ap-northeast-1a, 10.0.110.10`,
        detail: {
          instanceId: SERVERS.server1.instanceId,
          availabilityZone: 'ap-northeast-1a',
          region: G.region,
          mac: '0a:1b:2c:3d:4e:01',
          eniId: SERVERS.server1.eniId,
          privateIp: '10.0.110.10',
          vpcId: G.vpc,
          accountId: '123456789012',
          name: 'server1',
        },
      },
    ]);
  });

  it('VPCs with their CIDR blocks', async () => {
    expect((await ask('vpcs')).items).toEqual([
      { id: G.vpc, label: `kumo-guide ${G.vpc} (10.0.0.0/16)`, detail: { cidrs: ['10.0.0.0/16'], isDefault: false, self: true } },
    ]);
  });

  it('route tables that hold a /32, with the route and its target', async () => {
    const { items } = await ask('routeTables');
    expect(items.map((i) => i.id)).toEqual([G.publicAB, G.privateA, G.privateB]);
    expect(items[0]?.label).toBe(`Public-AB ${G.publicAB}: 10.1.0.20/32 → ${SERVERS.server1.eniId}`);
    expect(items[0]?.detail['hostRoutes']).toEqual([
      { destination: '10.1.0.20/32', eniId: SERVERS.server1.eniId, instanceId: SERVERS.server1.instanceId, target: SERVERS.server1.eniId, state: 'active' },
    ]);
  });

  it('the ENIs of this instance (first) and of its peers in the VPC', async () => {
    const { items } = await ask('networkInterfaces');
    expect(items.map((i) => [i.id, i.label, i.detail['self'], i.detail['sourceDestCheck']])).toEqual([
      [SERVERS.server1.eniId, `${SERVERS.server1.eniId} (server1 (${SERVERS.server1.instanceId}), 10.0.110.10)`, true, false],
      [SERVERS.server2.eniId, `${SERVERS.server2.eniId} (server2 (${SERVERS.server2.instanceId}), 10.0.120.10)`, false, false],
    ]);
    expect(items[1]?.detail).toMatchObject({ instanceId: SERVERS.server2.instanceId, privateIp: '10.0.120.10', availabilityZone: 'ap-northeast-1c' });
  });

  it('EIP allocations, hosted zones with their records, AZs and instances', async () => {
    expect((await ask('eipAllocations')).items).toEqual([
      { id: G.eip, label: `203.0.113.10 (${G.eip})`, detail: { publicIp: '203.0.113.10', name: 'kumo-guide-eip' } },
    ]);
    const [zone] = (await ask('hostedZones')).items;
    expect(zone).toMatchObject({ id: G.zone, label: `hz1.local. (private, ${G.zone})` });
    expect(zone?.detail).toMatchObject({ private: true, vpcs: [{ id: G.vpc, region: G.region }], records: [{ name: 'srv.hz1.local.', type: 'A', ttl: 60, values: ['10.0.110.10'] }] });
    expect((await ask('availabilityZones')).items.map((i) => [i.id, i.detail['self']])).toEqual([
      ['ap-northeast-1a', true],
      ['ap-northeast-1c', false],
      ['ap-northeast-1d', false],
    ]);
    expect((await ask('instances')).items.map((i) => [i.id, i.label])).toEqual([
      [SERVERS.server1.instanceId, `server1 (${SERVERS.server1.instanceId}): ap-northeast-1a, 10.0.110.10, running`],
      [SERVERS.server2.instanceId, `server2 (${SERVERS.server2.instanceId}): ap-northeast-1c, 10.0.120.10, running`],
    ]);
  });

  it('another VPC can be asked for, and an unknown one is simply empty', async () => {
    expect((await ask('routeTables', 'vpc-0000000000000000f')).items).toEqual([]);
  });
});
