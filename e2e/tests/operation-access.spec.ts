/**
 * Access control of the Cluster WebUI against real agents: with both passwords set nothing is shown before a
 * login; a wrong password is refused (and answered ever more slowly); a reference login sees the dashboard with
 * every operation disabled, and the agent refuses an operation from it anyway (KUMO_E_FORBIDDEN), whether sent
 * over the page's own session or by another client; the session survives a reload; logout ends it; the operation
 * password operates. Then the client address lists: an address on the reference list looks without a password,
 * an address on no list is refused and the page says so.
 */
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { AgentClient } from '@kumo/agent/client';
import { KumoCluster } from '../harness/cluster.js';
import { OperationPage } from '../harness/pages/operation.js';

test.describe.configure({ mode: 'serial', timeout: 120_000 });

let cluster: KumoCluster;
let op: OperationPage;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cluster = await KumoCluster.start({ subnet: '127.0.21', config: null, heartbeat: { intervalS: 1, timeoutS: 8 } });
  const admin = await cluster.client('server1');
  await admin.call('config.apply', { config: cluster.chapter('vip'), passwords: { operation: 'op-pass', reference: 'ref-pass' } });
  await cluster.waitOnline('failover1', 'server1', 'server1', 60_000);
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

/** What the page's window offers that e2e's Node typings do not name. */
type PageWindow = { sessionStorage: { getItem(key: string): string | null }; location: { host: string } };

/** Sends one request over a new WebSocket from the page, presenting the page's own session token first. */
function requestWithPageSession(page: Page, method: string, params: unknown): Promise<{ login: unknown; answer: unknown }> {
  return page.evaluate(
    ({ method, params }) =>
      new Promise<{ login: unknown; answer: unknown }>((resolve, reject) => {
        const w = globalThis as unknown as PageWindow;
        const token = w.sessionStorage.getItem('kumo.session');
        const ws = new WebSocket(`ws://${w.location.host}/api/ws`);
        let login: unknown;
        ws.onerror = () => reject(new Error('the socket failed'));
        ws.onopen = () => ws.send(JSON.stringify({ kind: 'request', id: 'login', method: 'session.login', params: { token } }));
        ws.onmessage = (ev) => {
          const msg = JSON.parse(String(ev.data)) as { kind: string; id?: string };
          if (msg.kind !== 'response') return;
          if (msg.id === 'login') {
            login = msg;
            ws.send(JSON.stringify({ kind: 'request', id: 'op', method, params }));
          } else if (msg.id === 'op') {
            ws.close();
            resolve({ login, answer: msg });
          }
        };
      }),
    { method, params },
  );
}

test('passwords: a wrong one is refused, a reference login cannot operate (page and agent), reload keeps the session, logout ends it', async ({ page }) => {
  await op.open(cluster.url('server1'));
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Groups' })).toHaveCount(0);

  // Wrong passwords: refused with the catalogue's sentence; the agent answers each failure more slowly.
  const timings: number[] = [];
  for (let i = 0; i < 3; i += 1) {
    const t0 = Date.now();
    await op.login(`wrong-${i}`);
    await expect(page.getByRole('alert')).toContainText('The password is wrong; try again (attempts are slowed down after failures).');
    await expect(page.getByRole('button', { name: 'Log in' })).toBeEnabled();
    timings.push(Date.now() - t0);
  }
  expect(timings[2]).toBeGreaterThanOrEqual(450);
  await expect(page.getByText('Repeated failures are answered more slowly; wait for the answer.')).toBeVisible();

  // The reference password: everything is visible, every operation disabled.
  await op.login('ref-pass');
  await op.expectGroupOn('failover1', 'server1');
  await expect(page.getByRole('banner')).toContainText('Access: Reference');
  await expect(page.getByText(/^Reference-only access: you can see everything, but operations are disabled/)).toBeVisible();
  const buttons = op.operationButtons();
  expect(await buttons.count()).toBeGreaterThan(15);
  for (const b of await buttons.all()) await expect(b).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Stop failover1' })).toHaveAttribute('title', 'Operations are disabled for reference-only access');
  await page.screenshot({ path: test.info().outputPath('reference-login.png'), fullPage: true });

  // The agent refuses anyway: over the page's own session…
  const fromPage = await requestWithPageSession(page, 'group.stop', { group: 'failover1' });
  expect(fromPage.login).toMatchObject({ ok: true, result: { role: 'reference' } });
  expect(fromPage.answer).toMatchObject({ ok: false, error: { code: 'KUMO_E_FORBIDDEN' } });
  // …and from another client logged in with the reference password.
  const other = await AgentClient.connect(cluster.url('server2'));
  try {
    await expect(other.call('group.stop', { group: 'failover1' })).rejects.toMatchObject({ code: 'KUMO_E_AUTH_REQUIRED' });
    await expect(other.call('session.login', { password: 'ref-pass' })).resolves.toMatchObject({ role: 'reference' });
    await expect(other.call('status.get', {})).resolves.toMatchObject({ cluster: { name: 'cluster' } });
    await expect(other.call('group.stop', { group: 'failover1' })).rejects.toMatchObject({ code: 'KUMO_E_FORBIDDEN' });
  } finally {
    other.close();
  }
  expect((await cluster.status('server1')).groups[0]).toMatchObject({ name: 'failover1', state: 'online', current: 'server1' });

  // A reload keeps the session (the token is in sessionStorage).
  await page.reload();
  await op.expectGroupOn('failover1', 'server1');
  await expect(page.getByRole('banner')).toContainText('Access: Reference');

  await page.getByRole('banner').getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'Log in' })).toBeVisible();
  await expect(page.getByText('You have logged out.')).toBeVisible();
  expect(await page.evaluate(() => (globalThis as unknown as PageWindow).sessionStorage.getItem('kumo.session'))).toBeNull();
});

test('the operation password operates: suspend and resume a monitor from the dashboard', async ({ page }) => {
  await op.open(cluster.url('server1'));
  await op.login('op-pass');
  await op.expectGroupOn('failover1', 'server1');
  await expect(page.getByRole('banner')).toContainText('Access: Operation');
  const row = page.getByRole('table', { name: 'Monitors' }).getByRole('row', { name: /^awsazw1\b/ });
  await op.operate('Suspend awsazw1', { title: 'Suspend monitoring', question: 'Suspend awsazw1? No failure is detected while it is suspended.' });
  await expect(row.getByRole('cell').nth(0)).toHaveText('Suspend');
  await expect(row.getByRole('cell').nth(1)).toHaveText('Suspend');
  await expect(op.alertLog()).toContainText('Monitor awsazw1 was suspended.');
  await op.operate('Resume awsazw1', { title: 'Resume monitoring' });
  await expect(row.getByRole('cell').nth(0)).toHaveText('Normal');
});

test('client address lists: the reference list looks without a password, an address on no list is refused and told so', async ({ page }) => {
  const admin = await cluster.client('server1');
  // The browser connects from 127.0.0.1: on the reference list, with the passwords removed.
  const webui = { clientAccess: { enabled: true, operation: ['10.0.0.0/8'], reference: ['127.0.0.0/8'] } };
  const config = cluster.chapter('vip');
  await admin.call('config.apply', { config: { ...config, cluster: { ...config.cluster, webui } }, passwords: { operation: null, reference: null } });
  await op.open(cluster.url('server1'));
  await op.expectGroupOn('failover1', 'server1');
  await expect(page.getByRole('banner')).toContainText('Access: Reference');
  await expect(page.getByRole('button', { name: 'Move failover1' })).toBeDisabled();

  // On no list: the agent refuses the connection itself; the page says why.
  await admin.call('config.apply', { config: { ...config, cluster: { ...config.cluster, webui: { clientAccess: { enabled: true, operation: ['10.0.0.0/8'], reference: [] } } } } });
  await page.reload();
  const alert = page.getByRole('alert');
  await expect(alert).toContainText('This address may not use the Cluster WebUI.');
  await expect(alert).toContainText('Connections from this address are not allowed; ask the administrator to add it to the client list.');
  await expect(page.getByRole('heading', { name: 'Log in' })).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('address-refused.png') });
});
