import type { InstanceStateChange } from '@kumo/mock-cloud';
import { afterEach, describe, expect, it } from 'vitest';
import { fenceServer } from './fence.js';
import { SERVERS, startCluster, type TestCluster } from './testing.js';

const S1 = SERVERS.server1.instanceId;
const S2 = SERVERS.server2.instanceId;

describe('forced stop (fencing) through the EC2 API', () => {
  let cluster: TestCluster | undefined;
  let changes: InstanceStateChange[] = [];
  const start = async (instanceStopDelayMs = 50) => {
    changes = [];
    cluster = await startCluster({ cloud: { instanceStopDelayMs, onInstanceStateChange: (c) => changes.push(c) } });
    // Fetch each server's role credentials now: a stopped instance's metadata service no longer answers.
    await Promise.all([cluster.servers.server1.aws.describeInstances({ ids: [S1] }), cluster.servers.server2.aws.describeInstances({ ids: [S2] })]);
    return cluster;
  };
  const stateOf = async (c: TestCluster, id: string) => (await c.servers.server1.aws.describeInstances({ ids: [id] }))[0]?.state;
  afterEach(async () => {
    await cluster?.stop();
    cluster = undefined;
  });

  it('stops the target with Force and waits until it is stopped; the emulator announces the change', async () => {
    const c = await start();
    const result = await fenceServer({ aws: c.servers.server1.aws, selfInstanceId: S1, targetInstanceId: S2, delayMs: 0, stopTimeoutMs: 5000 });
    expect(result).toEqual({ ok: true, message: `Instance ${S2} has been stopped.` });
    expect(await stateOf(c, S2)).toBe('stopped');
    expect(changes.map((ch) => `${ch.instanceId} ${ch.previousState}→${ch.state}`)).toEqual([`${S2} running→stopping`, `${S2} stopping→stopped`]);
    const [stop] = c.cloud.requests({ operation: 'StopInstances' });
    expect(stop?.params).toMatchObject({ 'InstanceId.1': S2, Force: 'true' });
    expect(stop?.instanceId).toBe(S1);
  });

  it('refuses when its own instance is not running, and stops nothing', async () => {
    const c = await start();
    c.cloud.tamper.stopInstance(S1);
    const result = await fenceServer({ aws: c.servers.server1.aws, selfInstanceId: S1, targetInstanceId: S2, delayMs: 0, stopTimeoutMs: 5000 });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/^Refusing to stop i-0a1b2c3d4e5f60002: this server's own instance i-0a1b2c3d4e5f60001 is (stopping|stopped), not running/);
    expect(c.cloud.requests({ operation: 'StopInstances' })).toEqual([]);
    expect(await stateOf(c, S2)).toBe('running');
  });

  it('respects the delay: the lower-priority survivor waits, finds itself stopped, and never stops the other', async () => {
    const c = await start();
    const started = Date.now();
    const [first, second] = await Promise.all([
      fenceServer({ aws: c.servers.server1.aws, selfInstanceId: S1, targetInstanceId: S2, delayMs: 0, stopTimeoutMs: 5000 }),
      fenceServer({ aws: c.servers.server2.aws, selfInstanceId: S2, targetInstanceId: S1, delayMs: 300, stopTimeoutMs: 5000 }),
    ]);
    expect(first.ok).toBe(true);
    expect(second).toMatchObject({ ok: false, message: expect.stringMatching(/^Refusing/) as unknown });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await stateOf(c, S1)).toBe('running');
    expect(c.cloud.requests({ operation: 'StopInstances' }).map((r) => r.instanceId)).toEqual([S1]);
  });

  it('does nothing before the delay has passed, and a cancelled wait stops nothing', async () => {
    const c = await start();
    const engine = new AbortController();
    const fencing = fenceServer({ aws: c.servers.server1.aws, selfInstanceId: S1, targetInstanceId: S2, delayMs: 200, stopTimeoutMs: 5000, signal: engine.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(c.cloud.requests({ service: 'ec2', operation: 'StopInstances' })).toEqual([]);
    engine.abort();
    expect(await fencing).toMatchObject({ ok: false, message: expect.stringMatching(/cancelled/) as unknown });
    expect(c.cloud.requests({ operation: 'StopInstances' })).toEqual([]);
  });

  it('an instance that does not stop within stopTimeoutMs is a failure', async () => {
    const c = await start(5000);
    const slow = await fenceServer({ aws: c.servers.server1.aws, selfInstanceId: S1, targetInstanceId: S2, delayMs: 0, stopTimeoutMs: 100 });
    expect(slow).toEqual({ ok: false, message: `Instance ${S2} did not stop within 0.1 s (last state: stopping).` });
  });

  it('an instance already stopped counts as fenced, without another StopInstances', async () => {
    const c = await start(10);
    c.cloud.tamper.stopInstance(S2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await fenceServer({ aws: c.servers.server1.aws, selfInstanceId: S1, targetInstanceId: S2, delayMs: 0, stopTimeoutMs: 1000 })).toEqual({
      ok: true,
      message: `Instance ${S2} is already stopped.`,
    });
    expect(c.cloud.requests({ operation: 'StopInstances' })).toEqual([]);
  });

  it('never stops its own instance', async () => {
    const c = await start();
    expect(await fenceServer({ aws: c.servers.server1.aws, selfInstanceId: S1, targetInstanceId: S1, delayMs: 0, stopTimeoutMs: 1000 })).toMatchObject({ ok: false });
    expect(c.cloud.requests({ operation: 'StopInstances' })).toEqual([]);
  });
});
