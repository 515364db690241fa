/**
 * Fault injection on one two-server cluster on loopback (the e2e harness: the AWS emulator, the witness, two
 * real agents), with the guide's VIP, EIP and DNS resources and a mirror disk in one group. The scenarios run in
 * order on the same cluster, each starting from wherever the previous one left the group, and each ends with
 * the audit (lib/audit.ts): ownership over time from the request log, the cloud's end state, every agent's view,
 * the mirror data, the config hash and the alerts. Faults that need a network cut are in partitions.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENIS } from '../harness/cluster.js';
import { alertsOf, audit, failures, mark, statusOf, vipHolders } from './lib/audit.js';
import { fullGuideConfig, LoopbackCluster } from './lib/clusters.js';
import { MirrorData } from './lib/mirror-data.js';
import { prepareCluster, sleep, waitActive, waitFor, waitHealthy, waitOnlineAnywhere } from './lib/wait.js';

const other = (s: string) => (s === 'server1' ? 'server2' : 'server1');

let c: LoopbackCluster;
/** Where the group runs (each scenario finds out first: a failed scenario must not derail the next). */
let active = 'server1';
const data = new MirrorData();
/** Servers found holding a stale VIP after a crash and a restart (cleared so later audits start clean). */
const staleVips: string[] = [];

/** A clean start for each scenario (a failed one must not derail the next); where the group runs. */
async function prepare(): Promise<string> {
  active = await prepareCluster(c, { staleVips });
  return active;
}

function config(comment?: string) {
  const cfg = fullGuideConfig({
    addresses: c.k.addresses,
    // A plain HTTP NP target (the witness's HEAD /): the witness's own behaviour is partitions.test.ts's subject.
    np: { kind: 'http', ...c.k.witnessAddress! },
    dnsServer: `${c.cloud.dns.host}:${c.cloud.dns.port}`,
    heartbeat: { intervalS: 0.5, timeoutS: 3 },
    monitorIntervalS: 1,
  });
  if (comment !== undefined) cfg.cluster.comment = comment;
  return cfg;
}

beforeAll(async () => {
  c = await LoopbackCluster.start({ subnet: '127.0.30', config: null });
  await c.k.apply(config());
  await waitActive(c, 'server1', 60_000);
  await waitHealthy(c);
});

afterAll(async () => {
  if (staleVips.length > 0) console.log(`\nstale VIPs cleared after restarts: ${staleVips.join(', ')}`);
  await c?.stop();
});

describe('faults on a loopback cluster', () => {
  it('kill -9 of the active agent: the standby takes over with every acknowledged write', async () => {
    await prepare();
    const m = mark(c);
    expect(await data.writeMany(c.dataDir(active), 4)).toBe(4);
    const from = active;
    await c.kill(from);
    active = other(from);
    await waitActive(c, active, 30_000);
    const lines = await audit(c, {
      title: `kill -9 of the active agent (${from})`,
      since: m,
      owners: [active],
      active,
      mirror: { data, on: active },
      alerts: [`Server ${from} has been stopped.`, `The group failover1 has been failed over to ${active}.`],
    });
    expect(failures(lines)).toEqual([]);
  });

  it('the killed active server comes back without a stale VIP on its NIC (DESIGN §4: probe and reconcile)', async () => {
    const killed = other(active);
    await c.startAgent(killed);
    await waitHealthy(c);
    await sleep(2000); // a few monitor intervals to clean up, if it were going to
    const holders = vipHolders(c);
    console.log(`\n── stale VIP after ${killed} restarted: holders ${holders.join(',') || '(none)'}; active ${active}`);
    expect(holders).toEqual([active]);
  });

  it('kill -9 of the standby: nothing moves, the mirror catches up when it returns', async () => {
    await prepare();
    const m = mark(c);
    const standby = other(active);
    await c.kill(standby);
    await sleep(3500); // past the heartbeat timeout
    expect(await data.writeMany(c.dataDir(active), 2)).toBe(2); // degraded: written on the active alone
    await c.startAgent(standby);
    await waitHealthy(c);
    const lines = await audit(c, {
      title: `kill -9 of the standby (${standby})`,
      since: m,
      owners: [],
      active,
      mirror: { data, on: active },
      alerts: [`Server ${standby} has been stopped.`, /Mirror recovery of md .*completed|mirror disk connect of md is connected/],
      running: c.names,
    });
    expect(failures(lines)).toEqual([]);
  });

  /** Both agents down (by `signal`), then started one second apart, `first` first; the group must come up once. */
  async function restartBoth(signal: NodeJS.Signals, first: string, title: string, alerts: string[] = []): Promise<void> {
    const m = mark(c);
    await Promise.all(c.names.map((n) => c.kill(n, signal)));
    await c.startAgent(first);
    await sleep(1000);
    await c.startAgent(other(first));
    active = await waitOnlineAnywhere(c, c.names, 40_000);
    await waitActive(c, active);
    await waitHealthy(c);
    // After kill -9 the addresses still point at the server that had the group: when it comes up there again,
    // completing the half-started group claims nothing, so only "at most one owner" is asked of the request log.
    const owners = signal === 'SIGKILL' ? {} : { owners: [active] };
    const lines = await audit(c, { title: `${title}, started ${first} first; the group came up on ${active}`, since: m, ...owners, active, mirror: { data, on: active }, alerts });
    expect(failures(lines)).toEqual([]);
  }

  it('both servers stopped (SIGTERM), then started standby first: one active, data intact', async () => {
    await prepare();
    await restartBoth('SIGTERM', other(active), 'both stopped', ['The group failover1 has been started.']);
  });

  it('both servers killed (kill -9), then started in the other order: one active, data intact', async () => {
    await prepare();
    expect(await data.writeMany(c.dataDir(active), 2)).toBe(2);
    await restartBoth('SIGKILL', active, 'both killed');
  });

  it('AWS throttling, 5xx, a reset connection and a hung call during a failover: retried, the failover completes', async () => {
    await prepare();
    const m = mark(c);
    const from = active;
    const to = other(from);
    const instanceId = c.instanceOf(to);
    c.cloud.faults.inject({ operation: 'AssociateAddress', kind: 'error', code: 'RequestLimitExceeded', count: 2, instanceId });
    c.cloud.faults.inject({ operation: 'ChangeResourceRecordSets', kind: 'error', code: 'InternalError', status: 500, count: 2, instanceId });
    c.cloud.faults.inject({ operation: 'ReplaceRoute', kind: 'hang', count: 1, instanceId });
    c.cloud.faults.inject({ operation: 'GetChange', kind: 'reset', count: 1, instanceId });
    c.cloud.faults.inject({ operation: 'DescribeRouteTables', kind: 'latency', delayMs: 1500, count: 3, instanceId });
    try {
      await c.kill(from);
      active = to;
      await waitActive(c, active, 60_000);
    } finally {
      c.cloud.faults.clear();
    }
    const errors = c.cloud.requests({ since: m.seq, instanceId }).filter((r) => r.status >= 400 || r.status === 0);
    const lines = await audit(c, {
      title: `throttling, 500s, a reset GetChange and a hung ReplaceRoute while failing over to ${to} (${errors.length} calls failed or hung)`,
      since: m,
      owners: [active],
      active,
      mirror: { data, on: active },
      alerts: [/Activating awsvip1 resource has failed\.\(6 : Timeout occurred/, 'Resource(awsvip1) will be reactivated since activating resource(awsvip1) failed.', `The group failover1 has been failed over to ${to}.`],
    });
    expect(errors.length).toBeGreaterThanOrEqual(6);
    expect(failures(lines)).toEqual([]);
  });

  it('IAM permission revoked on the standby: its failover fails safely, and succeeds once the permission is back', async () => {
    await prepare();
    const m = mark(c);
    const from = active;
    const to = other(from);
    c.cloud.faults.denyAction('ec2:ReplaceRoute', c.instanceOf(to));
    try {
      await c.kill(from);
      // The standby cannot repoint the routes: it must not claim the VIP, and says why.
      await waitFor(`${to} to find ${from} dead and try`, async () => (await alertsOf(c, m.time)).some((a) => /Activating awsvip1 resource has failed/.test(a.message)), 30_000, 500);
      await sleep(3000);
      const g = (await statusOf(c, to))?.groups.find((x) => x.name === 'failover1');
      expect(g?.state === 'online' && g.current === to).toBe(false);
    } finally {
      console.log(c.cloud.requests({ since: m.seq, operation: 'ReplaceRoute' }).map((r) => `  ReplaceRoute by ${r.instanceId ?? '?'} → ${r.status} ${r.errorCode ?? ''}`).join('\n'));
      c.cloud.faults.clear();
    }
    const denied = await audit(c, {
      title: `ReplaceRoute denied to ${to}, then ${from} killed`,
      since: m,
      active: null,
      partialOn: to,
      cloudEndState: false,
      alerts: [/Activating awsvip1 resource has failed\.\(5 : You are not authorized to perform this operation/, 'The group failover1 failed to start.'],
    });
    const routes = await c.k.vipRouteTargets();
    expect(routes.every((r) => r === ENIS[c.names.indexOf(from)])).toBe(true); // nobody repointed the VIP
    // The operator restores the permission, stops the half-started group and starts it again.
    const m2 = mark(c);
    const client = await c.client(to);
    await client.call('group.stop', { group: 'failover1' }, 60_000);
    await client.call('group.start', { group: 'failover1', server: to }, 60_000);
    active = to;
    await waitActive(c, active, 30_000);
    const restored = await audit(c, { title: 'permission restored, group started by the operator', since: m2, active, mirror: { data, on: active } });
    expect([...failures(denied), ...failures(restored)]).toEqual([]);
  });

  it('route, EIP and record tampered with: the monitors notice and the active server repairs them', async () => {
    await prepare();
    const m = mark(c);
    const intruder = other(active);
    c.cloud.tamper.pointRoute('rtb-0a1b2c3d4e5f6002a', '10.1.0.20/32', intruder === 'server1' ? 'eni-0a1b2c3d4e5f60001' : 'eni-0a1b2c3d4e5f60002');
    c.cloud.tamper.disassociateAddress('eipalloc-0a1b2c3d4e5f60001');
    c.cloud.tamper.changeRecord('Z0KUMOHZ1LOCAL00001A', 'srv.hz1.local.', 'A', ['10.0.99.99']);
    await waitActive(c, active, 30_000);
    const lines = await audit(c, {
      title: `route, EIP and record tampered while active on ${active}`,
      since: m,
      owners: [active],
      active,
      alerts: [/Detected an error in monitoring awsvipw1\. \(8 : The routing for VIP/, /Detected an error in monitoring awseipw1/, /Detected an error in monitoring awsdnsw1/, 'Recovery target awsvip1 has restarted because an error was detected in monitoring awsvipw1.'],
      noAlerts: [/failed over/],
    });
    expect(failures(lines)).toEqual([]);
  });

  it('the active server\'s AZ impaired (warning, stays), then unavailable (fails over)', async () => {
    await prepare();
    const az = active === 'server1' ? 'ap-northeast-1a' : 'ap-northeast-1c';
    const m = mark(c);
    c.cloud.tamper.setAzState(az, 'impaired');
    await sleep(4000);
    const impaired = await audit(c, { title: `${az} impaired under ${active}`, since: m, owners: [], active, alerts: [/Warn monitoring awsazw1/], noAlerts: [/failed over|failing over/] });
    const m2 = mark(c);
    const from = active;
    c.cloud.tamper.setAzState(az, 'unavailable');
    active = other(from);
    try {
      await waitActive(c, active, 45_000);
    } finally {
      c.cloud.tamper.setAzState(az, 'available');
    }
    const unavailable = await audit(c, {
      title: `${az} unavailable under ${from}`,
      since: m2,
      owners: [active],
      active,
      mirror: { data, on: active },
      alerts: [/Detected an error in monitoring awsazw1/, 'Recovery target LocalServer failed over because an error was detected in monitoring awsazw1.'],
    });
    expect([...failures(impaired), ...failures(unavailable)]).toEqual([]);
  });

  it('an apply while one server is down is refused with nothing changed; it applies once the server is back', async () => {
    await prepare();
    const down = other(active);
    const before = (await c.client(active).then((x) => x.call('status.get', {}))).cluster.configHash;
    await c.kill(down);
    const m = mark(c);
    const refused = await c.k.apply(config('changed while server down'), active).then(
      () => null,
      (e: unknown) => (e instanceof Error ? e.message : String(e)),
    );
    expect(refused).toMatch(new RegExp(down));
    const after = (await c.client(active).then((x) => x.call('status.get', {}))).cluster.configHash;
    await c.startAgent(down);
    await waitHealthy(c);
    await c.k.apply(config('changed with every server up'), active);
    const lines = await audit(c, {
      title: `apply with ${down} down (refused: ${refused ?? 'accepted!'}), then with both up`,
      since: m,
      owners: [],
      active,
      alerts: [/Applying the configuration failed; nothing was changed/, /The configuration \(version \d+\) was applied/],
    });
    expect(after).toBe(before);
    expect(failures(lines)).toEqual([]);
  });
});
