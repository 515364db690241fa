import { awsvipType, awsvipwType } from '@kumo/shared';
import { describe, expect, it } from 'vitest';
import { G, resourceContract, SERVERS, targetOf, useCluster, type ServerName, type TestCluster } from '../../aws/testing.js';
import { awsvipwDriver } from '../../monitors/awsvipw/driver.js';
import { awsvipDriver, type AwsvipParams } from './driver.js';

const TABLES = [G.publicAB, G.privateA, G.privateB];
const paramsFor = (server: ServerName) => ({ ip: G.vip, vpcId: G.vpc, eniId: SERVERS[server].eniId });

/** Where each route table sends the VIP. */
function vipTargets(cluster: TestCluster): Record<string, string | undefined> {
  return Object.fromEntries(TABLES.map((id) => [id, routeOf(cluster, id)]));
}

function routeOf(cluster: TestCluster, tableId: string): string | undefined {
  const state = cluster.cloud.state() as { routeTables?: { id: string; routes: { destination: string; target: string }[] }[] };
  return state.routeTables?.find((t) => t.id === tableId)?.routes.find((r) => r.destination === `${G.vip}/32`)?.target;
}

resourceContract<AwsvipParams>({
  type: awsvipType,
  driver: awsvipDriver,
  monitor: awsvipwDriver,
  monitorType: awsvipwType,
  monitorParams: {},
  paramsFor,
  async holds(cluster, server) {
    const targets = Object.values(vipTargets(cluster));
    return targets.every((t) => t === SERVERS[server].eniId) && (await cluster.servers[server].host.hasAddress(G.vip));
  },
});

describe('awsvip: the guide\'s troubleshooting rows', () => {
  const cluster = useCluster();

  // Parsed, then overridden: a test may use an AWS CLI timeout below the schema's 1 s minimum.
  const params = (over: Partial<AwsvipParams> = {}): AwsvipParams => ({ ...awsvipType.params.parse(paramsFor('server2')), ...over });
  const activate = (p: AwsvipParams, server: ServerName = 'server2') => awsvipDriver.activate(cluster.resourceCtx(server, 'awsvip1', p));

  it('5 : The vpc ID … does not exist', async () => {
    expect(await activate(params({ vpcId: 'vpc-0000000000000000f' }))).toEqual({
      ok: false,
      code: 5,
      text: "The vpc ID 'vpc-0000000000000000f' does not exist",
      failure: 'config',
    });
  });

  it('5 : The networkInterface ID … does not exist', async () => {
    expect(await activate(params({ eniId: 'eni-0000000000000000f' }))).toMatchObject({
      ok: false,
      code: 5,
      text: "The networkInterface ID 'eni-0000000000000000f' does not exist",
    });
  });

  it('5 : You are not authorized to perform this operation. (ReplaceRoute denied by IAM)', async () => {
    cluster.cloud.faults.denyAction('ReplaceRoute');
    expect(await activate(params())).toEqual({ ok: false, code: 5, text: 'You are not authorized to perform this operation.', failure: 'config' });
    expect(Object.values(vipTargets(cluster))).toEqual([SERVERS.server1.eniId, SERVERS.server1.eniId, SERVERS.server1.eniId]);
  });

  it('6 : Timeout occurred. (the endpoint never answers within the AWS CLI timeout)', async () => {
    cluster.cloud.faults.inject({ operation: 'ReplaceRoute', kind: 'hang' });
    const started = Date.now();
    expect(await activate(params({ awsCliTimeoutS: 0.2 }))).toEqual({ ok: false, code: 6, text: 'Timeout occurred.', failure: 'transient' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await cluster.servers.server2.host.hasAddress(G.vip)).toBe(false);
  });

  it('5 : Failed in the AWS CLI command. (no answer from the endpoint at all)', async () => {
    const cut = cluster.api('server2', { endpoints: { ec2: 'http://127.0.0.1:9' } });
    expect(await awsvipDriver.activate({ ...cluster.resourceCtx('server2', 'awsvip1', params()), aws: cut })).toEqual({
      ok: false,
      code: 5,
      text: 'Failed in the AWS CLI command.',
      failure: 'transient',
    });
  });

  it('the engine\'s signal ends an activation at once, as a timeout', async () => {
    cluster.cloud.faults.inject({ operation: 'ReplaceRoute', kind: 'hang' });
    const engine = new AbortController();
    setTimeout(() => engine.abort(new Error('activation timeout')), 50);
    const started = Date.now();
    expect(await awsvipDriver.activate({ ...cluster.resourceCtx('server2', 'awsvip1', params()), signal: engine.signal })).toMatchObject({ ok: false, code: 6 });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a probe that cannot ask AWS says unknown, not inactive', async () => {
    expect(await activate(params())).toMatchObject({ ok: true });
    cluster.cloud.faults.inject({ operation: 'DescribeRouteTables', kind: 'error', code: 'InternalError' });
    expect(await awsvipDriver.probe(cluster.resourceCtx('server2', 'awsvip1', params()))).toBe('unknown');
    cluster.cloud.faults.clear();
    expect(await awsvipDriver.probe(cluster.resourceCtx('server2', 'awsvip1', params()))).toBe('active');
    await awsvipDriver.deactivate(cluster.resourceCtx('server2', 'awsvip1', params()));
  });

  it('7 : The VIP address … belongs to a VPC subnet.', async () => {
    expect(await activate(params({ ip: '10.0.5.20' }))).toEqual({
      ok: false,
      code: 7,
      text: 'The VIP address 10.0.5.20 belongs to a VPC subnet.',
      failure: 'config',
    });
  });

  it('5 when no route table of the VPC holds VIP/32, saying what to add', async () => {
    const r = await activate(params({ ip: '10.1.0.99' }));
    expect(r).toMatchObject({ ok: false, code: 5, failure: 'config' });
    expect(r.ok ? '' : r.text).toMatch(/No route table of vpc-0a1b2c3d4e5f67890 has a route for 10\.1\.0\.99\/32/);
  });

  it('a throttled ReplaceRoute is retried and succeeds', async () => {
    cluster.cloud.faults.inject({ operation: 'ReplaceRoute', kind: 'error', code: 'RequestLimitExceeded', count: 1 });
    expect(await activate(params())).toMatchObject({ ok: true });
    expect(Object.values(vipTargets(cluster))).toEqual([SERVERS.server2.eniId, SERVERS.server2.eniId, SERVERS.server2.eniId]);
  });

  it('updates every route table of the VPC and adds the VIP to the NIC holding the ENI\'s IP', async () => {
    expect(await activate(params())).toMatchObject({ ok: true });
    expect(vipTargets(cluster)).toEqual({ [G.publicAB]: SERVERS.server2.eniId, [G.privateA]: SERVERS.server2.eniId, [G.privateB]: SERVERS.server2.eniId });
    expect(cluster.servers.server2.host.snapshot().addresses).toEqual([{ ip: G.vip, nic: 'eth0' }]);
    const replaced = cluster.cloud.requests({ operation: 'ReplaceRoute' }).map((r) => r.instanceId);
    expect(replaced).toEqual([SERVERS.server2.instanceId, SERVERS.server2.instanceId, SERVERS.server2.instanceId]);
    await awsvipDriver.deactivate(cluster.resourceCtx('server2', 'awsvip1', params()));
  });

  it('uses the configured NIC', async () => {
    expect(await activate(params({ nic: 'ens5' }))).toMatchObject({ ok: true });
    expect(cluster.servers.server2.host.snapshot().addresses).toEqual([{ ip: G.vip, nic: 'ens5' }]);
    await awsvipDriver.deactivate(cluster.resourceCtx('server2', 'awsvip1', params()));
  });
});

describe('awsvipw: a changed route is detected (8) and repaired by re-activation', () => {
  const cluster = useCluster({}, { reset: false });

  const p = awsvipType.params.parse(paramsFor('server1'));
  const ctx = () => cluster.resourceCtx('server1', 'awsvip1', p);
  const check = (mode: 'none' | 'warn' | 'recover' = 'warn', awsCliTimeoutS = 5) =>
    awsvipwDriver.check(
      cluster.monitorCtx(
        'server1',
        'awsvipw1',
        { ...awsvipwType.params.parse({ mode }), awsCliTimeoutS },
        targetOf('awsvip', p, [
          { server: 'server1', params: p },
          { server: 'server2', params: paramsFor('server2') },
        ]),
      ),
    );

  it('normal after activation; 8 after another ENI takes one route; restart fixes all three tables', async () => {
    expect(await awsvipDriver.activate(ctx())).toMatchObject({ ok: true });
    expect(await check()).toEqual({ state: 'normal' });
    cluster.cloud.tamper.pointRoute(G.privateA, `${G.vip}/32`, SERVERS.server2.eniId);
    expect(await check()).toEqual({ state: 'error', code: 8, text: 'The routing for VIP 10.1.0.20 was changed.' });
    expect(await check('none')).toMatchObject({ state: 'error', code: 8 });
    expect(await awsvipDriver.deactivate(ctx())).toEqual({ ok: true });
    expect(await awsvipDriver.activate(ctx())).toMatchObject({ ok: true });
    expect(vipTargets(cluster)).toEqual({ [G.publicAB]: SERVERS.server1.eniId, [G.privateA]: SERVERS.server1.eniId, [G.privateB]: SERVERS.server1.eniId });
    expect(await check()).toEqual({ state: 'normal' });
  });

  it('7 when the VIP was taken off the NIC', async () => {
    await cluster.servers.server1.host.removeAddress(G.vip);
    expect(await check()).toEqual({ state: 'error', code: 7, text: 'The VIP address 10.1.0.20 does not exist.' });
    expect(await awsvipDriver.activate(ctx())).toMatchObject({ ok: true });
    expect(await check()).toEqual({ state: 'normal' });
  });

  it('API failures follow the mode: none → normal, warn → 105, recover → 5; timeouts 106 / 6', async () => {
    cluster.cloud.faults.inject({ operation: 'DescribeRouteTables', kind: 'error', code: 'InternalError' });
    expect(await check('none')).toEqual({ state: 'normal' });
    expect(await check('warn')).toEqual({ state: 'warning', code: 105, text: 'An internal error has occurred' });
    expect(await check('recover')).toEqual({ state: 'error', code: 5, text: 'An internal error has occurred' });
    cluster.cloud.faults.clear();
    cluster.cloud.faults.inject({ operation: 'DescribeRouteTables', kind: 'error', code: 'RequestLimitExceeded' });
    expect(await check('warn')).toEqual({ state: 'warning', code: 105, text: 'Request limit exceeded.' });
    expect(await check('recover')).toEqual({ state: 'error', code: 5, text: 'Request limit exceeded.' });
    cluster.cloud.faults.clear();
    cluster.cloud.faults.inject({ operation: 'DescribeRouteTables', kind: 'latency', delayMs: 1000 });
    expect(await check('warn', 0.1)).toEqual({ state: 'warning', code: 106, text: 'Timeout occurred.' });
    expect(await check('recover', 0.1)).toEqual({ state: 'error', code: 6, text: 'Timeout occurred.' });
    expect(await check('none', 0.1)).toEqual({ state: 'normal' });
    cluster.cloud.faults.clear();
    expect(await check()).toEqual({ state: 'normal' });
  });
});
