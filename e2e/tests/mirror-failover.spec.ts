/**
 * Issue 8's last point: in the demo cluster with the guide's VIP configuration (md + awsvip), data written to
 * the mirror disk on server1 through its NBD export is read back, byte for byte, from server2's export after
 * server1's agent is killed and failover1 fails over.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { KumoCluster } from '../harness/cluster.js';

const run = promisify(execFile);
let cluster: KumoCluster;

function exportOf(name: string): string {
  return `nbd+unix:///md?socket=${path.join(cluster.agents.get(name).dataDir, 'md', 'md.sock')}`;
}

test.beforeAll(async () => {
  cluster = await KumoCluster.start({ subnet: '127.0.11', config: 'vip', heartbeat: { intervalS: 1, timeoutS: 3 } });
  await cluster.waitOnline('failover1', 'server1', 'server1', 90_000);
});

test.afterAll(async () => {
  await cluster?.stop();
});

test('data written on server1 before the failure is read back on server2 after failover', async () => {
  // The initial mirror construction copies the whole disk first; a failover before it ends would (rightly) refuse.
  await cluster.waitMirrorsInSync();
  const data = randomBytes(4 * 1024 * 1024);
  const src = path.join(cluster.agents.dir, 'written.bin');
  const back = path.join(cluster.agents.dir, 'read-back.bin');
  writeFileSync(src, data);
  // nbdcopy writes, then flushes (FUA/flush are carried to the standby): every byte is acknowledged by both.
  await run('nbdcopy', ['--flush', src, exportOf('server1')]);
  const before = await cluster.status('server1');
  expect(before.mirrors[0]?.perServer['server2']?.color).toBe('GREEN');

  await cluster.kill('server1');
  await cluster.waitOnline('failover1', 'server2', 'server2', 45_000);
  await run('nbdcopy', [exportOf('server2'), back]);
  expect(readFileSync(back).subarray(0, data.length).equals(data)).toBe(true);
});
