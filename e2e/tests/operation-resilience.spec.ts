/**
 * The page survives the death of its agent: logged in (both passwords set) on the WebUI served by server1, the
 * operator watches server1 being killed; the page reconnects to server2 by itself, presents its session token
 * there (no login page: tokens are valid on every server of the cluster), says it now talks to server2, and keeps
 * showing live state — the failover of failover1 to server2 as it happens, the alert log — and operating works
 * (stopping and starting the group through server2).
 */
import { expect, test } from '@playwright/test';
import { ENIS, KumoCluster, waitFor } from '../harness/cluster.js';
import { OperationPage } from '../harness/pages/operation.js';

test.describe.configure({ timeout: 120_000 });

let cluster: KumoCluster;
let op: OperationPage;

test.beforeAll(async () => {
  test.setTimeout(150_000);
  cluster = await KumoCluster.start({ subnet: '127.0.22', config: null, heartbeat: { intervalS: 1, timeoutS: 8 } });
  const admin = await cluster.client('server1');
  await admin.call('config.apply', { config: cluster.chapter('vip'), passwords: { operation: 'op-pass', reference: 'ref-pass' } });
  await cluster.waitOnline('failover1', 'server1', 'server1', 60_000);
  await cluster.waitMirrorsInSync();
});

test.beforeEach(({ page }) => {
  op = new OperationPage(page);
});

test.afterEach(async ({ page: _page }, info) => {
  await op.attachLog(info);
});

test.afterAll(async () => {
  await cluster?.stop();
});

test('kill server1 under the page it served: the page moves to server2 with its session and keeps showing live state', async ({ page }) => {
  await op.open(cluster.url('server1'));
  await op.login('op-pass');
  await op.expectGroupOn('failover1', 'server1');
  await expect(op.connectedTo()).toHaveText('server1');

  const started = Date.now();
  await cluster.kill('server1');

  // The page finds server2 by itself (it learnt the cluster's servers from session.info) and logs in there.
  await expect(op.connectedTo()).toHaveText('server2', { timeout: 30_000 });
  const reconnectedAfter = Date.now() - started;
  await expect(page.getByText('This page was loaded from server1, which no longer answers; it now talks to server2 and carries on.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Log in' })).toHaveCount(0);
  await expect(page.getByRole('banner')).toContainText('Access: Operation');
  expect(op.socketLog.some((l) => l.includes('open ws://127.0.22.12:29003/api/ws'))).toBe(true);

  // Live state from server2: server1 goes offline and failover1 fails over, as it happens.
  await expect(op.serverRow('server1').getByRole('cell').nth(1)).toHaveText('Offline', { timeout: 20_000 });
  await op.expectGroupOn('failover1', 'server2', 45_000);
  const failedOverAfter = Date.now() - started;
  await expect(op.alertLog()).toContainText('Server server1 has been stopped.');
  await expect(op.alertLog()).toContainText('The group failover1 has been failed over to server2.');
  await waitFor('the routes to point at server2', async () => (await cluster.vipRouteTargets()).every((t) => t === ENIS[1]), 15_000);
  await expect(page.getByRole('region', { name: 'Cluster: cluster' })).toContainText('Status as seen by server2');
  await expect(op.serverBox('server1')).toContainText('Offline');

  // The session still operates, through server2: stop the group and start it again there.
  await op.operate('Stop failover1', { title: 'Stop the group', question: 'Stop failover1 on server2?' });
  await expect(page.getByText('Stop failover1: done.')).toBeVisible({ timeout: 30_000 });
  await expect(op.groupCells('failover1').nth(0)).toHaveText(/^Offline/);
  await expect(page.getByRole('figure', { name: 'Where the groups run' }).getByRole('group', { name: 'Not running' })).toContainText('failover1');
  await op.operate('Start failover1', { title: 'Start the group', choose: { label: 'Server to start on', value: 'server2' }, question: 'Start failover1 on server2?' });
  await expect(page.getByText('Start failover1: done.')).toBeVisible({ timeout: 30_000 });
  await op.expectGroupOn('failover1', 'server2');
  await page.screenshot({ path: test.info().outputPath('reconnected-to-server2.png'), fullPage: true });
  test.info().annotations.push({ type: 'timings', description: `page on server2 after ${reconnectedAfter} ms, failover shown after ${failedOverAfter} ms` });
});
