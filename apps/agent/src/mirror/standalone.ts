/**
 * Runs one mirror disk in its own process: the tests and the benchmark start two of these so that a
 * `kill -9` is real. Not used by the agent.
 *
 *   node --import tsx apps/agent/src/mirror/standalone.ts '<json config>'
 *
 * The config is MirrorDiskOptions as JSON, with the cluster key as hex in `clusterKeyHex`. Events go to
 * stdout as `{"event":{...}}` lines; `{"ready":true}` follows a successful open, `{"fatal":{...}}` a failed
 * one. Commands come one per line on stdin and are answered `{"reply":"<command>","ok":true,...}`:
 *
 *   promote | promote force | demote | status | recover | force-recover local|peer | break | close
 *
 * `status` is answered at once; the others run one after another.
 */
import readline from 'node:readline';
import { z } from 'zod';
import { MirrorError } from './errors.js';
import { MirrorDisk } from './mirror-disk.js';
import type { MirrorDiskOptions } from './types.js';

const endpointSchema = z.object({ host: z.string().min(1), port: z.number().int().min(0).max(65535) });

export const standaloneConfigSchema = z.object({
  name: z.string().min(1),
  localServer: z.string().min(1),
  peerServer: z.string().min(1),
  dataPath: z.string().min(1),
  clusterPath: z.string().min(1),
  createSizeBytes: z.number().int().positive().optional(),
  listen: endpointSchema,
  peer: endpointSchema,
  clusterKeyHex: z.string().regex(/^([0-9a-f]{2})+$/),
  nbdSocketPath: z.string().min(1),
  params: z
    .object({
      ackTimeoutMs: z.number().positive(),
      connectTimeoutMs: z.number().positive(),
      pingIntervalMs: z.number().positive(),
      pingTimeoutMs: z.number().positive(),
      reconnectMaxMs: z.number().positive(),
      initialCopy: z.boolean(),
      autoRecovery: z.boolean(),
      recoveryMaxRateBytesPerSec: z.number().nonnegative(),
      recoveryMinRateBytesPerSec: z.number().positive(),
      regionBytes: z.number().int().positive(),
      checkpointIntervalMs: z.number().positive(),
      recoveryChunkBytes: z.number().int().positive(),
      writeIntentIdleMs: z.number().nonnegative(),
      maxActiveRegions: z.number().int().positive(),
    })
    .partial()
    .optional(),
});
export type StandaloneConfig = z.infer<typeof standaloneConfigSchema>;

function out(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

function toOptions(c: StandaloneConfig): MirrorDiskOptions {
  const { clusterKeyHex, createSizeBytes, params, ...rest } = c;
  const opts: MirrorDiskOptions = {
    ...rest,
    clusterKey: Buffer.from(clusterKeyHex, 'hex'),
    onEvent: (event) => {
      out({ event });
    },
  };
  if (createSizeBytes !== undefined) opts.createSizeBytes = createSizeBytes;
  if (params) {
    // Drop keys zod left undefined: exactOptionalPropertyTypes wants them absent.
    opts.params = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
  }
  return opts;
}

async function main(): Promise<void> {
  const raw = process.argv[2];
  let config: StandaloneConfig;
  try {
    config = standaloneConfigSchema.parse(JSON.parse(raw ?? ''));
  } catch (err) {
    out({ fatal: { code: 'BAD_CONFIG', message: `bad config: ${err instanceof Error ? err.message : String(err)}` } });
    process.exit(2);
  }
  let md: MirrorDisk;
  try {
    md = await MirrorDisk.open(toOptions(config));
  } catch (err) {
    out({ fatal: { code: err instanceof MirrorError ? err.code : 'ERROR', message: err instanceof Error ? err.message : String(err) } });
    process.exit(1);
  }
  out({ ready: true, pid: process.pid });

  let closing: Promise<void> | null = null;
  const shutdown = (): Promise<void> => {
    closing ??= md.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    return closing;
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());

  let chain: Promise<void> = Promise.resolve();
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    const cmd = line.trim();
    if (cmd === '') return;
    if (cmd === 'status') {
      out({ reply: cmd, ok: true, status: md.status() });
      return;
    }
    chain = chain.then(async () => {
      try {
        await run(md, cmd, shutdown);
        out({ reply: cmd, ok: true });
      } catch (err) {
        out({
          reply: cmd,
          ok: false,
          error: { code: err instanceof MirrorError ? err.code : 'ERROR', message: err instanceof Error ? err.message : String(err) },
        });
      }
    });
  });
  rl.on('close', () => void shutdown());
}

async function run(md: MirrorDisk, cmd: string, shutdown: () => Promise<void>): Promise<void> {
  const parts = cmd.split(/\s+/);
  const verb = parts[0] ?? '';
  const arg = parts[1];
  switch (verb) {
    case 'promote':
      return md.promote({ force: arg === 'force' });
    case 'demote':
      return md.demote();
    case 'recover':
      return md.recover();
    case 'force-recover':
      if (arg !== 'local' && arg !== 'peer') throw new Error('force-recover needs local or peer');
      return md.forceRecover(arg);
    case 'break':
      return md.breakMirror();
    case 'close':
      out({ reply: cmd, ok: true });
      await shutdown();
      return;
    default:
      throw new Error(`unknown command "${cmd}"`);
  }
}

void main();
