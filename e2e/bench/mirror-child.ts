/**
 * Runs the mirror disk benchmark (apps/agent/src/mirror/bench.ts) in its own process, on the bench's loopback
 * addresses, and writes its JSON result. The module is loaded by path, not imported for its types: its owner
 * may be changing it, and the parent reads and checks the JSON it writes instead.
 *
 *   node --import tsx e2e/bench/mirror-child.ts OUT.json NET SIZE_MIB RUNTIME_S
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from '../harness/cluster.js';

const [out, net, sizeMiB, runtimeSec] = process.argv.slice(2);
if (!out || !net || !sizeMiB || !runtimeSec) {
  console.error('usage: mirror-child.ts OUT.json NET SIZE_MIB RUNTIME_S');
  process.exit(2);
}
const mod: unknown = await import(pathToFileURL(path.join(REPO, 'apps', 'agent', 'src', 'mirror', 'bench.ts')).href);
const run = typeof mod === 'object' && mod !== null && 'runMirrorBenchmark' in mod ? mod.runMirrorBenchmark : undefined;
if (typeof run !== 'function') {
  console.error('apps/agent/src/mirror/bench.ts no longer exports runMirrorBenchmark');
  process.exit(1);
}
await (run as (opts: Record<string, unknown>) => Promise<unknown>)({ out, net, host: 200, sizeBytes: Number(sizeMiB) * 1024 * 1024, runtimeSec: Number(runtimeSec) });
