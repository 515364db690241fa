/**
 * Status push latency to the WebUI: from a change inside an agent to the `status` event that shows it arriving
 * at a subscribed WebSocket client, on the steady VIP cluster. The moment of the change is the agent's own
 * alert timestamp for it (a monitor suspended or resumed on that server; a group moved onto that server), so
 * the figure is change → screen, without the request's trip. "Local" is a client of the agent that changed;
 * "peer" is a client of the other agent, which learns it from the changed agent's report over the peer link.
 * Also timed: `monitor.suspend` request → the event at a client of the same agent showing it on every server.
 */
import type { AlertEntry, ClusterStatus } from '@kumo/shared';
import type { AgentClient } from '@kumo/agent/client';
import type { ChapterContext } from './chapter.js';
import { figure, median, sleep } from './figures.js';
import type { Figure, Target } from './figures.js';

const MONITOR = 'awsazw1';
const GROUP = 'failover1';
const TARGET: Target = { op: '<=', value: 200, source: 'issue 11' };

interface Received {
  at: number;
  status: ClusterStatus;
}

interface Sample {
  change: string;
  /** The server where the change happened. */
  on: string;
  /** The server whose client received the event. */
  seenAt: string;
  ms: number | null;
}

export interface PushResult {
  figures: Figure[];
  details: { samples: Sample[]; requestToEventMs: (number | null)[] };
  errors: string[];
}

class Subscriber {
  readonly events: Received[] = [];
  readonly alerts: AlertEntry[] = [];
  private readonly stop: () => void;

  constructor(
    readonly server: string,
    client: AgentClient,
  ) {
    this.stop = client.onEvent((e) => {
      const at = Date.now();
      if (e.event === 'status') this.events.push({ at, status: e.data });
      else if (e.event === 'alert') this.alerts.push(e.data);
    });
  }

  /** The arrival of the first status event at or after `from` for which `test` holds. */
  async first(from: number, test: (s: ClusterStatus) => boolean, timeoutMs: number): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events.find((e) => e.at >= from && test(e.status));
      if (hit) return hit.at;
      if (Date.now() > deadline) return null;
      await sleep(5);
    }
  }

  close(): void {
    this.stop();
  }
}

const monitorState = (s: ClusterStatus, server: string) => s.monitors.find((m) => m.name === MONITOR)?.perServer[server]?.state;

export async function benchStatusPush(ctx: ChapterContext, runs: number, log: (line: string) => void): Promise<PushResult> {
  const { cluster } = ctx;
  const servers = cluster.names;
  // Dedicated connections, as two open WebUIs: one on each agent.
  const subs = await Promise.all(servers.map(async (n) => new Subscriber(n, await cluster.client(n))));
  const ctl = await ctx.clients.get('server1');
  const samples: Sample[] = [];
  const requestToEventMs: (number | null)[] = [];
  const errors: string[] = [];
  const changeTime = (from: number, server: string, key: string, arg: string) => {
    for (const s of subs) {
      const a = s.alerts.find((x) => x.time >= from - 5 && x.server === server && x.key === key && x.args[0] === arg);
      if (a) return a.time;
    }
    return undefined;
  };
  const measure = async (change: string, from: number, key: string, arg: string, on: string[], test: (s: ClusterStatus, server: string) => boolean) => {
    for (const server of on) {
      for (const sub of subs) {
        const seen = await sub.first(from, (s) => test(s, server), 10_000);
        await sleep(50); // the alert may arrive just after the status
        const t = changeTime(from, server, key, arg);
        samples.push({ change, on: server, seenAt: sub.server, ms: seen !== null && t !== undefined ? seen - t : null });
      }
    }
  };
  try {
    for (let i = 1; i <= runs; i += 1) {
      await sleep(200 + Math.random() * 800); // a random phase of the agents' 1 s status refresh
      let t0 = Date.now();
      await ctl.call('monitor.suspend', { monitor: MONITOR });
      const sub1 = subs.find((s) => s.server === 'server1')!;
      const all = await sub1.first(t0, (s) => servers.every((n) => monitorState(s, n) === 'suspended'), 10_000);
      requestToEventMs.push(all === null ? null : all - t0);
      await measure('monitor suspend', t0, 'monitorSuspended', MONITOR, servers, (s, n) => monitorState(s, n) === 'suspended');

      await sleep(200 + Math.random() * 800);
      t0 = Date.now();
      await ctl.call('monitor.resume', { monitor: MONITOR });
      await measure('monitor resume', t0, 'monitorResumed', MONITOR, servers, (s, n) => monitorState(s, n) !== 'suspended');

      for (const to of ['server2', 'server1']) {
        await ctx.waitSteady(to === 'server2' ? 'server1' : 'server2');
        await sleep(200 + Math.random() * 800);
        t0 = Date.now();
        await ctl.call('group.move', { group: GROUP, server: to }, 60_000);
        await measure('group move', t0, 'groupMoved', GROUP, [to], (s) => {
          const g = s.groups.find((x) => x.name === GROUP);
          return g?.state === 'online' && g.current === to;
        });
      }
      const last = samples.slice(-8);
      log(`push ${i}/${runs}: ${last.map((s) => `${s.change} on ${s.on} seen at ${s.seenAt}: ${s.ms ?? '–'} ms`).join('; ')}`);
    }
  } catch (e) {
    errors.push(`status push: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    for (const s of subs) s.close();
  }
  const ms = (xs: Sample[]) => xs.map((s) => s.ms).filter((x): x is number => x !== null);
  const missing = samples.filter((s) => s.ms === null).length;
  const notes = missing > 0 ? [`${missing} of ${samples.length} changes were not seen within 10 s, or had no alert to time them by`] : [];
  const kinds: { id: string; change: string; what: string }[] = [
    { id: 'monitor', change: 'monitor', what: 'a monitor suspended or resumed' },
    { id: 'move', change: 'group move', what: 'a group moved onto it' },
  ];
  const figures = kinds.flatMap((k) => {
    const of = samples.filter((s) => s.change.startsWith(k.change));
    const local = of.filter((s) => s.on === s.seenAt);
    const byServer = servers.map((n) => `${n}'s own: median ${median(ms(local.filter((s) => s.on === n))) ?? '–'} ms, max ${Math.max(...ms(local.filter((s) => s.on === n)), 0)} ms`);
    return [
      figure(`push.${k.id}.local`, `Status push: ${k.what} → status event at a client of the same agent`, 'ms', ms(local), { target: TARGET, notes: [...notes, byServer.join('; ')] }),
      figure(`push.${k.id}.peer`, `Status push: ${k.what} → status event at a client of the other agent`, 'ms', ms(of.filter((s) => s.on !== s.seenAt)), { target: TARGET, notes }),
    ];
  });
  figures.push(figure('push.request', 'monitor.suspend request → status event showing it on both servers (client of the same agent)', 'ms', requestToEventMs.filter((x): x is number => x !== null)));
  return { figures, details: { samples, requestToEventMs }, errors };
}
