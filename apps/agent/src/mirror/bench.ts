/**
 * Mirror disk benchmark: both mirror nodes on this machine as separate processes (standalone.ts), fio's
 * nbd engine through the primary's export, then a full and a differential recovery of a 1 GiB disk; each
 * figure beside nbdkit's `memory` plugin measured in the same run. Reports figures, asserts nothing.
 *
 *   node --import tsx apps/agent/src/mirror/bench.ts --out bench/mirror.json [--size-mib 1024] [--runtime 8]
 *
 * Targets on the 2-core project machine (reference/mirror-disk.md §6): ≥ 5,000 IOPS at 4 KiB QD32,
 * ≥ 2,500 IOPS at QD1, ≥ 200 MiB/s for 1 MiB sequential writes (file backing, no fsync per write).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MiB, makeTempDir, nbdUri, pairLayout, runTool, standaloneConfig, waitFor } from './testing/harness.js';
import { MirrorProcess } from './testing/mirror-process.js';
import type { MirrorParams } from './types.js';

export interface MirrorBenchOptions {
  /** Write the JSON result here too. */
  out?: string;
  /** Disk size; default 1 GiB. */
  sizeBytes?: number;
  /** Seconds per time-based fio job; default 8. */
  runtimeSec?: number;
  /** Loopback subnet and host number for the two nodes; default 127.0.5.200/201. */
  net?: string;
  host?: number;
  /** Skip the nbdkit baseline (faster). */
  skipBaseline?: boolean;
  log?: (line: string) => void;
}

export interface FioFigures {
  iops: number;
  mibPerSec: number;
  meanLatencyUs: number;
  p99LatencyUs: number;
}

export interface BenchTarget {
  /** The first pass over the whole disk (block allocation included). */
  fill1M: FioFigures;
  seqWrite1M: FioFigures;
  randWrite4kQD32: FioFigures;
  randWrite4kQD1: FioFigures;
}

export interface MirrorBenchResult {
  date: string;
  /** 1-minute load averages around the run: other work on the machine skews every figure. */
  machine: { cpus: number; cpuModel: string; node: string; platform: string; loadAverageBefore: number; loadAverageAfter: number };
  sizeBytes: number;
  runtimeSec: number;
  mirror: BenchTarget & {
    fullRecovery: { bytes: number; ms: number; mibPerSec: number };
    differentialRecovery: { dirtyBytes: number; bytes: number; regions: number; ms: number; reconnectToNormalMs: number };
  };
  nbdkitMemory: (BenchTarget & { copyFull: { bytes: number; ms: number; mibPerSec: number }; scatteredOnePercent: { bytes: number; ms: number } }) | null;
  targets: { randWrite4kQD32Iops: number; randWrite4kQD1Iops: number; seqWrite1MMiBPerSec: number };
  meetsTargets: { randWrite4kQD32: boolean; randWrite4kQD1: boolean; seqWrite1M: boolean };
  notes: string[];
}

const TARGETS = { randWrite4kQD32Iops: 5000, randWrite4kQD1Iops: 2500, seqWrite1MMiBPerSec: 200 };

/** Mirror parameters for the run: defaults, except an unlimited recovery rate so that its ceiling shows. */
const BENCH_PARAMS: Partial<MirrorParams> = { initialCopy: false, recoveryMaxRateBytesPerSec: 0 };

export async function runMirrorBenchmark(opts: MirrorBenchOptions = {}): Promise<MirrorBenchResult> {
  const size = opts.sizeBytes ?? 1024 * MiB;
  const runtime = opts.runtimeSec ?? 8;
  const log = opts.log ?? ((line: string) => console.error(line));
  const dir = await makeTempDir('mirror-bench');
  const layout = pairLayout(dir, opts.net ?? '127.0.5', opts.host ?? 200, false, 29151);
  const procs: MirrorProcess[] = [];
  let nbdkit: ChildProcess | null = null;
  const start = async (which: 'a' | 'b'): Promise<MirrorProcess> => {
    const p = await MirrorProcess.start(standaloneConfig(layout, which, size, BENCH_PARAMS, {}), 60_000);
    procs.push(p);
    return p;
  };
  try {
    log(`mirror bench: ${size / MiB} MiB disks in ${dir}`);
    const [a, b] = await Promise.all([start('a'), start('b')]);
    await waitFor(async () => (await a.status()).mirrorState === 'normal', 'mirror normal', 30_000, 100);
    const promoted = await a.command('promote');
    if (!promoted.ok) throw new Error(`promote failed: ${promoted.error?.message ?? ''}`);
    const uri = nbdUri(layout.a.nbdSocketPath);
    let kitUri: string | null = null;
    if (!opts.skipBaseline) {
      const sock = path.join(dir, 'nbdkit.sock');
      nbdkit = spawn('nbdkit', ['-f', '-U', sock, 'memory', String(size)], { stdio: 'ignore' });
      kitUri = nbdUri(sock);
      const probe = kitUri;
      await waitFor(async () => (await runTool('nbdinfo', [probe])).code === 0, 'nbdkit up', 10_000, 100);
    }
    const loadBefore = os.loadavg()[0] ?? 0;
    // Each job runs on the mirror, then at once on nbdkit, so both see the same machine load.
    log('fio: mirror export beside nbdkit memory');
    const [mirrorFio, kitFio] = await fioSuites(uri, kitUri, size, runtime, log);

    // Differential recovery: the standby stops cleanly, 1 % of the disk is written at random, it returns.
    log('mirror: differential recovery of 1 % of the disk');
    let bNow = b;
    await bNow.stop();
    await fio(uri, ['--rw=randwrite', '--bs=4k', '--iodepth=32', `--size=${size}`, `--io_size=${Math.floor(size / 100 / 4096) * 4096}`]);
    const dirtyBytes = (await a.status()).outOfSyncBytes;
    const fromDiff = a.log.length;
    const t0 = performance.now();
    bNow = await start('b');
    const diff = await a.log.next('recovery-completed', { from: fromDiff, timeoutMs: 120_000 });
    await waitFor(async () => (await a.status()).mirrorState === 'normal', 'normal after differential', 30_000, 20);
    const reconnectToNormalMs = Math.round(performance.now() - t0);

    // Full recovery: the standby's cluster partition is re-created (a replaced disk): everything is copied.
    log('mirror: full recovery');
    await bNow.stop();
    await fsp.rm(layout.b.clusterPath);
    const fromFull = a.log.length;
    bNow = await start('b');
    const full = await a.log.next('recovery-completed', { from: fromFull, timeoutMs: 300_000 });
    await waitFor(async () => (await a.status()).mirrorState === 'normal', 'normal after full', 30_000, 50);

    let baseline: MirrorBenchResult['nbdkitMemory'] = null;
    if (kitUri && kitFio) {
      log('nbdkit memory: full copy and scattered 1 %');
      const c0 = performance.now();
      const copy = await runTool('nbdcopy', [layout.a.dataPath, kitUri], 300_000);
      if (copy.code !== 0) throw new Error(`nbdcopy: ${copy.stderr}`);
      const copyMs = performance.now() - c0;
      const s0 = performance.now();
      await fio(kitUri, ['--rw=randwrite', '--bs=4k', '--iodepth=32', `--size=${size}`, `--io_size=${Math.floor(size / 100 / 4096) * 4096}`]);
      const scatteredMs = performance.now() - s0;
      baseline = {
        ...kitFio,
        copyFull: { bytes: size, ms: Math.round(copyMs), mibPerSec: round1(size / MiB / (copyMs / 1000)) },
        scatteredOnePercent: { bytes: Math.floor(size / 100 / 4096) * 4096, ms: Math.round(scatteredMs) },
      };
    }

    const result: MirrorBenchResult = {
      date: new Date().toISOString(),
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        loadAverageBefore: round1(loadBefore),
        loadAverageAfter: round1(os.loadavg()[0] ?? 0),
      },
      sizeBytes: size,
      runtimeSec: runtime,
      mirror: {
        ...mirrorFio,
        fullRecovery: { bytes: full.bytes, ms: full.ms, mibPerSec: round1(full.bytes / MiB / (full.ms / 1000)) },
        differentialRecovery: { dirtyBytes, bytes: diff.bytes, regions: diff.regions, ms: diff.ms, reconnectToNormalMs },
      },
      nbdkitMemory: baseline,
      targets: TARGETS,
      meetsTargets: {
        randWrite4kQD32: mirrorFio.randWrite4kQD32.iops >= TARGETS.randWrite4kQD32Iops,
        randWrite4kQD1: mirrorFio.randWrite4kQD1.iops >= TARGETS.randWrite4kQD1Iops,
        seqWrite1M: mirrorFio.seqWrite1M.mibPerSec >= TARGETS.seqWrite1MMiBPerSec,
      },
      notes: [
        'Both mirror nodes, fio and nbdkit share the same CPUs; figures vary up to ±2x between runs (reference/mirror-disk.md §5).',
        'Mirror: file-backed data partitions in the page cache, protocol C over loopback TCP, no fsync per write.',
        'Recovery ran with recoveryMaxRateBytesPerSec = 0 (unlimited); the default cap is 100 MiB/s.',
        'reconnectToNormalMs includes starting the standby process (Node + tsx), the connect handshake and the copy.',
        'Each fio job ran on the mirror export and right after on nbdkit memory, so the pair saw similar load.',
        'nbdkit copyFull is nbdcopy of the data file into the memory plugin; scatteredOnePercent is fio writing 1 % of the disk at random, 4 KiB QD32.',
      ],
    };
    if (opts.out) {
      await fsp.mkdir(path.dirname(path.resolve(opts.out)), { recursive: true });
      await fsp.writeFile(opts.out, `${JSON.stringify(result, null, 2)}\n`);
    }
    return result;
  } finally {
    nbdkit?.kill('SIGTERM');
    await Promise.all(procs.map((p) => p.stop().catch(() => p.kill9())));
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

const JOBS: { key: keyof BenchTarget; label: string; args: (size: number, runtime: number) => string[] }[] = [
  // The fill allocates every block of the sparse data files and of nbdkit's memory (reference/mirror-disk.md §5).
  { key: 'fill1M', label: 'fill, 1 MiB seq QD8', args: (size) => ['--rw=write', '--bs=1M', '--iodepth=8', `--size=${size}`] },
  { key: 'seqWrite1M', label: '1 MiB seq QD8', args: (size, rt) => ['--rw=write', '--bs=1M', '--iodepth=8', ...timed(size, rt)] },
  { key: 'randWrite4kQD32', label: '4 KiB rand QD32', args: (size, rt) => ['--rw=randwrite', '--bs=4k', '--iodepth=32', ...timed(size, rt)] },
  { key: 'randWrite4kQD1', label: '4 KiB rand QD1', args: (size, rt) => ['--rw=randwrite', '--bs=4k', '--iodepth=1', ...timed(size, rt)] },
];

function timed(size: number, runtime: number): string[] {
  return [`--size=${size}`, '--time_based', `--runtime=${runtime}`, '--ramp_time=1'];
}

async function fioSuites(
  uri: string,
  kitUri: string | null,
  size: number,
  runtime: number,
  log: (l: string) => void,
): Promise<[BenchTarget, BenchTarget | null]> {
  const mirror: Partial<BenchTarget> = {};
  const kit: Partial<BenchTarget> = {};
  for (const job of JOBS) {
    const m = await fio(uri, job.args(size, runtime));
    mirror[job.key] = m;
    let line = `  ${job.label}: mirror ${m.iops} IOPS ${m.mibPerSec} MiB/s`;
    if (kitUri) {
      const k = await fio(kitUri, job.args(size, runtime));
      kit[job.key] = k;
      line += `, nbdkit ${k.iops} IOPS ${k.mibPerSec} MiB/s`;
    }
    log(line);
  }
  return [complete(mirror), kitUri ? complete(kit) : null];
}

function complete(t: Partial<BenchTarget>): BenchTarget {
  const { fill1M, seqWrite1M, randWrite4kQD32, randWrite4kQD1 } = t;
  if (!fill1M || !seqWrite1M || !randWrite4kQD32 || !randWrite4kQD1) throw new Error('a fio job is missing');
  return { fill1M, seqWrite1M, randWrite4kQD32, randWrite4kQD1 };
}

interface FioJson {
  jobs: {
    error: number;
    write: { iops: number; bw_bytes: number; lat_ns: { mean: number }; clat_ns: { percentile?: Record<string, number> } };
  }[];
}

async function fio(uri: string, args: string[]): Promise<FioFigures> {
  const r = await runTool('fio', ['--name=bench', '--ioengine=nbd', `--uri=${uri}`, '--numjobs=1', '--group_reporting', '--output-format=json', ...args], 600_000);
  if (r.code !== 0) throw new Error(`fio failed (${r.code}): ${r.stderr}`);
  const parsed = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as FioJson;
  const job = parsed.jobs[0];
  if (!job || job.error !== 0) throw new Error(`fio job error: ${r.stdout}`);
  const w = job.write;
  return {
    iops: Math.round(w.iops),
    mibPerSec: round1(w.bw_bytes / MiB),
    meanLatencyUs: Math.round(w.lat_ns.mean / 1000),
    p99LatencyUs: Math.round((w.clat_ns.percentile?.['99.000000'] ?? 0) / 1000),
  };
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

function parseArgs(argv: string[]): MirrorBenchOptions {
  const opts: MirrorBenchOptions = {};
  for (let i = 0; i < argv.length; i += 1) {
    const a = argv[i];
    const v = argv[i + 1];
    if (a === '--out' && v) {
      opts.out = v;
      i += 1;
    } else if (a === '--size-mib' && v) {
      opts.sizeBytes = Number(v) * MiB;
      i += 1;
    } else if (a === '--runtime' && v) {
      opts.runtimeSec = Number(v);
      i += 1;
    } else if (a === '--skip-baseline') {
      opts.skipBaseline = true;
    } else {
      throw new Error(`unknown argument ${a ?? ''}; usage: bench.ts --out FILE.json [--size-mib N] [--runtime S] [--skip-baseline]`);
    }
  }
  return opts;
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) {
  runMirrorBenchmark(parseArgs(process.argv.slice(2))).then(
    (r) => {
      console.log(JSON.stringify(r, null, 2));
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : String(err));
      process.exitCode = 1;
    },
  );
}
