/**
 * Failover and manual move on the guide's VIP, EIP and DNS clusters (chapters 5–7), as the e2e harness builds
 * them: the AWS emulator, two real agents on loopback with the chapter's config (its mirror disk included), the
 * guide's kind of NP target (HTTP, answered by the witness host), and a 1 s / 3 s heartbeat.
 *
 * A failover run waits for a steady cluster (both servers online, failover1 on server1, the mirror GREEN on
 * both sides), waits a random part of a heartbeat interval, `kill -9`s server1's agent and times
 *   - the moment the emulator shows the switch (VIP: every route table's /32 at server2's ENI; EIP: associated
 *     with server2's ENI; DNS: the record INSYNC, i.e. served by the emulator's DNS, with server2's IP, and
 *     answered so over UDP), and
 *   - the moment server2's own status says failover1 is online there.
 * server2's alert log and the emulator's request log then split the time into detection, NP resolution, AWS
 * calls and confirmation. server1 is restarted and failover1 moved back before the next run.
 *
 * A move run sends `group.move` to the master's agent and times the answer and the emulator's switch.
 */
import type { AlertEntry, ClusterStatus } from '@kumo/shared';
import { KumoCluster } from '../harness/cluster.js';
import type { GuideChapter } from '../harness/cluster.js';
import { Clients } from './clients.js';
import { CloudView, pollUntil } from './cloud-view.js';
import { figure, median, sleep } from './figures.js';
import type { Figure, Target } from './figures.js';

const GROUP = 'failover1';
const WRITES = new Set(['ReplaceRoute', 'AssociateAddress', 'DisassociateAddress', 'ChangeResourceRecordSets', 'CreateRoute']);
const AWS_RESOURCE: Record<GuideChapter, string> = { vip: 'awsvip1', eip: 'awseip1', dns: 'awsdns1' };

export interface ChapterOptions<X = never> {
  chapter: GuideChapter;
  subnet: string;
  failoverRuns: number;
  moveRuns: number;
  heartbeat: { intervalS: number; timeoutS: number };
  /** The emulator's Route 53 PENDING → INSYNC delay. */
  changeSyncDelayMs: number;
  log: (line: string) => void;
  /** Registers a clean-up to run if the benchmark is interrupted; returns its unregister. */
  onCleanup: (fn: () => Promise<void>) => () => void;
  /** Runs more measurements on the steady cluster (failover1 on server1) before it is stopped. */
  extra?: (ctx: ChapterContext) => Promise<X>;
}

export interface ChapterContext {
  cluster: KumoCluster;
  clients: Clients;
  view: CloudView;
  waitSteady: (on: string) => Promise<void>;
}

/** One failover run; times in ms after the kill. */
export interface FailoverRun {
  run: number;
  /** The random wait before the kill (a random phase within the heartbeat interval). */
  offsetMs: number;
  switchMs: number | null;
  onlineMs: number | null;
  resolvableMs?: number | null;
  phases: Partial<Record<Phase, number>>;
  /** server2's alerts and AWS calls, in order. */
  timeline: { ms: number; what: string }[];
  witnessHolds: number;
  error?: string;
}

type Phase = 'detection' | 'npResolution' | 'awsBeforeWrite' | 'awsWrites' | 'awsConfirm' | 'otherResources' | 'statusVisible';

const PHASE_TEXT: Record<Phase, string> = {
  detection: 'kill → server2 declares server1 down (heartbeat timeout)',
  npResolution: 'down → failover decided (witness/NP check)',
  awsBeforeWrite: 'group starting → first AWS write (reads: VPC, ENI, route tables / current record)',
  awsWrites: 'first → last AWS write',
  awsConfirm: 'last AWS write → AWS resource activated (confirmation reads; DNS: INSYNC wait)',
  otherResources: 'AWS resource activated → group online (the mirror disk)',
  statusVisible: 'group online in the executor → seen in status.get',
};

export interface MoveRun {
  run: number;
  from: string;
  to: string;
  answerMs: number | null;
  switchMs: number | null;
  resolvableMs?: number | null;
  /** The agents' AWS calls during the move, ms after the request. */
  calls: { ms: number; what: string }[];
  error?: string;
}

export interface ChapterResult<X = never> {
  figures: Figure[];
  /** What `extra` returned, or null when it did not run or failed. */
  extra: X | null;
  details: {
    failover: FailoverRun[];
    failoverPhasesMedianMs: Partial<Record<Phase, number | null>>;
    phaseMeaning: Record<Phase, string>;
    moves: MoveRun[];
    /** The move back to server1 after each failover run (right after server1 rejoined). */
    movesBack: MoveRun[];
    /** Why the cluster was replaced by a fresh one, each time it was. */
    resets: string[];
  };
  errors: string[];
}

function failoverTarget(hb: { timeoutS: number }): Target {
  return { op: '<=', value: hb.timeoutS * 1000 + 1000, source: `heartbeat timeout ${hb.timeoutS} s + 1 s` };
}
const MOVE_TARGET: Target = { op: '<=', value: 1000, source: 'issue 11' };

/**
 * The chapter's cluster, replaceable: a run that leaves it broken (a server isolated, a group stuck) costs a
 * fresh cluster, not the rest of the benchmark.
 */
class ChapterCluster {
  cluster!: KumoCluster;
  clients!: Clients;
  view!: CloudView;
  resets: string[] = [];
  private unregister: (() => void) | undefined;

  constructor(private readonly opts: ChapterOptions<unknown>) {}

  /** A new cluster, steady on server1; a second one when the first comes up broken (see `resets`). */
  async start(): Promise<void> {
    try {
      await this.startOnce();
    } catch (e) {
      // A cold start on a busy machine can go wrong (the message says how); one more try.
      this.resets.push(`a fresh cluster did not become steady: ${e instanceof Error ? e.message : String(e)}`);
      this.opts.log(`${this.opts.chapter}: the new cluster did not become steady; another one`);
      await this.stop();
      await this.startOnce();
    }
  }

  private async startOnce(): Promise<void> {
    const { chapter, subnet, heartbeat, changeSyncDelayMs } = this.opts;
    this.opts.log(`${chapter}: starting the guide's ${chapter.toUpperCase()} cluster on ${subnet}.0/24`);
    // The guide's kind of NP target (an HTTP HEAD, here answered by the witness host): a Kumo witness adds its
    // second look to every failover (see README, "Deploying agents on EC2", step 7).
    const cluster = await KumoCluster.start({ subnet, config: chapter, heartbeat, changeSyncDelayMs, npKind: 'http' });
    this.cluster = cluster;
    this.unregister = this.opts.onCleanup(() => cluster.stop());
    this.clients = new Clients(cluster);
    this.view = new CloudView(cluster, chapter, cluster.chapter(chapter));
    await this.steady('server1', STEADY_FIRST_MS);
  }

  async stop(): Promise<void> {
    if (!this.unregister) return;
    this.view.cancel();
    await this.cluster.stop();
    this.unregister();
    this.unregister = undefined;
  }

  /** A fresh cluster, steady on server1; throws when even that cannot be had. */
  async reset(why: string): Promise<void> {
    this.resets.push(why);
    this.opts.log(`${this.opts.chapter}: a fresh cluster (${why})`);
    await this.stop();
    await this.start();
  }

  steady(on: string, timeoutMs = STEADY_MS): Promise<void> {
    return steady(this.cluster, this.clients, this.view, on, timeoutMs);
  }

  /** Steady on `on`, or a fresh cluster (steady on server1) when it does not get there in time. */
  async steadyOrReset(on: string, what: string): Promise<void> {
    try {
      await this.steady(on);
    } catch (e) {
      await this.reset(`${what}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  context(): ChapterContext {
    return { cluster: this.cluster, clients: this.clients, view: this.view, waitSteady: (on) => this.steady(on) };
  }
}

/** A cluster not steady after this long is replaced. The first start gets longer: a cold start on a busy machine. */
const STEADY_MS = 60_000;
const STEADY_FIRST_MS = 180_000;

export async function benchChapter<X = never>(opts: ChapterOptions<X>): Promise<ChapterResult<X>> {
  const { chapter, log } = opts;
  const errors: string[] = [];
  const failover: FailoverRun[] = [];
  const moves: MoveRun[] = [];
  const movesBack: MoveRun[] = [];
  let extra: X | null = null;
  const cc = new ChapterCluster(opts);
  try {
    await cc.start();
    for (let i = 1; i <= opts.failoverRuns; i += 1) {
      await cc.steadyOrReset('server1', `not steady before failover ${i}`);
      const r = await failoverRun(cc.cluster, cc.clients, cc.view, i, opts).catch((e: unknown): FailoverRun => {
        const error = e instanceof Error ? e.message : String(e);
        return { run: i, offsetMs: 0, switchMs: null, onlineMs: null, phases: {}, timeline: [], witnessHolds: 0, error };
      });
      failover.push(r);
      log(`${chapter}: failover ${i}/${opts.failoverRuns}: switch ${r.switchMs ?? '–'} ms, online ${r.onlineMs ?? '–'} ms${r.resolvableMs !== undefined ? `, resolvable ${r.resolvableMs ?? '–'} ms` : ''}${r.error ? ` (${r.error})` : ''}`);
      if (r.error) {
        if (i < opts.failoverRuns) await cc.reset(`failover ${i} did not complete`);
        continue;
      }
      // Back to the starting point: server1 rejoins, failover1 moves back to it.
      cc.clients.drop('server1');
      await cc.cluster.startAgent('server1');
      try {
        await cc.steady('server2');
        const back = await moveRun(cc.clients, cc.view, 'server1', i, 'server1');
        movesBack.push(back);
        if (back.error) throw new Error(back.error);
      } catch (e) {
        if (i < opts.failoverRuns) await cc.reset(`server1 did not rejoin and take failover1 back after failover ${i}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    for (let i = 1; i <= opts.moveRuns; i += 1) {
      const to = i % 2 === 1 ? 'server2' : 'server1';
      const from = to === 'server2' ? 'server1' : 'server2';
      await cc.steadyOrReset(from, `not steady before move ${i}`);
      // After a reset the group is on server1: move it over first when this run starts from server2.
      if (!(await onServer(cc.clients, from))) await moveRun(cc.clients, cc.view, from, 0, 'server1');
      await cc.steady(from);
      await sleep(300 + Math.random() * 700);
      const r = await moveRun(cc.clients, cc.view, to, i, 'server1');
      moves.push(r);
      log(`${chapter}: move ${i}/${opts.moveRuns} to ${to}: answer ${r.answerMs ?? '–'} ms, switch ${r.switchMs ?? '–'} ms${r.error ? ` (${r.error})` : ''}`);
      if (r.error) errors.push(`${chapter}: move ${i}: ${r.error}`);
    }
    if (opts.extra) {
      await cc.steadyOrReset('server1', 'not steady before the extra measurements');
      if (!(await onServer(cc.clients, 'server1'))) await moveRun(cc.clients, cc.view, 'server1', 0, 'server1');
      await cc.steady('server1');
      extra = await opts.extra(cc.context());
    }
  } catch (e) {
    errors.push(`${chapter}: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await cc.stop();
  }
  for (const r of failover) if (r.error) errors.push(`${chapter}: failover ${r.run}: ${r.error}`);
  return {
    figures: chapterFigures(opts, failover, moves),
    extra,
    details: { failover, failoverPhasesMedianMs: phaseMedians(failover), phaseMeaning: PHASE_TEXT, moves, movesBack, resets: cc.resets },
    errors,
  };
}

function chapterFigures(opts: ChapterOptions<unknown>, failover: FailoverRun[], moves: MoveRun[]): Figure[] {
  const { chapter } = opts;
  const C = chapter.toUpperCase();
  const nums = (xs: (number | null | undefined)[]) => xs.filter((x): x is number => typeof x === 'number');
  const target = failoverTarget(opts.heartbeat);
  const hb = `${opts.heartbeat.intervalS} s / ${opts.heartbeat.timeoutS} s heartbeat`;
  const failed = failover.filter((r) => r.error !== undefined);
  const failures = failed.length;
  const causes = [...new Set(failed.map((r) => r.error ?? ''))];
  const failNote = failures > 0 ? [`${failures} of ${failover.length} kills brought no failover: ${causes.join('; ')}`] : [];
  const out: Figure[] = [];
  if (failover.length > 0) {
    const ok = failover.filter((r) => r.error === undefined);
    const switchWhat = { vip: 'all 3 route tables at server2', eip: 'EIP associated with server2', dns: 'record INSYNC with server2’s IP' }[chapter];
    out.push(figure(`failover.${chapter}.switch`, `${C} failover: kill -9 → emulator switched (${switchWhat}), ${hb}`, 'ms', nums(ok.map((r) => r.switchMs)), { target, failures, notes: failNote }));
    out.push(figure(`failover.${chapter}.online`, `${C} failover: kill -9 → server2's status says failover1 online, ${hb}`, 'ms', nums(ok.map((r) => r.onlineMs)), { target, failures, notes: failNote }));
    if (chapter === 'dns') {
      out.push(figure('failover.dns.resolvable', `DNS failover: kill -9 → the emulator's DNS answers server2's IP, ${hb}`, 'ms', nums(ok.map((r) => r.resolvableMs)), { target, failures, notes: [...failNote, `emulated Route 53 INSYNC delay ${opts.changeSyncDelayMs} ms`] }));
    }
    out.push(figure(`failover.${chapter}.detection`, `${C} failover: of which detection (kill → server1 declared down)`, 'ms', nums(failover.map((r) => r.phases.detection))));
  }
  if (moves.length > 0) {
    const notes: string[] = [];
    if (chapter === 'dns') {
      // Where a DNS move waits: the new server's UPSERT comes only after the old server's DELETE is INSYNC.
      const upsert = median(nums(moves.map((r) => r.calls.find((c) => c.what === `${r.to} ChangeResourceRecordSets`)?.ms)));
      const polls = median(moves.map((r) => r.calls.filter((c) => c.what.endsWith(' GetChange')).length));
      notes.push(
        `emulated Route 53 INSYNC delay ${opts.changeSyncDelayMs} ms`,
        `the new server's UPSERT starts ${upsert ?? '?'} ms after the request (median): the old server deletes the record and waits for that change to be INSYNC first; ${polls ?? '?'} GetChange polls per move`,
      );
    }
    out.push(figure(`move.${chapter}.answer`, `${C} manual move: group.move request → answer`, 'ms', nums(moves.map((r) => r.answerMs)), { target: MOVE_TARGET, notes }));
    out.push(figure(`move.${chapter}.switch`, `${C} manual move: group.move request → emulator switched`, 'ms', nums(moves.map((r) => r.switchMs)), { target: MOVE_TARGET, notes }));
  }
  return out;
}

function phaseMedians(runs: FailoverRun[]): Partial<Record<Phase, number | null>> {
  const out: Partial<Record<Phase, number | null>> = {};
  for (const p of Object.keys(PHASE_TEXT) as Phase[]) {
    out[p] = median(runs.map((r) => r.phases[p]).filter((x): x is number => typeof x === 'number'));
  }
  return out;
}

async function onServer(clients: Clients, server: string): Promise<boolean> {
  const s = await clients.status(server);
  const g = s.groups.find((x) => x.name === GROUP);
  return g?.state === 'online' && g.current === server;
}

/** Why a server's view is not steady yet, or null when it is. */
function unsteady(s: ClusterStatus, on: string): string | null {
  const g = s.groups.find((x) => x.name === GROUP);
  const down = s.servers.filter((x) => x.state !== 'online').map((x) => `${x.name} ${x.state}`);
  if (down.length > 0) return down.join(', ');
  if (s.cluster.state !== 'running' || s.cluster.master === null) return `cluster ${s.cluster.state}, master ${s.cluster.master ?? 'none'}`;
  if (g?.state !== 'online' || g.current !== on || g.activeOn.length !== 1) return `${GROUP} ${g?.state ?? 'missing'} on ${g?.current ?? '–'} (active on ${g?.activeOn.join(',') ?? '–'})`;
  const mirror = s.mirrors.find((m) => m.recovery !== null || Object.values(m.perServer).some((p) => p.color !== 'GREEN'));
  if (mirror) return `mirror ${mirror.name} ${mirror.status}: ${Object.entries(mirror.perServer).map(([n, p]) => `${n} ${p.color}`).join(', ')}`;
  return null;
}

/** Group states that do not mend by themselves: waiting longer than this for them is pointless. */
const STUCK = new Set(['online-failure', 'offline-failure', 'error']);
const STUCK_MS = 20_000;

/**
 * Both agents agree: both online, failover1 online on `on` only, the mirror GREEN everywhere; the emulator agrees.
 * Gives up early when failover1 stays in a failure state (it needs an operator), with the cluster's recent alerts.
 */
async function steady(cluster: KumoCluster, clients: Clients, view: CloudView, on: string, timeoutMs: number): Promise<void> {
  let why = '';
  let stuckSince: number | undefined;
  const start = Date.now();
  for (;;) {
    try {
      let ok = true;
      let stuck = false;
      for (const n of cluster.names) {
        why = `${n}'s status: no answer`;
        const s = await clients.status(n);
        const reason = unsteady(s, on);
        why = `${n}'s status: ${reason ?? 'steady'}`;
        stuck ||= STUCK.has(s.groups.find((g) => g.name === GROUP)?.state ?? '');
        if (reason) {
          ok = false;
          break;
        }
      }
      if (ok) {
        why = `the emulator does not show ${on}`;
        if (view.switchedTo(on) && (view.chapter !== 'dns' || (await view.resolvesTo(on)))) return;
      }
      stuckSince = stuck ? (stuckSince ?? Date.now()) : undefined;
    } catch (e) {
      why = `${why} (${e instanceof Error ? e.message : String(e)})`;
    }
    const stuckFor = stuckSince === undefined ? 0 : Date.now() - stuckSince;
    if (Date.now() - start > timeoutMs || stuckFor > STUCK_MS) {
      const what = stuckFor > STUCK_MS ? `${GROUP} stuck in a failure state for ${Math.round(stuckFor / 1000)} s` : `timed out after ${Math.round(timeoutMs / 1000)} s`;
      throw new Error(`no steady cluster with ${GROUP} on ${on}: ${what}; last: ${why}; ${await recentAlerts(cluster, clients)}`);
    }
    await sleep(200);
  }
}

/** The last alerts of the cluster, from the first agent that answers: what a stuck cluster says about itself. */
async function recentAlerts(cluster: KumoCluster, clients: Clients): Promise<string> {
  for (const n of cluster.names) {
    try {
      const { entries } = await (await clients.get(n)).call('alerts.query', { limit: 12 }, 5000);
      return `recent alerts (${n}): ${entries.map((a) => `${a.server} ${a.key}: ${a.message}`).join(' | ')}`;
    } catch {
      clients.drop(n);
    }
  }
  return 'no agent answered for its alerts';
}

async function failoverRun(cluster: KumoCluster, clients: Clients, view: CloudView, run: number, opts: ChapterOptions<unknown>): Promise<FailoverRun> {
  const survivor = 'server2';
  const sub = await clients.get(survivor);
  const alerts: AlertEntry[] = [];
  /** server2 gave up: it found itself isolated and stopped its cluster service. No failover will come. */
  let stoodDown = false;
  const stopAlerts = sub.onEvent((e) => {
    if (e.event !== 'alert' || e.data.server !== survivor) return;
    alerts.push(e.data);
    if (e.data.key === 'isolationAction') stoodDown = true;
  });
  const insync: number[] = [];
  const stopCloud = cluster.cloud.onEvent((e) => {
    if (e.type === 'change-insync') insync.push(Date.parse(e.time));
  });
  try {
    // Kill at a random point of the heartbeat interval, so that runs do not all fall at the same phase.
    const offsetMs = Math.round(Math.random() * opts.heartbeat.intervalS * 1000);
    await sleep(offsetMs);
    const seq = cluster.cloud.requests().at(-1)?.seq ?? 0;
    const deadline = opts.heartbeat.timeoutS * 1000 + 30_000;
    const gaveUp = () => stoodDown;
    const killAt = Date.now();
    const killed = cluster.kill('server1');
    const [switchAt, onlineAt, resolvableAt] = await Promise.all([
      view.waitSwitched(survivor, deadline, gaveUp),
      pollUntil(async () => onServer(clients, survivor).catch(() => false), deadline, 20, gaveUp),
      view.chapter === 'dns' ? view.waitResolvable(survivor, deadline, gaveUp) : Promise.resolve(undefined),
      killed,
    ]);
    clients.drop('server1');
    await sleep(300); // the last alerts and requests of the takeover
    const since = (t: number | null | undefined) => (typeof t === 'number' ? t - killAt : t);
    const instance = cluster.instanceOf(survivor);
    const calls = cluster.cloud
      .requests({ since: seq, instanceId: instance })
      .filter((r) => r.service !== 'imds' && r.operation !== 'DescribeAvailabilityZones')
      .map((r) => ({ at: Date.parse(r.time), op: r.operation, status: r.status }));
    const at = (key: string, arg?: string) => alerts.find((a) => a.time >= killAt && a.key === key && (arg === undefined || a.args[0] === arg))?.time;
    const awsRes = AWS_RESOURCE[view.chapter];
    const detected = at('serverStopped', 'server1');
    const decided = at('groupFailingOver', GROUP);
    const starting = at('groupStarting', GROUP);
    const awsDone = at('resourceActivated', awsRes);
    const groupDone = at('groupFailedOver', GROUP);
    const activation = calls.filter((c) => starting !== undefined && c.at >= starting && c.at <= (awsDone ?? Number.POSITIVE_INFINITY));
    const writes = activation.filter((c) => WRITES.has(c.op));
    const firstWrite = writes[0]?.at;
    const lastWrite = writes.at(-1)?.at;
    const diff = (a: number | undefined, b: number | undefined) => (a !== undefined && b !== undefined ? a - b : undefined);
    const phases: FailoverRun['phases'] = {};
    const set = (p: Phase, v: number | undefined) => {
      if (v !== undefined) phases[p] = v;
    };
    set('detection', diff(detected, killAt));
    set('npResolution', diff(decided, detected));
    set('awsBeforeWrite', diff(firstWrite, starting));
    set('awsWrites', diff(lastWrite, firstWrite));
    set('awsConfirm', diff(awsDone, lastWrite));
    set('otherResources', diff(groupDone, awsDone));
    set('statusVisible', diff(onlineAt ?? undefined, groupDone));
    const timeline = [
      ...alerts.filter((a) => a.time >= killAt).map((a) => ({ ms: a.time - killAt, what: `alert ${a.key}: ${a.message}` })),
      ...calls.map((c) => ({ ms: c.at - killAt, what: `AWS ${c.op} (HTTP ${c.status})` })),
      ...insync.filter((t) => t >= killAt).map((t) => ({ ms: t - killAt, what: 'emulator: Route 53 change INSYNC' })),
      ...(switchAt !== null ? [{ ms: switchAt - killAt, what: 'emulator shows the switch' }] : []),
      ...(onlineAt !== null ? [{ ms: onlineAt - killAt, what: 'server2 status.get: failover1 online on server2' }] : []),
    ].sort((a, b) => a.ms - b.ms);
    const result: FailoverRun = {
      run,
      offsetMs,
      switchMs: since(switchAt) ?? null,
      onlineMs: since(onlineAt) ?? null,
      ...(view.chapter === 'dns' ? { resolvableMs: since(resolvableAt) ?? null } : {}),
      phases,
      timeline,
      witnessHolds: alerts.filter((a) => a.time >= killAt && a.key === 'witnessPeerAlive').length,
    };
    if (stoodDown) {
      const why = alerts.find((a) => a.key === 'witnessPeerAlive' || a.key === 'npNotReachable' || a.key === 'isolationAction');
      result.error = `no failover: server2 stood down (${why ? `${why.message}` : 'isolated'})`;
    } else if (switchAt === null || onlineAt === null) {
      result.error = `no ${switchAt === null ? 'switch in the emulator' : 'online status on server2'} within ${Math.round(deadline / 1000)} s`;
    }
    return result;
  } finally {
    stopAlerts();
    stopCloud();
  }
}

async function moveRun(clients: Clients, view: CloudView, to: string, run: number, via: string): Promise<MoveRun> {
  const from = to === 'server1' ? 'server2' : 'server1';
  const c = await clients.get(via);
  const mark = view.mark();
  const t0 = Date.now();
  let error: string | undefined;
  const answer = c.call('group.move', { group: GROUP, server: to }, 60_000).then(
    () => Date.now(),
    (e: unknown) => {
      error = e instanceof Error ? e.message : String(e);
      return null;
    },
  );
  const [answerAt, switchAt, resolvableAt] = await Promise.all([
    answer,
    view.waitSwitched(to, 30_000),
    view.chapter === 'dns' ? view.waitResolvable(to, 30_000) : Promise.resolve(undefined),
  ]);
  const ms = (t: number | null | undefined) => (typeof t === 'number' ? t - t0 : null);
  return {
    run,
    from,
    to,
    answerMs: ms(answerAt),
    switchMs: ms(switchAt),
    ...(view.chapter === 'dns' ? { resolvableMs: ms(resolvableAt) } : {}),
    calls: view.callsSince(mark, t0),
    ...(error ? { error } : switchAt === null ? { error: 'the emulator did not switch within 30 s' } : {}),
  };
}
