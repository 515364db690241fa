/**
 * `pnpm bench [-- --quick] [-- --only failover,move,push,idle,apply,webui,mirror]`: Kumo's benchmarks — the
 * figures peer products leave blank (peers.md §4) — into bench/results.json and bench/RESULTS.md.
 *
 *   failover  kill -9 of the active agent → emulator switched / server2 online; guide VIP, EIP, DNS; 1 s / 3 s
 *   move      group.move → answer / emulator switched, same clusters
 *   push      a change in an agent → `status` event at a WebUI socket (VIP cluster)
 *   idle      an idle agent's CPU and RSS (VIP cluster, /proc)
 *   apply     two-phase commit of 32 servers / 64 groups / 256 resources to 32 real agents
 *   webui     apps/webui/dist size, raw and gzipped (built first when missing)
 *   mirror    apps/agent/src/mirror/bench.ts: fio through the mirror, recoveries, beside nbdkit memory
 *
 * `--chapters vip,eip,dns` limits the failover and move benchmarks to some of the guide's chapters; `--render`
 * only rewrites bench/RESULTS.md from bench/results.json.
 *
 * Everything runs on loopback in 127.0.40.0/24–127.0.46.0/24. Figures are reported, never asserted. Every
 * cluster, agent and child process is stopped, and every temporary directory removed, even when a step fails
 * or the run is interrupted.
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO } from '../harness/cluster.js';
import type { GuideChapter } from '../harness/cluster.js';
import { benchApply } from './apply.js';
import { benchChapter } from './chapter.js';
import type { ChapterResult } from './chapter.js';
import { describe, describeTarget } from './figures.js';
import type { Figure } from './figures.js';
import { benchIdle } from './idle.js';
import type { IdleResult } from './idle.js';
import { benchMirror } from './mirror.js';
import { benchStatusPush } from './push.js';
import type { PushResult } from './push.js';
import { loadAverage, readResults, readSections, SECTIONS, writeResults } from './report.js';
import type { Machine, Results, Section, SectionName } from './report.js';
import { benchWebui } from './webui.js';

const HEARTBEAT = { intervalS: 1, timeoutS: 3 };
const CHANGE_SYNC_DELAY_MS = 300;
const SUBNETS: Record<GuideChapter | 'idle' | 'apply' | 'mirror', string> = {
  vip: '127.0.40',
  eip: '127.0.41',
  dns: '127.0.42',
  idle: '127.0.43',
  apply: '127.0.45',
  mirror: '127.0.46',
};

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    chapters: { type: 'string' },
    render: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  process.stdout.write(`usage: pnpm bench [-- --quick] [-- --only ${SECTIONS.join(',')}] [-- --chapters vip,eip,dns] [-- --render]\n`);
  process.exit(0);
}
if (values.render) {
  // Only re-renders bench/RESULTS.md from bench/results.json (after a change to the table's layout).
  const dir = path.join(REPO, 'bench');
  const earlier = readResults(path.join(dir, 'results.json'));
  if (!earlier) {
    process.stderr.write('there is no bench/results.json to render; run pnpm bench first\n');
    process.exit(1);
  }
  writeResults(dir, earlier);
  process.exit(0);
}
const only = values.only?.split(',').map((s) => s.trim()).filter(Boolean) ?? [...SECTIONS];
const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; choose from ${SECTIONS.join(', ')}\n`);
  process.exit(2);
}
const selected = new Set(only as SectionName[]);
const ALL_CHAPTERS: GuideChapter[] = ['vip', 'eip', 'dns'];
const chapterList = values.chapters?.split(',').map((s) => s.trim()) ?? ALL_CHAPTERS;
if (chapterList.some((c) => !(ALL_CHAPTERS as string[]).includes(c))) {
  process.stderr.write(`--chapters takes vip, eip and dns\n`);
  process.exit(2);
}
const quick = values.quick;
const RUNS = quick
  ? { failover: 2, move: 2, push: 3, idleS: 30, apply: 2, mirror: 1, mirrorSizeMiB: 256, mirrorRuntimeS: 3 }
  : { failover: 5, move: 6, push: 6, idleS: 45, apply: 3, mirror: 1, mirrorSizeMiB: 1024, mirrorRuntimeS: 8 };

const started = Date.now();
const log = (line: string) => process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}\n`);

// ─── Clean-up on interruption ──────────────────────────────────────────────────────────────────────────────
const cleanups = new Set<() => Promise<void>>();
const onCleanup = (fn: () => Promise<void>) => {
  cleanups.add(fn);
  return () => void cleanups.delete(fn);
};
let interrupted = false;
const interrupt = (signal: NodeJS.Signals) => {
  if (interrupted) return;
  interrupted = true;
  log(`${signal}: stopping every cluster and child process`);
  void Promise.allSettled([...cleanups].map((fn) => fn())).then(() => process.exit(130));
};
process.on('SIGINT', () => interrupt('SIGINT'));
process.on('SIGTERM', () => interrupt('SIGTERM'));

// ─── Machine ───────────────────────────────────────────────────────────────────────────────────────────────
function git(args: string[]): string {
  const r = spawnSync('git', args, { cwd: REPO, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}
const machine: Machine = {
  cores: os.cpus().length,
  cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.release()}`,
  git: { commit: git(['rev-parse', 'HEAD']) || 'unknown', /* the bench's own output files do not count */ dirty: git(['status', '--porcelain', '--', '.', ':(exclude)bench']).length > 0 },
};
log(`${machine.cores} cores, Node ${machine.node}, load average ${loadAverage(os).join(' ')}; ${quick ? 'quick' : 'full'} run of ${[...selected].join(', ')}`);

const sections: Results['sections'] = {};

/** Runs one benchmark and files its figures under `name` (or under each figure's id prefix, for the chapters). */
async function section<R extends { figures: Figure[]; details: unknown; errors: string[] }>(name: SectionName, conditions: string[], run: () => Promise<R>): Promise<R | null> {
  const start = Date.now();
  const loadStart = loadAverage(os);
  let result: R | null = null;
  let errors: string[];
  try {
    result = await run();
    errors = result.errors;
  } catch (e) {
    errors = [e instanceof Error ? (e.stack ?? e.message) : String(e)];
  }
  const s: Section = {
    date: new Date(start).toISOString(),
    durationS: Math.round((Date.now() - start) / 1000),
    quick,
    loadAverageAtStart: loadStart,
    loadAverageAtEnd: loadAverage(os),
    conditions,
    figures: result?.figures ?? [],
    details: result?.details ?? null,
    errors,
  };
  sections[name] = s;
  for (const f of s.figures) log(`${f.label}: ${describe(f)}${f.target ? ` (target ${describeTarget(f.target, f.unit)}: ${f.met ? 'met' : 'missed'})` : ''}`);
  for (const e of errors) log(`problem: ${e}`);
  return result;
}

const chapterConditions = [
  `the guide's chapter configs (with the mirror disk), heartbeat ${HEARTBEAT.intervalS} s / ${HEARTBEAT.timeoutS} s, the guide's kind of NP target (HTTP HEAD, polled every 1 s; a Kumo witness instead adds about 1 s to a failover: its second look), simulated hosts, real agent processes and the AWS emulator in-process`,
  `emulated AWS answers in about a millisecond; emulated Route 53 PENDING → INSYNC takes ${CHANGE_SYNC_DELAY_MS} ms (real Route 53: up to 60 s)`,
  'kill at a random phase of the heartbeat interval; group.move sent to server1 (the master)',
];

try {
  if (selected.has('webui')) {
    await section('webui', ['gzip level 9; the bundle as built from the working tree'], () => benchWebui(log));
  }

  // The mirror first: the cluster benchmarks, and the 32-agent apply most of all, leave the machine hot for a while.
  if (selected.has('mirror') && !interrupted) {
    await section(
      'mirror',
      [`both mirror nodes, fio and nbdkit on this machine; ${RUNS.mirrorSizeMiB} MiB file-backed disks, ${RUNS.mirrorRuntimeS} s per fio job; recovery unthrottled; nbdkit's memory plugin measured in the same run`],
      () => benchMirror({ net: SUBNETS.mirror, runs: RUNS.mirror, sizeMiB: RUNS.mirrorSizeMiB, runtimeSec: RUNS.mirrorRuntimeS, log, onCleanup }),
    );
  }

  const wantChapters = selected.has('failover') || selected.has('move') || selected.has('push');
  if (wantChapters && !interrupted) {
    const chapters = (chapterList as GuideChapter[]).filter((c) => c === 'vip' || selected.has('failover') || selected.has('move'));
    const results: Partial<Record<GuideChapter, ChapterResult<PushResult | null>>> = {};
    const chapterStart = Date.now();
    const loadStart = loadAverage(os);
    for (const chapter of chapters) {
      if (interrupted) break;
      const wantPush = chapter === 'vip' && selected.has('push');
      results[chapter] = await benchChapter<PushResult | null>({
        chapter,
        subnet: SUBNETS[chapter],
        failoverRuns: selected.has('failover') ? RUNS.failover : 0,
        moveRuns: selected.has('move') ? RUNS.move : 0,
        heartbeat: HEARTBEAT,
        changeSyncDelayMs: CHANGE_SYNC_DELAY_MS,
        log,
        onCleanup,
        ...(wantPush ? { extra: (ctx) => benchStatusPush(ctx, RUNS.push, log) } : {}),
      });
    }
    // One benchmark run, filed as up to three sections.
    const file = (name: 'failover' | 'move', pick: (r: ChapterResult<PushResult | null>) => unknown) => {
      const figures = chapters.flatMap((c) => results[c]?.figures.filter((f) => f.id.startsWith(`${name}.`)) ?? []);
      sections[name] = {
        date: new Date(chapterStart).toISOString(),
        durationS: Math.round((Date.now() - chapterStart) / 1000),
        quick,
        loadAverageAtStart: loadStart,
        loadAverageAtEnd: loadAverage(os),
        conditions: chapterConditions,
        figures,
        details: Object.fromEntries(chapters.map((c) => [c, results[c] ? pick(results[c]) : null])),
        errors: chapters.flatMap((c) => results[c]?.errors ?? []),
      };
      for (const f of figures) log(`${f.label}: ${describe(f)}${f.target ? ` (target ${describeTarget(f.target, f.unit)}: ${f.met ? 'met' : 'missed'})` : ''}`);
    };
    if (selected.has('failover')) file('failover', (r) => ({ runs: r.details.failover, failoverPhasesMedianMs: r.details.failoverPhasesMedianMs, phaseMeaning: r.details.phaseMeaning }));
    if (selected.has('move')) file('move', (r) => ({ runs: r.details.moves, movesBackAfterFailover: r.details.movesBack }));
    if (selected.has('push')) {
      const p = results.vip?.extra ?? null;
      sections.push = {
        date: new Date(chapterStart).toISOString(),
        durationS: Math.round((Date.now() - chapterStart) / 1000),
        quick,
        loadAverageAtStart: loadStart,
        loadAverageAtEnd: loadAverage(os),
        conditions: ['the steady VIP cluster; one WebSocket client logged in on each agent; the change time is the agent’s own alert timestamp; status pushes are rate-limited to one per 100 ms per connection'],
        figures: p?.figures ?? [],
        details: p?.details ?? null,
        errors: p ? p.errors : ['the status push benchmark did not run (the VIP cluster failed first)'],
      };
      for (const f of sections.push.figures) log(`${f.label}: ${describe(f)}${f.target ? ` (target ${describeTarget(f.target, f.unit)}: ${f.met ? 'met' : 'missed'})` : ''}`);
    }
  }

  if (selected.has('idle') && !interrupted) {
    await section('idle', [`a fresh guide VIP cluster (mirror disk, monitors at their default intervals), heartbeat ${HEARTBEAT.intervalS} s / ${HEARTBEAT.timeoutS} s, witness polled every 1 s, no WebUI connected; CPU in % of one core`], async () => {
      const r = await benchChapter<IdleResult>({
        chapter: 'vip',
        subnet: SUBNETS.idle,
        failoverRuns: 0,
        moveRuns: 0,
        heartbeat: HEARTBEAT,
        changeSyncDelayMs: CHANGE_SYNC_DELAY_MS,
        log,
        onCleanup,
        extra: (ctx) => benchIdle(ctx, RUNS.idleS, log),
      });
      const i = r.extra;
      return { figures: i?.figures ?? [], details: i?.details ?? null, errors: [...r.errors, ...(i?.errors ?? [])] };
    });
  }

  if (selected.has('apply') && !interrupted) {
    await section('apply', ['32 agent processes on one machine (simulated hosts), CLUSTERPRO’s default heartbeat 3 s / 90 s; applied through server1’s WebSocket API as the WebUI does'], () =>
      benchApply({ subnet: SUBNETS.apply, runs: RUNS.apply, log, onCleanup }),
    );
  }
} finally {
  await Promise.allSettled([...cleanups].map((fn) => fn()));
}

if (!interrupted) {
  const dir = path.join(REPO, 'bench');
  // Sections from earlier runs are kept: each says which commit it measured.
  const commit = `${machine.git.commit.slice(0, 10)}${machine.git.dirty ? ' with uncommitted changes' : ''}`;
  const measured = Object.fromEntries(Object.entries(sections).map(([k, s]) => [k, { ...s, commit }]));
  const results: Results = { schema: 1, updated: new Date().toISOString(), machine, sections: { ...readSections(path.join(dir, 'results.json')), ...measured } };
  const files = writeResults(dir, results);
  log(`wrote ${path.relative(REPO, files.json)} and ${path.relative(REPO, files.md)} in ${Math.round((Date.now() - started) / 1000)} s`);
}
