/**
 * The executor with recording drivers: activation by dependency depth (one depth in parallel), deactivation in
 * reverse and trying everything, retries in place, timeouts through the AbortSignal, and "activate the next
 * resource" only when no failover is left. The exec driver runs real scripts with CLUSTERPRO's variables.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { validateClusterConfig } from '@kumo/shared';
import type { AlertKey, ValidConfig } from '@kumo/shared';
import { SimulatedHost } from '../host/simulated-host.js';
import type { DriverResult, ResourceDriver } from '../resources/driver.js';
import { execDriver } from '../resources/exec/driver.js';
import { silentLogger } from '../util/log.js';
import { Executor } from './executor.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kumo-exec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function config(resources: unknown[]): ValidConfig {
  const r = validateClusterConfig({
    cluster: { name: 'x' },
    servers: [{ name: 's1', address: '10.0.0.1' }],
    interconnects: [{ priority: 1, addresses: { s1: '10.0.0.1' } }],
    groups: [{ name: 'g', resources }],
  });
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.where}: ${e.message.en}`).join('\n'));
  return r.config;
}

/** An "exec"-typed fake driver recording the order of calls; behaviour per resource name. */
function recorder(behaviour: Record<string, (n: number, signal: AbortSignal) => Promise<DriverResult>> = {}) {
  const log: string[] = [];
  const calls = new Map<string, number>();
  const driver: ResourceDriver = {
    type: 'exec',
    async activate(ctx) {
      const n = (calls.get(`a:${ctx.resource}`) ?? 0) + 1;
      calls.set(`a:${ctx.resource}`, n);
      log.push(`start ${ctx.resource}`);
      const r = (await behaviour[ctx.resource]?.(n, ctx.signal)) ?? { ok: true };
      log.push(`end ${ctx.resource}`);
      return r;
    },
    async deactivate(ctx) {
      log.push(`stop ${ctx.resource}`);
      return ctx.resource === 'bad-stop' ? { ok: false, code: 5, text: 'cannot stop', failure: 'node' } : { ok: true };
    },
    async probe() {
      return 'inactive';
    },
  };
  return { driver, log };
}

function executor(driver: ResourceDriver, cfg: ValidConfig) {
  const alerts: string[] = [];
  const ex = new Executor({
    server: 's1',
    services: { host: new SimulatedHost(path.join(dir, Math.random().toString(36).slice(2))), log: silentLogger },
    drivers: new Map([['exec', driver]]),
    alert: (key: AlertKey, args) => alerts.push(`${key} ${args.join(' ')}`),
    onChange: () => undefined,
  });
  ex.setConfig(cfg);
  return { ex, alerts };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the executor', () => {
  it('activates by dependency depth, one depth in parallel, and deactivates in reverse', async () => {
    const { driver, log } = recorder({ a: () => sleep(30).then(() => ({ ok: true })), b: () => sleep(10).then(() => ({ ok: true })) });
    const cfg = config([
      { name: 'a', type: 'exec', dependency: { mode: 'explicit', dependsOn: [] } },
      { name: 'b', type: 'exec', dependency: { mode: 'explicit', dependsOn: [] } },
      { name: 'c', type: 'exec', dependency: { mode: 'explicit', dependsOn: ['a', 'b'] } },
    ]);
    const { ex } = executor(driver, cfg);
    expect(await ex.run({ id: '1', kind: 'group.activate', group: 'g', reason: 'start', canFailover: true })).toEqual({ ok: true });
    // a and b start together; c only after both ended.
    expect(log.slice(0, 2).sort()).toEqual(['start a', 'start b']);
    expect(log.indexOf('start c')).toBeGreaterThan(log.indexOf('end a'));
    expect(ex.snapshot()['g']?.state).toBe('online');
    log.length = 0;
    expect(await ex.run({ id: '2', kind: 'group.deactivate', group: 'g', reason: 'stop' })).toEqual({ ok: true });
    expect(log[0]).toBe('stop c');
    expect(ex.snapshot()['g']?.state).toBe('offline');
  });

  it('retries a failed activation in place up to the retry threshold', async () => {
    const { driver } = recorder({ a: async (n) => (n < 3 ? { ok: false, code: 5, text: 'not yet', failure: 'transient' } : { ok: true }) });
    const { ex, alerts } = executor(driver, config([{ name: 'a', type: 'exec', recovery: { activation: { retryCount: 2 } } }]));
    expect((await ex.run({ id: '1', kind: 'group.activate', group: 'g', reason: 'start', canFailover: true })).ok).toBe(true);
    expect(alerts.filter((a) => a.startsWith('resourceActivationFailed'))).toEqual(['resourceActivationFailed a 5 not yet', 'resourceActivationFailed a 5 not yet']);
  });

  it('reports the failed resource for the master to fail over, or activates the next when no failover is left and the final action says so', async () => {
    const failing = { a: async (): Promise<DriverResult> => ({ ok: false, code: 7, text: 'broken', failure: 'node' }) };
    const cfg = config([
      { name: 'a', type: 'exec', dependency: { mode: 'explicit', dependsOn: [] }, recovery: { activation: { finalAction: 'none-continue' } } },
      { name: 'b', type: 'exec', dependency: { mode: 'explicit', dependsOn: ['a'] } },
    ]);
    const one = executor(recorder(failing).driver, cfg);
    expect(await one.ex.run({ id: '1', kind: 'group.activate', group: 'g', reason: 'start', canFailover: true })).toEqual({ ok: false, failedResource: 'a', message: '(7 : broken)' });
    const two = recorder(failing);
    const { ex } = executor(two.driver, cfg);
    expect((await ex.run({ id: '2', kind: 'group.activate', group: 'g', reason: 'start', canFailover: false })).ok).toBe(true);
    expect(two.log).toContain('start b');
    expect(ex.snapshot()['g']?.state).toBe('online-failure');
  });

  it('enforces the activation timeout through the AbortSignal (code 6)', async () => {
    let aborted = false;
    const { driver } = recorder({
      a: (_n, signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve({ ok: true });
          });
        }),
    });
    const { ex } = executor(driver, config([{ name: 'a', type: 'exec', timeouts: { activateS: 1 } }]));
    const r = await ex.run({ id: '1', kind: 'group.activate', group: 'g', reason: 'start', canFailover: false });
    expect(r).toMatchObject({ ok: false, failedResource: 'a', message: expect.stringMatching(/^\(6 : Timeout occurred\./) });
    expect(aborted).toBe(true);
  });

  it('deactivation tries every resource even when one fails, and reports the failure', async () => {
    const { driver, log } = recorder();
    const cfg = config([
      { name: 'bad-stop', type: 'exec', dependency: { mode: 'explicit', dependsOn: [] } },
      { name: 'z', type: 'exec', dependency: { mode: 'explicit', dependsOn: [] } },
    ]);
    const { ex } = executor(driver, cfg);
    await ex.run({ id: '1', kind: 'group.activate', group: 'g', reason: 'start', canFailover: true });
    const r = await ex.run({ id: '2', kind: 'group.deactivate', group: 'g', reason: 'stop' });
    expect(r).toEqual({ ok: false, failedResource: 'bad-stop', message: '(5 : cannot stop)' });
    expect(log).toEqual(expect.arrayContaining(['stop bad-stop', 'stop z']));
  });

  it('runs exec scripts with CLUSTERPRO\'s environment variables and judges them by exit code', async () => {
    const out = path.join(dir, 'env.txt');
    const cfg = config([
      {
        name: 'app',
        type: 'exec',
        params: {
          startScript: `#!/bin/sh\necho "$CLP_EVENT $CLP_SERVER $CLP_GROUPNAME $CLP_RESOURCENAME" > ${out}\nexit 0\n`,
          stopScript: '#!/bin/sh\nexit 3\n',
        },
      },
    ]);
    const { ex } = executor(execDriver, cfg);
    expect((await ex.run({ id: '1', kind: 'group.activate', group: 'g', reason: 'failover', canFailover: false })).ok).toBe(true);
    expect(readFileSync(out, 'utf8').trim()).toBe('FAILOVER s1 g app');
    expect(await ex.run({ id: '2', kind: 'group.deactivate', group: 'g', reason: 'stop' })).toMatchObject({ ok: false, message: expect.stringMatching(/stop\.sh exited with 3/) });
  });
});
