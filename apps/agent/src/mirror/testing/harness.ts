/**
 * Shared test plumbing for the mirror suites: temp dirs, polling, running the Debian NBD clients, and
 * in-process mirror pairs (optionally with a TCP proxy on the MDC link). Each suite passes its own loopback
 * subnet (127.0.3.x – 127.0.5.x belong to the mirror tests) so parallel files never collide.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { errorMessage } from '../errors.js';
import { MirrorDisk } from '../mirror-disk.js';
import type { StandaloneConfig } from '../standalone.js';
import type { MirrorDiskOptions, MirrorEvent, MirrorParams } from '../types.js';
import { NbdTestClient } from './nbd-test-client.js';
import { TcpProxy } from './tcp-proxy.js';

export const MiB = 1024 * 1024;

export async function makeTempDir(prefix: string): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), `kumo-${prefix}-`));
}

/** Polls until `fn` returns something truthy; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 10_000, everyMs = 20): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${errorMessage(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export interface ToolResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program with an argument array (no shell), bounded in time. Never rejects on a non-zero exit. */
export function runTool(cmd: string, args: string[], timeoutMs = 20_000): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      // pyenv's python comes first in PATH here and lacks libnbd's bindings; nbdsh needs Debian's.
      { timeout: timeoutMs, maxBuffer: 16 * MiB, env: { ...process.env, PATH: `/usr/bin:${process.env['PATH'] ?? ''}` } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function nbdUri(socketPath: string): string {
  return `nbd+unix:///?socket=${socketPath}`;
}

export async function filesIdentical(a: string, b: string): Promise<boolean> {
  const r = await runTool('cmp', ['-s', a, b]);
  return r.code === 0;
}

/** Fills a file of `size` bytes with random data. */
export async function randomFile(file: string, size: number): Promise<void> {
  const fh = await fsp.open(file, 'w');
  try {
    for (let off = 0; off < size; off += MiB) await fh.write(randomBytes(Math.min(MiB, size - off)), 0, Math.min(MiB, size - off), off);
  } finally {
    await fh.close();
  }
}

export class EventLog {
  readonly events: MirrorEvent[] = [];
  private readonly waiters = new Set<() => void>();

  readonly push = (e: MirrorEvent): void => {
    this.events.push(e);
    for (const w of this.waiters) w();
  };

  of<T extends MirrorEvent['type']>(type: T): Extract<MirrorEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<MirrorEvent, { type: T }> => e.type === type);
  }

  /** Waits for an event of `type` (matching `pred`) after index `from`. */
  async next<T extends MirrorEvent['type']>(
    type: T,
    opts: { from?: number; pred?: (e: Extract<MirrorEvent, { type: T }>) => boolean; timeoutMs?: number } = {},
  ): Promise<Extract<MirrorEvent, { type: T }>> {
    const from = opts.from ?? 0;
    const find = (): Extract<MirrorEvent, { type: T }> | undefined =>
      this.events.slice(from).find((e): e is Extract<MirrorEvent, { type: T }> => e.type === type && (!opts.pred || opts.pred(e as Extract<MirrorEvent, { type: T }>)));
    const found = find();
    if (found) return found;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for event ${type}; saw ${JSON.stringify(this.events)}`));
      }, opts.timeoutMs ?? 10_000);
      const check = (): void => {
        const e = find();
        if (e) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(e);
        }
      };
      this.waiters.add(check);
    });
  }

  get length(): number {
    return this.events.length;
  }
}

/** Fast timings for tests: a dead link is noticed within about a second. */
export const TEST_PARAMS: Partial<MirrorParams> = {
  ackTimeoutMs: 1500,
  connectTimeoutMs: 1500,
  pingIntervalMs: 200,
  pingTimeoutMs: 800,
  reconnectMaxMs: 300,
  regionBytes: 256 * 1024,
  checkpointIntervalMs: 300,
  recoveryMaxRateBytesPerSec: 0,
  recoveryMinRateBytesPerSec: 64 * MiB,
};

export interface NodeSpec {
  server: string;
  host: string;
  port: number;
  dataPath: string;
  clusterPath: string;
  nbdSocketPath: string;
}

export interface PairLayout {
  dir: string;
  a: NodeSpec;
  b: NodeSpec;
  /** Where A dials B: B itself, or the proxy in front of B. */
  aDials: { host: string; port: number };
  proxyListen: { host: string; port: number } | null;
  key: Buffer;
}

/** Names and addresses for a pair in `dir` on subnet `net` (e.g. '127.0.3'), hosts `.n` and `.n+1`. */
export function pairLayout(dir: string, net: string, n: number, withProxy: boolean, port = 29051): PairLayout {
  const spec = (server: string, host: string): NodeSpec => ({
    server,
    host,
    port,
    dataPath: path.join(dir, `${server}.data`),
    clusterPath: path.join(dir, `${server}.cp`),
    nbdSocketPath: path.join(dir, `${server}.sock`),
  });
  const a = spec('srv1', `${net}.${n}`);
  const b = spec('srv2', `${net}.${n + 1}`);
  const proxyListen = withProxy ? { host: `${net}.${n + 2}`, port } : null;
  return { dir, a, b, aDials: proxyListen ?? { host: b.host, port }, proxyListen, key: Buffer.from('kumo-test-cluster-key-0123456789') };
}

export function optionsFor(
  layout: PairLayout,
  which: 'a' | 'b',
  extra: { sizeBytes?: number; params?: Partial<MirrorParams>; key?: Buffer; onEvent?: (e: MirrorEvent) => void; outdatePeer?: () => Promise<boolean> } = {},
): MirrorDiskOptions {
  const me = which === 'a' ? layout.a : layout.b;
  const other = which === 'a' ? layout.b : layout.a;
  const opts: MirrorDiskOptions = {
    name: 'md1',
    localServer: me.server,
    peerServer: other.server,
    dataPath: me.dataPath,
    clusterPath: me.clusterPath,
    listen: { host: me.host, port: me.port },
    peer: which === 'a' ? layout.aDials : { host: other.host, port: other.port },
    clusterKey: extra.key ?? layout.key,
    nbdSocketPath: me.nbdSocketPath,
    params: { ...TEST_PARAMS, ...extra.params },
  };
  if (extra.sizeBytes !== undefined) opts.createSizeBytes = extra.sizeBytes;
  if (extra.onEvent) opts.onEvent = extra.onEvent;
  if (extra.outdatePeer) opts.outdatePeer = extra.outdatePeer;
  return opts;
}

export interface Pair {
  layout: PairLayout;
  a: MirrorDisk;
  b: MirrorDisk;
  aLog: EventLog;
  bLog: EventLog;
  proxy: TcpProxy | null;
  close: () => Promise<void>;
}

/** Two in-process mirror disks on fresh files, optionally with a proxy on the link. */
export async function openPair(opts: {
  dir: string;
  net: string;
  n: number;
  sizeBytes: number;
  proxy?: boolean;
  params?: Partial<MirrorParams>;
  paramsA?: Partial<MirrorParams>;
  paramsB?: Partial<MirrorParams>;
  /** a's fence-peer hook (the agents' peer link in production). */
  outdatePeerA?: () => Promise<boolean>;
}): Promise<Pair> {
  const layout = pairLayout(opts.dir, opts.net, opts.n, opts.proxy === true);
  const proxy = layout.proxyListen ? await TcpProxy.start(layout.proxyListen, { host: layout.b.host, port: layout.b.port }) : null;
  const aLog = new EventLog();
  const bLog = new EventLog();
  let a: MirrorDisk | null = null;
  let b: MirrorDisk;
  try {
    a = await MirrorDisk.open(
      optionsFor(layout, 'a', { sizeBytes: opts.sizeBytes, params: { ...opts.params, ...opts.paramsA }, onEvent: aLog.push, ...(opts.outdatePeerA ? { outdatePeer: opts.outdatePeerA } : {}) }),
    );
    b = await MirrorDisk.open(optionsFor(layout, 'b', { sizeBytes: opts.sizeBytes, params: { ...opts.params, ...opts.paramsB }, onEvent: bLog.push }));
  } catch (err) {
    await a?.close();
    await proxy?.close();
    throw err;
  }
  const pairA = a;
  return {
    layout,
    a: pairA,
    b,
    aLog,
    bLog,
    proxy,
    close: async () => {
      await Promise.allSettled([pairA.close(), b.close()]);
      await proxy?.close();
    },
  };
}

export function fileSize(p: string): number {
  return fs.statSync(p).size;
}

/** The standalone runner's config for one side of a layout. */
export function standaloneConfig(
  layout: PairLayout,
  which: 'a' | 'b',
  sizeBytes: number,
  params: Partial<MirrorParams> = {},
  base: Partial<MirrorParams> = TEST_PARAMS,
): StandaloneConfig {
  const o = optionsFor(layout, which, { params });
  return {
    name: o.name,
    localServer: o.localServer,
    peerServer: o.peerServer,
    dataPath: o.dataPath,
    clusterPath: o.clusterPath,
    createSizeBytes: sizeBytes,
    listen: o.listen,
    peer: o.peer,
    clusterKeyHex: o.clusterKey.toString('hex'),
    nbdSocketPath: o.nbdSocketPath,
    params: { ...base, ...params },
  };
}

/** Both sides of a pair report a normal (connected, identical) mirror. */
export async function bothNormal(p: Pair): Promise<void> {
  await waitFor(() => p.a.status().mirrorState === 'normal' && p.b.status().mirrorState === 'normal', 'both sides normal');
}

/** Writes `count` distinct 4 KiB blocks from block `first`, `depth` at a time, each filled with its own byte. */
export async function writeBlocks(c: NbdTestClient, first: number, count: number, depth = 16, fill = 0x5a): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      await c.write((first + i) * 4096, Buffer.alloc(4096, (fill + i) & 0xff));
    }
  };
  await Promise.all(Array.from({ length: depth }, worker));
}

/** A PairFixture with its vitest hooks registered. */
export function usePairFixture(prefix: string): PairFixture {
  const fx = new PairFixture(prefix);
  beforeEach(async () => {
    await fx.setUp();
  });
  afterEach(async () => {
    await fx.tearDown();
  });
  return fx;
}

/**
 * Per-test state for suites built on in-process pairs: a temp dir, the pair, and whatever else must be
 * closed (NBD clients, extra mirror disks) even when the test fails.
 */
export class PairFixture {
  dir = '';
  pair: Pair | null = null;
  private readonly extra: { close: () => Promise<void> | void }[] = [];
  private readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  async setUp(): Promise<void> {
    this.dir = await makeTempDir(this.prefix);
  }

  async tearDown(): Promise<void> {
    await this.pair?.close();
    this.pair = null;
    for (const x of this.extra.splice(0)) await Promise.resolve(x.close()).catch(() => undefined);
    await fsp.rm(this.dir, { recursive: true, force: true });
  }

  track<T extends { close: () => Promise<void> | void }>(x: T): T {
    this.extra.push(x);
    return x;
  }

  /** openPair() in this test's dir; closed at tear-down. */
  async openPair(opts: Omit<Parameters<typeof openPair>[0], 'dir'>): Promise<Pair> {
    this.pair = await openPair({ ...opts, dir: this.dir });
    return this.pair;
  }

  /** An NBD client on srv1's export (the usual primary), destroyed at tear-down. */
  async client(socketPath = this.pair?.layout.a.nbdSocketPath ?? ''): Promise<NbdTestClient> {
    const c = await NbdTestClient.connect(socketPath);
    this.extra.push({ close: () => c.destroy() });
    return c;
  }
}
