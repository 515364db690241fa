/**
 * The mirror disk's figures from apps/agent/src/mirror/bench.ts, run as a child process (mirror-child.ts) on the
 * bench's loopback addresses: fio through the mirror's NBD export, a full and a differential recovery, and each
 * beside nbdkit's memory plugin measured in the same run. The child's JSON is checked here before use.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from '../harness/cluster.js';
import { figure } from './figures.js';
import type { Figure, Target } from './figures.js';

export interface MirrorOptions {
  net: string;
  runs: number;
  sizeMiB: number;
  runtimeSec: number;
  log: (line: string) => void;
  onCleanup: (fn: () => Promise<void>) => () => void;
}

export interface MirrorResult {
  figures: Figure[];
  details: { sizeMiB: number; runtimeSec: number; runs: unknown[] };
  errors: string[];
}

const T = (value: number, op: Target['op'] = '>='): Target => ({ op, value, source: 'reference/mirror-disk.md §6' });

/** A number at a dotted path of the child's JSON, or NaN (figure() drops it). */
function num(json: unknown, dotted: string): number {
  let v: unknown = json;
  for (const k of dotted.split('.')) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[k] : undefined;
  return typeof v === 'number' ? v : Number.NaN;
}

function runChild(args: string[], log: (line: string) => void, onCleanup: MirrorOptions['onCleanup'], timeoutMs: number): Promise<{ code: number | null; tail: string }> {
  return new Promise((resolve) => {
    // Its own process group: the mirror nodes, fio and nbdkit it starts are stopped with it.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, 'e2e', 'bench', 'mirror-child.ts'), ...args], { cwd: REPO, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) log(`mirror: ${line.trim()}`);
    });
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
    };
    const stop = async () => {
      killGroup('SIGTERM');
      await new Promise((r) => setTimeout(r, 2000));
      killGroup('SIGKILL');
    };
    const unregister = onCleanup(stop);
    const timer = setTimeout(() => {
      log(`mirror: the benchmark exceeded ${Math.round(timeoutMs / 1000)} s; stopping it`);
      void stop();
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      unregister();
      resolve({ code, tail });
    });
  });
}

export async function benchMirror(opts: MirrorOptions): Promise<MirrorResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'kumo-bench-mirror-'));
  const runs: unknown[] = [];
  const errors: string[] = [];
  try {
    for (let i = 1; i <= opts.runs; i += 1) {
      opts.log(`mirror: run ${i}/${opts.runs} (${opts.sizeMiB} MiB, ${opts.runtimeSec} s per fio job)`);
      const out = path.join(dir, `run${i}.json`);
      const r = await runChild([out, opts.net, String(opts.sizeMiB), String(opts.runtimeSec)], opts.log, opts.onCleanup, 12 * 60_000);
      if (r.code !== 0) {
        errors.push(`mirror: run ${i} failed (exit ${r.code ?? 'signal'}):\n${r.tail}`);
        continue;
      }
      try {
        runs.push(JSON.parse(readFileSync(out, 'utf8')) as unknown);
      } catch (e) {
        errors.push(`mirror: run ${i} wrote no readable result: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const all = (p: string) => runs.map((r) => num(r, p));
  const kit = (p: string) => ({ label: 'nbdkit memory', runs: all(`nbdkitMemory.${p}`) });
  const size = `${opts.sizeMiB} MiB disk`;
  const figures = [
    figure('mirror.randWrite4kQD32', '4 KiB random write, QD32, through the mirror', 'IOPS', all('mirror.randWrite4kQD32.iops'), { target: T(5000), beside: kit('randWrite4kQD32.iops') }),
    figure('mirror.randWrite4kQD1', '4 KiB random write, QD1, through the mirror', 'IOPS', all('mirror.randWrite4kQD1.iops'), { target: T(2500), beside: kit('randWrite4kQD1.iops') }),
    figure('mirror.randWrite4kQD1.latency', '4 KiB random write, QD1: mean latency', 'µs', all('mirror.randWrite4kQD1.meanLatencyUs'), { target: T(400, '<='), beside: kit('randWrite4kQD1.meanLatencyUs') }),
    figure('mirror.seqWrite1M', '1 MiB sequential write, QD8, through the mirror', 'MiB/s', all('mirror.seqWrite1M.mibPerSec'), { target: T(200), beside: kit('seqWrite1M.mibPerSec') }),
    figure('mirror.fullRecovery', `Full recovery rate (${size}, unthrottled)`, 'MiB/s', all('mirror.fullRecovery.mibPerSec'), {
      beside: { label: 'nbdcopy into nbdkit memory', runs: all('nbdkitMemory.copyFull.mibPerSec') },
    }),
    figure('mirror.diffRecovery', `Differential recovery of 1 % dirty (${size})`, 'ms', all('mirror.differentialRecovery.ms'), {
      beside: { label: 'fio writing the same 1 % into nbdkit memory', runs: all('nbdkitMemory.scatteredOnePercent.ms') },
    }),
    figure('mirror.diffRecovery.reconnectToNormal', 'Differential recovery: standby start → mirror normal (includes the process start)', 'ms', all('mirror.differentialRecovery.reconnectToNormalMs')),
  ];
  return { figures, details: { sizeMiB: opts.sizeMiB, runtimeSec: opts.runtimeSec, runs }, errors };
}
