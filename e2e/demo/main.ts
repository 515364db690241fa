/**
 * `pnpm demo [--config vip|eip|dns]`: the demo cluster on this machine — the AWS emulator with the guide's
 * topology (figures 5.1, 6.1, 7.1), two agents (server1 on 127.0.0.11, server2 on 127.0.0.12, simulated hosts,
 * each its own emulated EC2 instance) and a witness as NP target. With `--config`, the guide's chapter 5, 6 or 7
 * configuration is applied and the cluster started. Ctrl-C stops everything it started and removes its files.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { KumoCluster, REPO } from '../harness/cluster.js';

const { values } = parseArgs({ args: process.argv.slice(2), options: { config: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  process.stdout.write('usage: pnpm demo [--config vip|eip|dns]\n');
  process.exit(0);
}
const chapter = values.config;
if (chapter !== undefined && chapter !== 'vip' && chapter !== 'eip' && chapter !== 'dns') {
  process.stderr.write(`--config must be vip, eip or dns (the guide's chapters 5, 6 and 7), not "${chapter}"\n`);
  process.exit(2);
}

const stateDir = path.join(REPO, '.kumo');
const dataDir = path.join(stateDir, 'demo');
const pointer = path.join(stateDir, 'demo.json');

if (!existsSync(path.join(REPO, 'apps', 'webui', 'dist', 'index.html'))) {
  process.stdout.write('Building the Cluster WebUI (first run only)…\n');
  const r = spawnSync('pnpm', ['--filter', '@kumo/webui', 'run', 'build'], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write('The WebUI build failed; see above.\n');
    process.exit(1);
  }
}

process.stdout.write(`Starting the demo cluster${chapter ? ` with the guide's ${chapter.toUpperCase()} configuration` : ''}…\n`);
let cluster: KumoCluster;
try {
  cluster = await KumoCluster.start({
    subnet: '127.0.0',
    config: (chapter) ?? null,
    heartbeat: { intervalS: 1, timeoutS: 3 },
    dataDir,
    changeSyncDelayMs: 1000,
  });
} catch (e) {
  process.stderr.write(`The demo could not start: ${e instanceof Error ? e.message : String(e)}\nIs another demo (or something on 127.0.0.11:29003) still running?\n`);
  process.exit(1);
}

mkdirSync(stateDir, { recursive: true });
writeFileSync(pointer, JSON.stringify({ url: cluster.url('server1'), dataDir: cluster.agents.get('server1').dataDir, servers: cluster.names.map((n) => ({ name: n, url: cluster.url(n) })) }, null, 2));

if (chapter) {
  process.stdout.write('Waiting for failover1 to come online on server1…\n');
  await cluster.waitOnline('failover1', 'server1', 'server1', 120_000).catch((e: unknown) => process.stderr.write(`failover1 did not come online: ${String(e)}\n`));
}

process.stdout.write(`
  Kumo demo cluster is running.

  Cluster WebUI   ${cluster.url('server1')}/   (server1)
                  ${cluster.url('server2')}/   (server2)
  Log in          no password is set yet (CLUSTERPRO's default); set an operation and a reference password
                  in the cluster properties of config mode, then log in with them.
  AWS emulator    ${cluster.cloud.url}  (EC2, Route 53, instance metadata; DNS on ${cluster.cloud.dns.host}:${cluster.cloud.dns.port})
  Witness         http://${cluster.witnessAddress?.host}:${cluster.witnessAddress?.port}
  ${chapter ? `Configuration   the guide's chapter ${{ vip: 5, eip: 6, dns: 7 }[chapter]} (${chapter.toUpperCase()}), applied and started` : 'Configuration   none yet: open the WebUI and run the cluster generation wizard'}

  In a second terminal:   pnpm kumo status      (also: pnpm kumo alerts --follow, pnpm kumo group move failover1)
  Try a failover:         kill -9 the agent of server1 (ps aux | grep "name server1")
  Stop the demo:          Ctrl-C (stops everything it started and removes ${path.relative(REPO, stateDir)}/)
`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  process.stdout.write('\nStopping the demo cluster…\n');
  await cluster.stop().catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
  process.stdout.write('Stopped; nothing is left running.\n');
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
