/** Waiting for a cluster to settle, bounded, with the last state in the error. */
import type { ClusterStatus } from '@kumo/shared';
import { waitFor } from '../../harness/cluster.js';
import { clearStaleVip, cloudOwners, describeCluster, statusOf } from './audit.js';
import type { ClusterUnderTest } from './clusters.js';

export { waitFor };

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The agent's own cluster service state (GET /api/health), or null when it does not answer. */
export async function serviceOf(c: ClusterUnderTest, name: string): Promise<string | null> {
  try {
    const r = await fetch(`${c.url(name)}/api/health`, { signal: AbortSignal.timeout(3000) });
    return ((await r.json()) as { service?: string }).service ?? null;
  } catch {
    return null;
  }
}

/** The group online on `server` by its own status, and the cloud pointing every address at it. */
export async function waitActive(c: ClusterUnderTest, server: string, timeoutMs = 30_000, group = 'failover1'): Promise<ClusterStatus> {
  let last = '';
  try {
    return await waitFor(
      `${group} active on ${server}`,
      async () => {
        const s = await statusOf(c, server);
        const g = s?.groups.find((x) => x.name === group);
        const owners = cloudOwners(c);
        last = `${server} sees ${g?.state ?? '?'}@${g?.current ?? '-'}; cloud ${JSON.stringify(owners)}`;
        return s && g?.state === 'online' && g.current === server && Object.values(owners).every((o) => o === server) ? s : undefined;
      },
      timeoutMs,
      300,
    );
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; last: ${last}\n${await describeCluster(c)}`, { cause: e });
  }
}

/** Wherever the group comes online (as `via` sees it); the server's name. */
export async function waitOnlineAnywhere(c: ClusterUnderTest, via: string[], timeoutMs = 30_000, group = 'failover1'): Promise<string> {
  let last = '';
  try {
    return await waitFor(
      `${group} online somewhere`,
      async () => {
        const seen: string[] = [];
        for (const v of via) {
          const s = await statusOf(c, v);
          const g = s?.groups.find((x) => x.name === group);
          seen.push(`${v}: ${s ? `${s.servers.map((x) => `${x.name}=${x.state}`).join(',')} ${g?.state ?? '?'}@${g?.current ?? '-'} ${g?.resources.map((r) => `${r.name}=${r.state}${r.message ? `(${r.message})` : ''}`).join(',') ?? ''}` : 'no answer'}`);
          // The server's own word: another's view may still name the server it lost.
          if (g?.state === 'online' && g.current === v && g.activeOn.includes(v)) return v;
        }
        last = seen.join(' | ');
        return undefined;
      },
      timeoutMs,
      300,
    );
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; last: ${last}\n${await describeCluster(c)}`, { cause: e });
  }
}

/** Where the group runs now by the first answering agent (null: nowhere). */
export async function whereActive(c: ClusterUnderTest, group = 'failover1'): Promise<string | null> {
  for (const n of c.names) {
    const g = (await statusOf(c, n))?.groups.find((x) => x.name === group);
    if (g) return g.state === 'online' ? g.current : null;
  }
  return null;
}

/** Every running agent sees every running server online, and the mirror in sync. */
export async function waitHealthy(c: ClusterUnderTest, timeoutMs = 60_000): Promise<void> {
  let last = '';
  try {
    await waitFor(
      'the cluster to be healthy (all servers online, mirror normal)',
      async () => {
        const up = c.names.filter((n) => c.running(n));
        for (const n of up) {
          const s = await statusOf(c, n);
          if (!s) return false;
          const states = s.servers.map((x) => `${x.name}=${x.state}`).join(',');
          const mirror = s.mirrors.map((m) => m.status).join(',');
          last = `${n}: ${states} mirror ${mirror}`;
          if (!up.every((u) => s.servers.find((x) => x.name === u)?.state === 'online')) return false;
          if (up.length === c.names.length && s.mirrors.some((m) => m.status !== 'normal')) return false;
        }
        return true;
      },
      timeoutMs,
      500,
    );
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; last: ${last}\n${await describeCluster(c)}`, { cause: e });
  }
}

/**
 * Brings a cluster back to a clean start for the next scenario, as an operator would, and says where the group
 * runs: no fault left, every instance running and every agent up, isolated or stopped services started, the
 * cluster healthy, the group online somewhere (stopped and started if a scenario left it failed), no stale VIP.
 */
export async function prepareCluster(c: ClusterUnderTest, opts: { heal?: () => Promise<void>; staleVips?: string[] } = {}): Promise<string> {
  c.cloud.faults.clear();
  await opts.heal?.();
  const dump = c.cloud.state() as { instances: { id: string; state: string }[] };
  for (const n of c.names) if (dump.instances.find((i) => i.id === c.instanceOf(n))?.state === 'stopped') c.cloud.tamper.startInstance(c.instanceOf(n));
  // Agents up and services started, again and again until all is well: an isolation may complete late (a
  // server that could not reach AWS keeps trying to stop, and stands down only once the network is back).
  let last = '';
  await waitFor(
    'every agent up, its cluster service running, the mirror in sync',
    async () => {
      let ok = true;
      for (const n of c.names) {
        if (!c.running(n)) {
          await c.startAgent(n).catch(() => undefined);
          ok = false;
          continue;
        }
        const s = await statusOf(c, n);
        const me = s?.servers.find((x) => x.name === n);
        last = `${n}: ${s?.servers.map((x) => `${x.name}=${x.state}`).join(',') ?? 'no answer'} mirror ${s?.mirrors.map((m) => m.status).join(',') ?? '?'}`;
        if (me?.state === 'isolated' || me?.state === 'stopped') {
          await c.client(n).then((x) => x.call('cluster.start', { servers: [n] }, 30_000)).catch(() => undefined);
          ok = false;
        } else if (!s || s.servers.some((x) => x.state !== 'online') || s.mirrors.some((m) => m.status !== 'normal')) ok = false;
        // The status says "online" for a service still starting (probing, waiting for the others): ask the agent.
        else if ((await serviceOf(c, n)) !== 'running') ok = false;
      }
      return ok;
    },
    150_000,
    1000,
  ).catch(async (e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; last: ${last}\n${await describeCluster(c)}`, { cause: e });
  });
  let where = await whereActive(c);
  const restart = async () => {
    // Left failed or half-moved by the previous scenario: stop the group and start it again, as an operator would.
    // A stop refused because the group is still busy (a release the master ordered, say) is asked again once
    // that finishes; any other refusal (already stopped) ends the stop.
    const client = await c.client(c.names[0]!);
    await waitFor(
      'failover1 to accept the stop',
      () => client.call('group.stop', { group: 'failover1' }, 60_000).then(
        () => true,
        (e: unknown) => (e as { code?: unknown }).code !== 'KUMO_E_GROUP_BUSY',
      ),
      60_000,
      500,
    );
    await client.call('group.start', { group: 'failover1' }, 60_000).catch(() => undefined);
    return waitOnlineAnywhere(c, c.names);
  };
  if (!where) where = await restart();
  try {
    await waitActive(c, where);
  } catch {
    where = await restart();
    await waitActive(c, where);
  }
  opts.staleVips?.push(...clearStaleVip(c, where));
  return where;
}
