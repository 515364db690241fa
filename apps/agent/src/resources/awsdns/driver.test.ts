import { awsdnsType, awsdnswType } from '@kumo/shared';
import { describe, expect, it } from 'vitest';
import { G, resourceContract, SERVERS, startCluster, targetOf, useCluster, type ServerName, type TestCluster } from '../../aws/testing.js';
import { awsdnswDriver } from '../../monitors/awsdnsw/driver.js';
import { awsdnsDriver, type AwsdnsParams } from './driver.js';

const NAME = 'srv.hz1.local.';
const paramsFor = (server: ServerName) => ({ hostedZoneId: G.zone, recordName: NAME, ip: SERVERS[server].privateIp, ttl: 60, deleteOnDeactivate: true });

/** The A record as the emulator serves it over DNS (only INSYNC changes reach DNS). */
function servedA(cluster: TestCluster): string[] | undefined {
  const state = cluster.cloud.state() as { hostedZones?: { id: string; served: { name: string; type: string; values: string[] }[] }[] };
  return state.hostedZones?.find((z) => z.id === G.zone)?.served.find((r) => r.name === NAME && r.type === 'A')?.values;
}

resourceContract<AwsdnsParams>({
  type: awsdnsType,
  driver: awsdnsDriver,
  monitor: awsdnswDriver,
  monitorType: awsdnswType,
  // Resolution through the system resolver cannot see the emulator's zone: the DNS half is tested below.
  monitorParams: { checkResolution: false },
  paramsFor,
  async holds(cluster, server) {
    const record = await cluster.servers[server].aws.getRecordSet(G.zone, NAME, 'A');
    return record?.values.join() === SERVERS[server].privateIp && record.ttl === 60 && servedA(cluster)?.join() === SERVERS[server].privateIp;
  },
});

describe('awsdns: the guide\'s troubleshooting rows and Route 53 behaviour', () => {
  const cluster = useCluster();

  const params = (over: Partial<AwsdnsParams> = {}): AwsdnsParams => ({ ...awsdnsType.params.parse(paramsFor('server1')), ...over });
  const ctx = (p: AwsdnsParams, server: ServerName = 'server1') => cluster.resourceCtx(server, 'awsdns1', p);

  it('5 : No hosted zone found with ID: …', async () => {
    expect(await awsdnsDriver.activate(ctx(params({ hostedZoneId: 'Z0KUMONOSUCHZONE0001' })))).toEqual({
      ok: false,
      code: 5,
      text: 'No hosted zone found with ID: Z0KUMONOSUCHZONE0001',
      failure: 'config',
    });
  });

  it('6 : Timeout occurred. (Route 53 does not answer within the AWS CLI timeout)', async () => {
    cluster.cloud.faults.inject({ operation: 'ChangeResourceRecordSets', kind: 'hang' });
    expect(await awsdnsDriver.activate(ctx(params({ awsCliTimeoutS: 0.2 })))).toEqual({ ok: false, code: 6, text: 'Timeout occurred.', failure: 'transient' });
  });

  it('6 : Timeout occurred. (the change does not reach INSYNC within the AWS CLI timeout)', async () => {
    const slow = await startCluster({ cloud: { changeSyncDelayMs: 5000 } });
    try {
      const started = Date.now();
      expect(await awsdnsDriver.activate(slow.resourceCtx('server1', 'awsdns1', params({ awsCliTimeoutS: 0.3 })))).toEqual({
        ok: false,
        code: 6,
        text: 'Timeout occurred.',
        failure: 'transient',
      });
      expect(Date.now() - started).toBeLessThan(2000);
      expect(slow.cloud.requests({ operation: 'GetChange' }).length).toBeGreaterThan(1);
    } finally {
      await slow.stop();
    }
  });

  it('5 : Failed in the AWS CLI command. (Route 53 cannot be reached: it has no VPC endpoint)', async () => {
    const cut = cluster.api('server1', { endpoints: { ec2: cluster.cloud.url, route53: 'http://127.0.0.1:9' } });
    expect(await awsdnsDriver.activate({ ...ctx(params()), aws: cut })).toEqual({ ok: false, code: 5, text: 'Failed in the AWS CLI command.', failure: 'transient' });
  });

  it('waits for INSYNC before it reports success, so the name already resolves', async () => {
    expect(await awsdnsDriver.activate(ctx(params()))).toMatchObject({ ok: true });
    expect(servedA(cluster)).toEqual([SERVERS.server1.privateIp]);
  });

  it('an unchanged record costs no write', async () => {
    expect(await awsdnsDriver.activate(ctx(params()))).toMatchObject({ ok: true });
    cluster.cloud.clearRequests();
    expect(await awsdnsDriver.activate(ctx(params()))).toMatchObject({ ok: true });
    expect(cluster.cloud.requests({ operation: 'ChangeResourceRecordSets' })).toEqual([]);
  });

  it('deactivation deletes only a record that still names this server, and keeps it when told to', async () => {
    expect(await awsdnsDriver.activate(ctx(params({ ip: SERVERS.server2.privateIp }), 'server2'))).toMatchObject({ ok: true });
    expect(await awsdnsDriver.deactivate(ctx(params()))).toMatchObject({ ok: true });
    expect(servedA(cluster)).toEqual([SERVERS.server2.privateIp]);
    expect(await awsdnsDriver.activate(ctx(params()))).toMatchObject({ ok: true });
    expect(await awsdnsDriver.deactivate(ctx(params({ deleteOnDeactivate: false })))).toMatchObject({ ok: true });
    expect(servedA(cluster)).toEqual([SERVERS.server1.privateIp]);
    expect(await awsdnsDriver.deactivate(ctx(params()))).toEqual({ ok: true });
    // Gone from the zone at once; DNS serves the deletion once it is INSYNC.
    expect(await cluster.servers.server1.aws.getRecordSet(G.zone, NAME, 'A')).toBeUndefined();
    for (let i = 0; i < 400 && servedA(cluster) !== undefined; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(servedA(cluster)).toBeUndefined();
  });

  it('a move waits for one propagation: the deletion is not waited for, and the UPSERT after it is served', async () => {
    const slow = await startCluster({ cloud: { changeSyncDelayMs: 1500 } });
    try {
      const on = (server: ServerName) => slow.resourceCtx(server, 'awsdns1', params({ ip: SERVERS[server].privateIp }));
      expect(await awsdnsDriver.activate(on('server1'))).toMatchObject({ ok: true });
      slow.cloud.clearRequests();
      expect(await awsdnsDriver.deactivate(on('server1'))).toEqual({ ok: true });
      expect(slow.cloud.requests({ operation: 'GetChange' })).toEqual([]);
      expect(servedA(slow)).toEqual([SERVERS.server1.privateIp]);
      expect(await awsdnsDriver.activate(on('server2'))).toMatchObject({ ok: true });
      expect(servedA(slow)).toEqual([SERVERS.server2.privateIp]);
      const changes = slow.cloud.requests({ operation: 'ChangeResourceRecordSets' });
      expect(changes.map((r) => r.status)).toEqual([200, 200]);
    } finally {
      await slow.stop();
    }
  });

  it('a record deleted between the read and the DELETE is success', async () => {
    expect(await awsdnsDriver.activate(ctx(params()))).toMatchObject({ ok: true });
    cluster.cloud.faults.inject({ operation: 'ChangeResourceRecordSets', kind: 'latency', delayMs: 200, count: 1 });
    const deactivation = awsdnsDriver.deactivate(ctx(params()));
    // Once the DELETE is in flight (logged, not yet answered), someone else deletes the record.
    const inFlight = () => cluster.cloud.requests({ operation: 'ChangeResourceRecordSets' }).some((r) => r.status === 0);
    for (let i = 0; i < 200 && !inFlight(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(inFlight()).toBe(true);
    cluster.cloud.tamper.deleteRecord(G.zone, NAME, 'A');
    expect(await deactivation).toEqual({ ok: true, detail: 'record already absent' });
    expect(cluster.cloud.requests({ operation: 'ChangeResourceRecordSets' }).at(-1)?.errorCode).toBe('InvalidChangeBatch');
  });

  it('throttling by Route 53 is retried', async () => {
    cluster.cloud.faults.inject({ operation: 'ChangeResourceRecordSets', kind: 'error', code: 'Throttling', count: 1 });
    expect(await awsdnsDriver.activate(ctx(params()))).toMatchObject({ ok: true });
    expect(cluster.cloud.requests({ operation: 'ChangeResourceRecordSets' }).map((r) => r.status)).toEqual([400, 200]);
  });
});

describe('awsdnsw: record and resolution checks (7, 8, 9, 10), repaired by re-activation', () => {
  const cluster = useCluster({}, { reset: false });

  const p = awsdnsType.params.parse(paramsFor('server1'));
  const ctx = () => cluster.resourceCtx('server1', 'awsdns1', p);
  const dnsServer = () => `${cluster.cloud.dns.host}:${cluster.cloud.dns.port}`;
  const check = (over: Record<string, unknown> = {}) =>
    awsdnswDriver.check(
      cluster.monitorCtx('server1', 'awsdnsw1', { ...awsdnswType.params.parse({ dnsServer: dnsServer() }), ...over }, targetOf('awsdns', p)),
    );

  it('normal when the record exists with our IP and resolves to it', async () => {
    expect(await awsdnsDriver.activate(ctx())).toMatchObject({ ok: true });
    expect(await check()).toEqual({ state: 'normal' });
  });

  it('7 : the record was deleted; restart recreates it', async () => {
    cluster.cloud.tamper.deleteRecord(G.zone, NAME, 'A');
    expect(await check()).toEqual({ state: 'error', code: 7, text: 'The resource record set in Amazon Route 53 does not exist.' });
    expect(await check({ mode: 'none' })).toMatchObject({ state: 'error', code: 7 });
    expect(await awsdnsDriver.deactivate(ctx())).toMatchObject({ ok: true });
    expect(await awsdnsDriver.activate(ctx())).toMatchObject({ ok: true });
    expect(await check()).toEqual({ state: 'normal' });
  });

  it('8 : the record names another IP; restart repoints it', async () => {
    cluster.cloud.tamper.changeRecord(G.zone, NAME, 'A', ['10.0.120.99']);
    expect(await check()).toEqual({
      state: 'error',
      code: 8,
      text: 'IP address different from the setting is registered in the resource record set of Amazon Route 53.',
    });
    expect(await awsdnsDriver.deactivate(ctx())).toMatchObject({ ok: true, detail: expect.stringMatching(/not this server/) as unknown });
    expect(await awsdnsDriver.activate(ctx())).toMatchObject({ ok: true });
    expect(await check()).toEqual({ state: 'normal' });
  });

  it('9 : Failed to resolve domain name. (a dead DNS server, or a name that does not exist)', async () => {
    expect(await check({ dnsServer: '127.0.0.1:9' })).toEqual({ state: 'error', code: 9, text: 'Failed to resolve domain name.' });
    cluster.cloud.tamper.deleteRecord(G.zone, NAME, 'A');
    expect(await check({ checkRecordSet: false })).toEqual({ state: 'error', code: 9, text: 'Failed to resolve domain name.' });
    expect(await awsdnsDriver.activate(ctx())).toMatchObject({ ok: true });
    expect(await check()).toEqual({ state: 'normal' });
  });

  it('10 : the resolver answers another address', async () => {
    cluster.cloud.tamper.changeRecord(G.zone, NAME, 'A', ['10.0.120.99']);
    expect(await check({ checkRecordSet: false })).toEqual({
      state: 'error',
      code: 10,
      text: 'IP address which is resolved domain name from the DNS resolver does not match setting.',
    });
    expect(await awsdnsDriver.activate(ctx())).toMatchObject({ ok: true });
    expect(await check()).toEqual({ state: 'normal' });
  });

  it('Route 53 trouble follows the mode: 105 / 106 warnings by default, 5 / 6 with recover, nothing with none', async () => {
    cluster.cloud.faults.inject({ operation: 'ListResourceRecordSets', kind: 'error', code: 'Throttling' });
    expect(await check()).toEqual({ state: 'warning', code: 105, text: 'Rate exceeded' });
    expect(await check({ mode: 'recover' })).toEqual({ state: 'error', code: 5, text: 'Rate exceeded' });
    expect(await check({ mode: 'none' })).toEqual({ state: 'normal' });
    cluster.cloud.faults.clear();
    cluster.cloud.faults.inject({ operation: 'ListResourceRecordSets', kind: 'hang' });
    expect(await check({ awsCliTimeoutS: 0.1 })).toEqual({ state: 'warning', code: 106, text: 'Timeout occurred.' });
    expect(await check({ awsCliTimeoutS: 0.1, mode: 'recover' })).toEqual({ state: 'error', code: 6, text: 'Timeout occurred.' });
    cluster.cloud.faults.clear();
    expect(await check()).toEqual({ state: 'normal' });
  });
});
