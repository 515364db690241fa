/**
 * Apply time at CLUSTERPRO's limit: 32 real agents on loopback (simulated hosts, no cloud), a config of 32
 * servers, 64 groups and 256 EXEC resources, applied from server1 with the two-phase commit to every server.
 * The same agents first form a 4-server cluster without groups, a control for the two-phase commit's own cost.
 * At each step the apply that first configures the servers is reported on its own; the timed runs then change
 * the cluster's comment, so that each is a full prepare + commit on every server of the running cluster.
 *
 * On a small machine the 32 agents compete for the same cores, so the section also records what they cost:
 * the agents' CPU (sum, in % of one core) while the cluster runs, the load average, and which alerts the
 * cluster raised (server1's alert log by key) — the evidence for why an apply takes what it takes here.
 */
import os from 'node:os';
import type { ClusterConfigInput } from '@kumo/shared';
import type { AgentClient } from '@kumo/agent/client';
import { AgentProcesses } from '@kumo/agent/testing';
import { figure, sleep } from './figures.js';
import type { Figure, Target } from './figures.js';
import { cpuSeconds, memoryKiB } from './proc.js';

const TARGET: Target = { op: '<=', value: 2000, source: 'issue 11' };
const SERVERS = 32;
const GROUPS = 64;
const RESOURCES_PER_GROUP = 4;
const CALL_TIMEOUT_MS = 120_000;
/** A size's timed runs stop this long after its first apply (a saturated machine must not eat the whole bench). */
const BUDGET_MS = 2 * 60_000;

export interface ApplyOptions {
  subnet: string;
  runs: number;
  log: (line: string) => void;
  onCleanup: (fn: () => Promise<void>) => () => void;
}

interface Attempt {
  ms: number;
  ok: boolean;
  requires?: string;
  error?: string;
}

export interface ApplyResult {
  figures: Figure[];
  details: {
    configBytes: number;
    heartbeat: string;
    agentStartS: number;
    /** One step per cluster size: its first apply (the servers it adds get their first config) and the timed runs. */
    steps: Step[];
    loadAverage: number[];
    totalRssMiB: number | null;
    /** server1's alert log by key at the end: what the cluster said about itself while it ran. */
    alertsByKey: Record<string, number>;
  };
  errors: string[];
}

interface Step {
  servers: number;
  groups: number;
  resources: number;
  firstApply: Attempt[];
  runs: Attempt[];
  /** Sum over the agents of the cluster, % of one core, while it ran (over the timed runs). */
  agentsCpuPercent: number | null;
  /** First apply's answer → server1's status shows every server and every group online (null: not within the wait). */
  formedMs?: number | null;
}

export function bigConfig(subnet: string, comment: string, size = SERVERS, withGroups = true): ClusterConfigInput {
  const servers = Array.from({ length: size }, (_, i) => ({ name: `server${i + 1}`, address: `${subnet}.${11 + i}` }));
  const groups = withGroups ? size * (GROUPS / SERVERS) : 0;
  return {
    // CLUSTERPRO's default heartbeat (3 s / 90 s): the schema's defaults.
    cluster: { name: 'bench32', comment },
    servers,
    interconnects: [{ priority: 1, addresses: Object.fromEntries(servers.map((s) => [s.name, s.address])) }],
    // Each group starts on its own server (two groups a server), with the next server as its failover target.
    groups: Array.from({ length: groups }, (_, g) => ({
      name: `group${g + 1}`,
      startupServers: [servers[g % size]!.name, servers[(g + 1) % size]!.name],
      resources: Array.from({ length: RESOURCES_PER_GROUP }, (_, r) => ({ name: `exec${g * RESOURCES_PER_GROUP + r + 1}`, type: 'exec' })),
    })),
  };
}

const FORM_WAIT_MS = 120_000;

/** Waits until server1's status shows `size` servers and `groups` groups, all online; ms since `since`, or null. */
async function formed(c: AgentClient, size: number, groups: number, since: number): Promise<number | null> {
  while (performance.now() - since < FORM_WAIT_MS) {
    const s = await c.call('status.get', {}, CALL_TIMEOUT_MS).catch(() => null);
    const servers = s?.servers.filter((x) => x.state === 'online').length ?? 0;
    const online = s?.groups.filter((g) => g.state === 'online').length ?? 0;
    if (servers === size && online === groups) return Math.round(performance.now() - since);
    await sleep(250);
  }
  return null;
}

async function timedApply(c: AgentClient, subnet: string, comment: string, size: number, withGroups: boolean): Promise<Attempt> {
  const a = performance.now();
  try {
    const r = await c.call('config.apply', { config: bigConfig(subnet, comment, size, withGroups) }, CALL_TIMEOUT_MS);
    const ms = Math.round(performance.now() - a);
    const missed = r.servers.filter((s) => !s.ok);
    if (r.servers.length !== size || missed.length > 0) return { ms, ok: false, requires: r.requires, error: `not committed on ${missed.map((s) => s.server).join(', ')}` };
    return { ms, ok: true, requires: r.requires };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ms: Math.round(performance.now() - a), ok: false, error: message.length > 400 ? `${message.slice(0, 400)}…` : message };
  }
}

/**
 * First a control on the same processes: 4 servers without groups (the two-phase commit's own cost, with the
 * other agents unconfigured and idle); then the 32-server config with its groups.
 */
const STEPS = [
  { servers: 4, withGroups: false },
  { servers: SERVERS, withGroups: true },
];

export async function benchApply(opts: ApplyOptions): Promise<ApplyResult> {
  const { log } = opts;
  const errors: string[] = [];
  const steps: Step[] = [];
  let loadAverage: number[] = [];
  let totalRssMiB: number | null = null;
  const alertsByKey: Record<string, number> = {};
  const agents = await AgentProcesses.create('kumo-bench-apply-');
  const unregister = opts.onCleanup(() => agents.stop());
  const names = Array.from({ length: SERVERS }, (_, i) => `server${i + 1}`);
  const t0 = performance.now();
  let agentStartS = 0;
  try {
    log(`apply: starting ${SERVERS} agents on ${opts.subnet}.11–${10 + SERVERS}`);
    // Eight at a time: 32 cold starts at once on two cores would run past the start timeout.
    for (let i = 0; i < SERVERS; i += 8) {
      await Promise.all(names.slice(i, i + 8).map((name, k) => agents.start({ name, address: `${opts.subnet}.${11 + i + k}` }, { timeoutMs: 180_000 })));
    }
    agentStartS = Math.round((performance.now() - t0) / 100) / 10;
    log(`apply: ${SERVERS} agents up in ${agentStartS} s`);
    await sleep(5000);
    const c = await agents.client('server1');
    const pidOf = (n: string) => agents.get(n).child?.pid;
    for (const { servers: size, withGroups } of STEPS) {
      const groups = withGroups ? size * (GROUPS / SERVERS) : 0;
      const step: Step = { servers: size, groups, resources: groups * RESOURCES_PER_GROUP, firstApply: [], runs: [], agentsCpuPercent: null };
      steps.push(step);
      for (let attempt = 1; attempt <= 3; attempt += 1) {
        const r = await timedApply(c, opts.subnet, `${size} servers`, size, withGroups);
        step.firstApply.push(r);
        log(`apply: ${size} servers, first apply${attempt > 1 ? ` (attempt ${attempt})` : ''}: ${r.ms} ms${r.ok ? '' : ` (failed: ${r.error ?? ''})`}`);
        if (r.ok) break;
      }
      if (!step.firstApply.some((r) => r.ok)) throw new Error(`the first apply of ${size} servers failed three times`);
      const applied = performance.now();
      const pids = names.slice(0, size).map(pidOf).filter((p): p is number => p !== undefined);
      const cpu = () => pids.reduce((sum, p) => sum + cpuSeconds(p), 0);
      // The cluster forms: every service started, every group online, as server1 sees it. The applies are timed
      // on the running cluster only after that (and a few quiet seconds).
      step.formedMs = await formed(c, size, groups, applied);
      log(`apply: ${size} servers, every server and group online ${step.formedMs === null ? `not within ${FORM_WAIT_MS / 1000} s` : `${step.formedMs} ms after the first apply's answer`}`);
      if (step.formedMs === null) errors.push(`apply: ${size} servers: not every server and group online within ${FORM_WAIT_MS / 1000} s of the first apply`);
      await sleep(withGroups ? 5000 : 3000);
      const c0 = cpu();
      const w0 = performance.now();
      for (let i = 1; i <= opts.runs; i += 1) {
        if (performance.now() - applied > BUDGET_MS) {
          errors.push(`apply: ${size} servers: stopped after ${i - 1} of ${opts.runs} timed runs, ${BUDGET_MS / 60_000} minutes after its first apply`);
          break;
        }
        await sleep(2000);
        const r = await timedApply(c, opts.subnet, `${size} servers, timed apply ${i}`, size, withGroups);
        step.runs.push(r);
        log(`apply: ${size} servers, run ${i}/${opts.runs}: ${r.ms} ms${r.ok ? ` (${r.requires ?? ''})` : ` (failed: ${r.error ?? ''})`}`);
        if (!r.ok) errors.push(`apply: ${size} servers: a timed run failed after ${r.ms} ms: ${r.error ?? ''}`);
      }
      step.agentsCpuPercent = Math.round((100 * (cpu() - c0)) / ((performance.now() - w0) / 1000));
    }
    loadAverage = os.loadavg().map((x) => Math.round(x * 10) / 10);
    totalRssMiB = Math.round(names.reduce((sum, n) => sum + memoryKiB(pidOf(n) ?? 0).rss, 0) / 1024);
    const { entries } = await c.call('alerts.query', { limit: 10000 }, CALL_TIMEOUT_MS);
    for (const e of entries) alertsByKey[e.key] = (alertsByKey[e.key] ?? 0) + 1;
  } catch (e) {
    errors.push(`apply: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    await agents.stop();
    unregister();
  }
  const configBytes = Buffer.byteLength(JSON.stringify(bigConfig(opts.subnet, 'x')));
  const ok = (xs: Attempt[]) => xs.filter((r) => r.ok).map((r) => r.ms);
  const figures: Figure[] = [];
  for (const step of steps) {
    const big = step.servers === SERVERS;
    const what = step.groups > 0 ? `${step.servers} servers, ${step.groups} groups, ${step.resources} EXEC resources` : `${step.servers} servers without groups (control)`;
    const cpuNote = step.agentsCpuPercent === null ? [] : [`its ${step.servers} agents used ${step.agentsCpuPercent} % of one core in sum while it ran (the machine has ${os.cpus().length} cores, shared)`];
    figures.push(
      figure(`apply.${step.servers}`, `Apply (two-phase commit) of ${what} to the running cluster, request → answer`, 'ms', ok(step.runs), {
        ...(big ? { target: TARGET } : {}),
        failures: step.runs.length - ok(step.runs).length,
        notes: ['a changed comment each run', ...cpuNote],
      }),
      figure(`apply.${step.servers}.first`, `The apply that first configures ${what}${big ? ' (28 of them unconfigured before)' : ''}`, 'ms', ok(step.firstApply), {
        ...(big ? { target: TARGET } : {}),
        ...(step.firstApply.length > 1 ? { notes: [`${step.firstApply.length - ok(step.firstApply).length} earlier attempt(s) failed: ${step.firstApply.filter((r) => !r.ok).map((r) => r.error ?? '').join('; ')}`] } : {}),
      }),
    );
    if (step.formedMs !== undefined && step.formedMs !== null) {
      figures.push(figure(`apply.${step.servers}.formed`, `After that first apply: its answer → every server and group online (server1's status)`, 'ms', [step.formedMs]));
    }
    if (step.agentsCpuPercent !== null) figures.push(figure(`apply.${step.servers}.cpu`, `CPU of the ${step.servers} agents together while that cluster runs (% of one core)`, '%', [step.agentsCpuPercent]));
  }
  if (totalRssMiB !== null) figures.push(figure('apply.32.rss', `RSS of all ${SERVERS} agents together, at the end`, 'MiB', [totalRssMiB]));
  return {
    figures,
    details: { configBytes, heartbeat: 'CLUSTERPRO default, 3 s / 90 s', agentStartS, steps, loadAverage, totalRssMiB, alertsByKey },
    errors,
  };
}
