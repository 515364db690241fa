/**
 * Issue 7's first end-to-end test: the demo cluster with the guide's VIP configuration (chapter 5) applied;
 * `kill -9` of server1's agent moves the VIP route in all three route tables to server2's ENI, and `kumo status`
 * on server2 shows failover1 online there. The WebUI served by server2 is opened in Chromium too.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { ENIS, KUMO_CLI as KUMO, KumoCluster, waitFor } from '../harness/cluster.js';

const run = promisify(execFile);

let cluster: KumoCluster;

test.beforeAll(async () => {
  cluster = await KumoCluster.start({ subnet: '127.0.10', config: 'vip', heartbeat: { intervalS: 1, timeoutS: 3 } });
  await cluster.waitOnline('failover1', 'server1', 'server1', 60_000);
  await cluster.waitMirrorsInSync();
});

test.afterAll(async () => {
  await cluster?.stop();
});

test('kill -9 of server1 moves the VIP in all three route tables to server2, and kumo status shows it', async ({ page }) => {
  expect(await cluster.vipRouteTargets()).toEqual([ENIS[0], ENIS[0], ENIS[0]]);
  await cluster.kill('server1');
  await cluster.waitOnline('failover1', 'server2', 'server2', 30_000);
  await waitFor('the routes to point at server2', async () => (await cluster.vipRouteTargets()).every((t) => t === ENIS[1]), 15_000);
  expect(await cluster.vipRouteTargets()).toEqual([ENIS[1], ENIS[1], ENIS[1]]);

  const { stdout } = await run(process.execPath, [KUMO, '--server', cluster.url('server2'), '--data-dir', cluster.agents.get('server2').dataDir, 'status'], {
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  });
  expect(stdout).toMatch(/failover1 \.+: Online/);
  expect(stdout).toMatch(/current\s+: server2/);
  expect(stdout).toMatch(/awsvip1\s+: Online/);

  await page.goto(cluster.url('server2'));
  await expect(page).toHaveTitle(/Kumo|Cluster WebUI/);
});
