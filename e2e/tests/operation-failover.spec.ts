/**
 * Operation mode against a real cluster (the guide's VIP configuration, chapter 5, on the AWS emulator): the
 * what-if of server1 going down; moving failover1 from the dashboard moves the VIP in all three route tables, and
 * the dashboard follows; a `kill -9`
 * of the agent running it fails it back over, and the dashboard and the alert log show that as it happens.
 */
import { expect, test } from '@playwright/test';
import { ENIS, KumoCluster, waitFor } from '../harness/cluster.js';
import { OperationPage } from '../harness/pages/operation.js';

test.describe.configure({ mode: 'serial', timeout: 120_000 });

let cluster: KumoCluster;
let op: OperationPage;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  // A heartbeat timeout with room for a loaded test machine: a 3 s timeout here once saw a 4 s delay and a
  // needless failover before the test began.
  cluster = await KumoCluster.start({ subnet: '127.0.20', config: 'vip', heartbeat: { intervalS: 1, timeoutS: 8 } });
  await startOnServer1();
  // The initial mirror copy must finish before the standby may take the mirror disk over.
  await cluster.waitMirrorsInSync();
});

/**
 * failover1 online on server1, where auto startup puts it. On a machine loaded by other test runs the first start
 * has been seen to land on server2 (a late heartbeat at startup); the test then moves it back and says so.
 */
async function startOnServer1(): Promise<void> {
  const where = await waitFor(
    'failover1 online somewhere',
    async () => {
      const g = (await cluster.status('server1')).groups.find((x) => x.name === 'failover1');
      return g?.state === 'online' && g.current ? g.current : undefined;
    },
    90_000,
    250,
  );
  if (where === 'server1') return;
  console.warn(`failover1 first came online on ${where}; moving it to server1 for the test`);
  await cluster.waitMirrorsInSync();
  await (await cluster.client('server1')).call('group.move', { group: 'failover1', server: 'server1' });
  await cluster.waitOnline('failover1', 'server1', 'server1', 30_000);
}

test.beforeEach(({ page }) => {
  op = new OperationPage(page);
});

test.afterEach(async ({ page: _page }, info) => {
  await op.attachLog(info);
});

test.afterAll(async () => {
  await cluster?.stop();
});

test('what-if says server1 down would fail over; moving failover1 to server2 from the dashboard moves the VIP in the route tables, and the dashboard follows', async ({ page }) => {
  await op.open(cluster.url('server1'));
  await op.expectGroupOn('failover1', 'server1');
  await expect(op.connectedTo()).toHaveText('server1');
  await expect(page.getByRole('article', { name: 'md' })).toContainText('Normal');
  await waitFor('the routes to point at server1', async () => (await cluster.vipRouteTargets()).every((t) => t === ENIS[0]), 15_000);

  // What if server1 went down? The engine's own decision, run in its simulator; nothing real moves.
  const whatIf = page.getByRole('region', { name: 'What if…' });
  await whatIf.getByLabel('What fails').selectOption('server');
  await whatIf.getByLabel('Server').selectOption('server1');
  await whatIf.getByRole('button', { name: 'Simulate' }).click();
  const outcome = whatIf.getByRole('region', { name: 'What would happen' });
  await expect(outcome).toContainText('server1 goes down');
  await expect(outcome).toContainText('Outcome: failover1: server1 → server2');
  await op.expectGroupOn('failover1', 'server1');

  await op.operate('Move failover1', {
    title: 'Move the group',
    choose: { label: 'Destination server', value: 'server2' },
    question: 'Move failover1 from server1 to server2? It is stopped, then started there.',
  });
  // Live: the page shows the move within a second of the agent knowing it.
  const agent = await cluster.client('server1');
  await waitFor(
    'server1 to see failover1 online on server2',
    async () => {
      const g = (await agent.call('status.get', {})).groups.find((x) => x.name === 'failover1');
      return g?.state === 'online' && g.current === 'server2';
    },
    60_000,
    50,
  );
  await expect(op.groupCells('failover1').nth(1)).toHaveText('server2', { timeout: 1_000 });
  await expect(page.getByText('Move failover1: done.')).toBeVisible({ timeout: 60_000 });
  await op.expectGroupOn('failover1', 'server2');
  await expect(op.groupCells('awsvip1').nth(0)).toHaveText('Online');
  await waitFor('the routes to point at server2', async () => (await cluster.vipRouteTargets()).every((t) => t === ENIS[1]), 15_000);
  expect(await cluster.vipRouteTargets()).toEqual([ENIS[1], ENIS[1], ENIS[1]]);
  // The agent's own view agrees with the page.
  const s = await cluster.status('server2');
  expect(s.groups.find((g) => g.name === 'failover1')).toMatchObject({ state: 'online', current: 'server2' });
  await expect(op.alertLog()).toContainText('The group failover1 has been moved to server2.');
  await page.screenshot({ path: test.info().outputPath('moved-to-server2.png'), fullPage: true });
});

test('kill -9 of the agent running failover1: the dashboard and the alert log show the failover live', async ({ page }) => {
  await op.open(cluster.url('server1'));
  await op.expectGroupOn('failover1', 'server2');
  const started = Date.now();
  await cluster.kill('server2');

  await expect(op.serverRow('server2').getByRole('cell').nth(1)).toHaveText('Offline', { timeout: 15_000 });
  await expect(op.serverBox('server2')).toContainText('Offline');
  await op.expectGroupOn('failover1', 'server1', 45_000);
  const seenAfter = Date.now() - started;
  await expect(op.alertLog()).toContainText('Server server2 has been stopped.');
  await expect(op.alertLog()).toContainText('The group failover1 has been failed over to server1.');
  await waitFor('the routes to point at server1', async () => (await cluster.vipRouteTargets()).every((t) => t === ENIS[0]), 15_000);

  // Moving it back to the dead server is refused, and the page says why in the catalogue's words and the agent's.
  await op.operate('Move failover1', { title: 'Move the group', question: 'Move failover1 from server1 to server2?' });
  const refusal = page.getByRole('alert').filter({ hasText: 'Move failover1: refused or failed.' });
  await expect(refusal).toContainText('The target server is down or its cluster service is stopped; choose another server or start it first.');
  await expect(refusal).toContainText('The agent said: server2 is down');
  await expect(refusal).toContainText('KUMO_E_SERVER_DOWN');

  // The alert log filters by server and level, at the agent.
  const filters = page.getByRole('group', { name: 'Filter the alert log' });
  await filters.getByLabel('Type').selectOption('error');
  await expect(op.alertLog().getByRole('row').nth(1)).toContainText('Error');
  await expect(op.alertLog()).not.toContainText('has been moved to server2');
  await filters.getByLabel('Type').selectOption('');
  await page.screenshot({ path: test.info().outputPath('failed-over-to-server1.png'), fullPage: true });

  // Japanese: CLUSTERPRO's words on the same page.
  await page.getByRole('button', { name: '日本語' }).click();
  await expect(page.getByRole('table', { name: 'アラートログ' })).toContainText('グループ failover1 を server1 にフェイルオーバしました。');
  await expect(page.getByRole('table', { name: 'グループ' }).getByRole('row', { name: /^failover1\b/ }).getByRole('cell').nth(0)).toHaveText(/^起動済/);
  test.info().annotations.push({ type: 'failover seen in the page after', description: `${seenAfter} ms` });
});
