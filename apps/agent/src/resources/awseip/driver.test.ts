import { awseipType, awseipwType } from '@kumo/shared';
import { describe, expect, it } from 'vitest';
import { G, resourceContract, SERVERS, targetOf, useCluster, type ServerName, type TestCluster } from '../../aws/testing.js';
import { awseipwDriver } from '../../monitors/awseipw/driver.js';
import { awseipDriver, type AwseipParams } from './driver.js';

const paramsFor = (server: ServerName) => ({ allocationId: G.eip, eniId: SERVERS[server].eniId });

/** The ENI the EIP is on, from the emulator's own state. */
function eipEni(cluster: TestCluster): string | undefined {
  const state = cluster.cloud.state() as { addresses?: { allocationId: string; association?: { eniId?: string } }[] };
  return state.addresses?.find((a) => a.allocationId === G.eip)?.association?.eniId;
}

resourceContract<AwseipParams>({
  type: awseipType,
  driver: awseipDriver,
  monitor: awseipwDriver,
  monitorType: awseipwType,
  monitorParams: {},
  paramsFor,
  async holds(cluster, server) {
    const [address] = await cluster.servers[server].aws.describeAddresses({ allocationIds: [G.eip] });
    return address?.eniId === SERVERS[server].eniId && address.privateIp === SERVERS[server].privateIp && eipEni(cluster) === SERVERS[server].eniId;
  },
});

describe('awseip: the guide\'s troubleshooting rows', () => {
  const cluster = useCluster();

  const params = (over: Partial<AwseipParams> = {}): AwseipParams => ({ ...awseipType.params.parse(paramsFor('server1')), ...over });
  const ctx = (p: AwseipParams) => cluster.resourceCtx('server1', 'awseip1', p);

  it('5 : The allocation ID … does not exist', async () => {
    expect(await awseipDriver.activate(ctx(params({ allocationId: 'eipalloc-0000000000000000f' })))).toEqual({
      ok: false,
      code: 5,
      text: "The allocation ID 'eipalloc-0000000000000000f' does not exist",
      failure: 'config',
    });
  });

  it('5 : The networkInterface ID … does not exist', async () => {
    expect(await awseipDriver.activate(ctx(params({ eniId: 'eni-0000000000000000f' })))).toEqual({
      ok: false,
      code: 5,
      text: "The networkInterface ID 'eni-0000000000000000f' does not exist",
      failure: 'node',
    });
  });

  it('6 : Timeout occurred. (AssociateAddress answers later than the AWS CLI timeout)', async () => {
    cluster.cloud.faults.inject({ operation: 'AssociateAddress', kind: 'latency', delayMs: 2000 });
    expect(await awseipDriver.activate(ctx(params({ awsCliTimeoutS: 0.2 })))).toEqual({ ok: false, code: 6, text: 'Timeout occurred.', failure: 'transient' });
  });

  it('5 : Failed in the AWS CLI command. (no credentials: the instance has no IAM role)', async () => {
    const noRole = cluster.api('server1', { imdsEndpoint: 'http://127.0.0.1:9', region: 'ap-northeast-1', accountId: '123456789012' });
    expect(await awseipDriver.activate({ ...ctx(params()), aws: noRole })).toEqual({ ok: false, code: 5, text: 'Failed in the AWS CLI command.', failure: 'transient' });
  });

  it('5 : You are not authorized to perform this operation. (AssociateAddress denied)', async () => {
    cluster.cloud.faults.denyAction('AssociateAddress', SERVERS.server1.instanceId);
    expect(await awseipDriver.activate(ctx(params()))).toMatchObject({ ok: false, code: 5, text: 'You are not authorized to perform this operation.' });
  });

  it('a 5xx on AssociateAddress is retried, and the association is confirmed by a read', async () => {
    cluster.cloud.faults.inject({ operation: 'AssociateAddress', kind: 'error', code: 'InternalError', count: 1 });
    expect(await awseipDriver.activate(ctx(params()))).toMatchObject({ ok: true });
    expect(eipEni(cluster)).toBe(SERVERS.server1.eniId);
    const calls = cluster.cloud.requests({ service: 'ec2' }).map((r) => `${r.operation} ${r.status}`);
    expect(calls).toEqual([
      'DescribeAddresses 200',
      'DescribeNetworkInterfaces 200',
      'AssociateAddress 500',
      'AssociateAddress 200',
      'DescribeAddresses 200',
    ]);
  });

  it('reassociates from the other server without disassociating first', async () => {
    expect(await awseipDriver.activate(cluster.resourceCtx('server2', 'awseip1', { ...params(), eniId: SERVERS.server2.eniId }))).toMatchObject({ ok: true });
    cluster.cloud.clearRequests();
    expect(await awseipDriver.activate(ctx(params()))).toMatchObject({ ok: true });
    expect(eipEni(cluster)).toBe(SERVERS.server1.eniId);
    expect(cluster.cloud.requests({ operation: 'DisassociateAddress' })).toEqual([]);
  });
});

describe('awseipw: a disassociated EIP is detected (7) and re-associated by re-activation', () => {
  const cluster = useCluster({}, { reset: false });

  const p = awseipType.params.parse(paramsFor('server1'));
  const ctx = () => cluster.resourceCtx('server1', 'awseip1', p);
  const check = (mode: 'none' | 'warn' | 'recover' = 'warn', awsCliTimeoutS = 5) =>
    awseipwDriver.check(
      cluster.monitorCtx('server1', 'awseipw1', { ...awseipwType.params.parse({ mode }), awsCliTimeoutS }, targetOf('awseip', p)),
    );

  it('normal after activation; 7 after the EIP is disassociated; restart re-associates', async () => {
    expect(await awseipDriver.activate(ctx())).toMatchObject({ ok: true });
    expect(await check()).toEqual({ state: 'normal' });
    cluster.cloud.tamper.disassociateAddress(G.eip);
    expect(await check()).toEqual({ state: 'error', code: 7, text: 'The EIP address does not exist. (EIP ALLOCATION ID=eipalloc-0a1b2c3d4e5f60001)' });
    expect(await check('none')).toMatchObject({ state: 'error', code: 7 });
    expect(await awseipDriver.deactivate(ctx())).toEqual({ ok: true, detail: 'not associated with this server' });
    expect(await awseipDriver.activate(ctx())).toMatchObject({ ok: true });
    expect(eipEni(cluster)).toBe(SERVERS.server1.eniId);
    expect(await check()).toEqual({ state: 'normal' });
  });

  it('throttling, 5xx and timeouts warn (105 / 106) by default and are errors (5 / 6) with recover', async () => {
    cluster.cloud.faults.inject({ operation: 'DescribeAddresses', kind: 'error', code: 'RequestLimitExceeded' });
    expect(await check()).toEqual({ state: 'warning', code: 105, text: 'Request limit exceeded.' });
    expect(await check('recover')).toEqual({ state: 'error', code: 5, text: 'Request limit exceeded.' });
    cluster.cloud.faults.clear();
    cluster.cloud.faults.inject({ operation: 'DescribeAddresses', kind: 'error', code: 'ServiceUnavailable' });
    expect(await check()).toEqual({ state: 'warning', code: 105, text: 'The service is unavailable. Please try again shortly.' });
    expect(await check('none')).toEqual({ state: 'normal' });
    cluster.cloud.faults.clear();
    cluster.cloud.faults.inject({ operation: 'DescribeAddresses', kind: 'hang' });
    expect(await check('warn', 0.1)).toEqual({ state: 'warning', code: 106, text: 'Timeout occurred.' });
    expect(await check('recover', 0.1)).toEqual({ state: 'error', code: 6, text: 'Timeout occurred.' });
    cluster.cloud.faults.clear();
    expect(await check()).toEqual({ state: 'normal' });
  });
});
