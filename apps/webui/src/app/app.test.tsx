import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { AgentRequestError } from '../lib/agent-socket';
import { clusterAgent, group, statusOf } from '../features/operation/fixtures';
import type { Role } from '../features/operation/fixtures';
import { FakeAgent } from '../testing/fake-agent';
import { renderApp } from '../testing/render';
import { App } from './app';

const toolbar = () => within(screen.getByRole('banner'));

/**
 * An agent whose cluster has passwords: `anonymous` is the role without a login (null when both passwords are
 * set); "op-secret" operates and "ref-secret" looks.
 */
function protectedAgent(anonymous: Role = null) {
  let role: Role = anonymous;
  const fake = clusterAgent({ role: anonymous, passwordRequired: true });
  const guarded = <T,>(value: () => T) => () => {
    if (!role) throw new AgentRequestError('KUMO_E_AUTH_REQUIRED', 'log in first');
    return value();
  };
  fake
    .handle('session.info', () => ({ server: 'server1', version: '0.1.0', role, passwordRequired: true, configured: true, peers: [] }))
    .handle('status.get', guarded(() => statusOf()))
    .handle('session.login', (p) => {
      if (p.password === 'op-secret') role = 'operate';
      else if (p.password === 'ref-secret' && anonymous === null) role = 'reference';
      else throw new AgentRequestError('KUMO_E_AUTH_FAILED', 'the password is wrong');
      return { role, expiresAt: Date.now() + 60_000, token: `tok-${role}` };
    })
    .handle('session.logout', () => {
      role = anonymous;
      return { ok: true };
    });
  return { fake, expire: () => (role = anonymous) };
}

describe('the shell', () => {
  it('shows the cluster, the server it talks to, and starts in operation mode with the dashboard, live', async () => {
    const fake = clusterAgent();
    renderApp(fake);
    expect(await toolbar().findByText('server1', { selector: 'strong' })).toBeTruthy();
    expect(toolbar().getByText('Connected to', { exact: false })).toBeTruthy();
    expect(toolbar().getByText('Access: Operation')).toBeTruthy();
    await waitFor(() => expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'Mode' }).value).toBe('operation'));
    const groups = await screen.findByRole('table', { name: 'Groups' });
    expect(within(groups).getByRole('row', { name: /^failover1/ }).textContent).toContain('Online');
    act(() => fake.emit('status', statusOf({ groups: [group({ current: null, state: 'offline' })] })));
    expect(within(screen.getByRole('table', { name: 'Groups' })).getByRole('row', { name: /^failover1/ }).textContent).toContain('Offline');
  });

  it('starts in config mode with the wizard offered when the cluster has no configuration', async () => {
    renderApp(FakeAgent.fresh());
    expect(await screen.findByRole('heading', { name: 'This cluster has no configuration yet' })).toBeTruthy();
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'Mode' }).value).toBe('config');
    expect(screen.getByRole('button', { name: 'Cluster generation wizard' })).toBeTruthy();
    expect(screen.getByLabelText('Import')).toBeTruthy();
  });

  it("speaks the cluster's language by default, and the switch wins over it", async () => {
    const user = userEvent.setup();
    render(<App client={clusterAgent({ language: 'ja' })} pageHost="10.0.110.10" />);
    await waitFor(() => expect(screen.getByRole('option', { name: '操作モード' })).toBeTruthy());
    expect(screen.getByRole('combobox', { name: 'モード' })).toBeTruthy();
    expect(await screen.findByRole('table', { name: 'グループ' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'failover1 の移動' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('ja');
    await user.click(screen.getByRole('button', { name: 'English' }));
    expect(screen.getByRole('option', { name: 'Operation mode' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Mode' }), 'config');
    expect(await screen.findByRole('button', { name: 'Apply the configuration' })).toBeTruthy();
  });

  it('says the connection was lost and loads everything again when it is back', async () => {
    const fake = clusterAgent();
    renderApp(fake);
    await toolbar().findByText('server1', { selector: 'strong' });
    const before = fake.callsOf('session.info').length;
    act(() => fake.setState('connecting'));
    expect(screen.getByText('Connection lost; reconnecting…')).toBeTruthy();
    expect(screen.getByText(/The connection is lost; the state shown may be out of date/)).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Move failover1' }).disabled).toBe(true);
    act(() => fake.setState('open'));
    expect(screen.queryByText('Connection lost; reconnecting…')).toBeNull();
    await waitFor(() => expect(fake.callsOf('session.info').length).toBe(before + 1));
    expect(fake.callsOf('config.get').length).toBe(2);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Move failover1' }).disabled).toBe(false);
  });

  it('knows the connection is open even when it opened before the page listened', async () => {
    const fake = clusterAgent();
    let reads = 0;
    // The first read (the first render) sees it connecting; it opens before the shell subscribes, silently.
    Object.defineProperty(fake, 'state', { get: () => (reads++ === 0 ? 'connecting' : 'open') });
    renderApp(fake);
    await screen.findByRole('table', { name: 'Groups' });
    expect(screen.queryByText('Connection lost; reconnecting…')).toBeNull();
    expect(toolbar().queryByText('Connecting…')).toBeNull();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Move failover1' }).disabled).toBe(false);
  });

  it('carries on with another server of the cluster when its own dies, and says so', async () => {
    const fake = clusterAgent();
    renderApp(fake);
    await toolbar().findByText('server1', { selector: 'strong' });
    act(() => fake.setState('connecting'));
    // The client reconnected to server2 (the agent-socket tests show how): it answers from now on.
    fake
      .handle('session.info', () => ({ server: 'server2', version: '0.1.0', role: 'operate', passwordRequired: false, configured: true, peers: [] }))
      .handle('status.get', () => statusOf({ from: 'server2', groups: [group({ current: 'server2' })] }));
    act(() => fake.setState('open'));
    expect(await toolbar().findByText('server2', { selector: 'strong' })).toBeTruthy();
    expect(await screen.findByText('This page was loaded from server1, which no longer answers; it now talks to server2 and carries on.')).toBeTruthy();
    const row = within(await screen.findByRole('table', { name: 'Groups' })).getByRole('row', { name: /^failover1/ });
    await waitFor(() => expect(within(row).getAllByRole('cell')[1]!.textContent).toBe('server2'));
    expect(within(screen.getByRole('group', { name: 'server2' })).getByText('failover1')).toBeTruthy();
  });

  it("renders an error code with the shared catalogue's sentence in the chosen language", async () => {
    const user = userEvent.setup();
    const fake = clusterAgent().fail('status.get', 'KUMO_E_AUTH_REQUIRED', 'log in');
    renderApp(fake);
    expect(await screen.findByText(/The status could not be read. Log in first./)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '日本語' }));
    expect(screen.getByText(/ステータスを取得できませんでした。 ログインしてください。/)).toBeTruthy();
  });

  it('says clearly when the client address is refused, instead of a login or a spinner', async () => {
    const fake = clusterAgent()
      .fail('session.info', 'KUMO_E_CLIENT_ADDRESS_DENIED', 'refused')
      .fail('config.get', 'KUMO_E_CLIENT_ADDRESS_DENIED', 'refused')
      .fail('status.get', 'KUMO_E_CLIENT_ADDRESS_DENIED', 'refused');
    renderApp(fake);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('This address may not use the Cluster WebUI.');
    expect(alert.textContent).toContain('Connections from this address are not allowed; ask the administrator to add it to the client list.');
    expect(screen.queryByRole('heading', { name: 'Log in' })).toBeNull();
  });
});

describe('access control', () => {
  it('asks for the password when nothing may be seen without one; a wrong one is refused with the reason', async () => {
    const user = userEvent.setup();
    const { fake } = protectedAgent(null);
    renderApp(fake);
    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeTruthy();
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'Mode' }).disabled).toBe(true);
    expect(screen.queryByRole('alert')).toBeNull();
    await user.type(screen.getByLabelText('Password'), 'guess');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The password is wrong; try again (attempts are slowed down after failures).');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByText('Repeated failures are answered more slowly; wait for the answer.')).toBeTruthy();
    await user.clear(screen.getByLabelText('Password'));
    await user.type(screen.getByLabelText('Password'), 'op-secret');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('table', { name: 'Groups' })).toBeTruthy();
    expect(fake.callsOf('session.login').at(-1)).toEqual({ password: 'op-secret' });
    expect(toolbar().getByText('Access: Operation')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Move failover1' }).disabled).toBe(false);
  });

  it('asks in Japanese too (ログイン, パスワード) and says a wrong password is wrong', async () => {
    const user = userEvent.setup();
    const { fake } = protectedAgent(null);
    renderApp(fake, { lang: 'ja' });
    expect(await screen.findByRole('heading', { name: 'ログイン' })).toBeTruthy();
    await user.type(screen.getByLabelText('パスワード'), 'guess');
    await user.click(screen.getByRole('button', { name: 'ログイン' }));
    expect((await screen.findByRole('alert')).textContent).toContain('パスワードが違います。');
  });

  it('logs out back to the login page', async () => {
    const user = userEvent.setup();
    const { fake } = protectedAgent(null);
    renderApp(fake);
    await user.type(await screen.findByLabelText('Password'), 'op-secret');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    await screen.findByRole('table', { name: 'Groups' });
    await user.click(toolbar().getByRole('button', { name: 'Log out' }));
    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeTruthy();
    expect(screen.getByText('You have logged out.')).toBeTruthy();
    expect(fake.callsOf('session.logout')).toHaveLength(1);
    expect(toolbar().queryByRole('button', { name: 'Log out' })).toBeNull();
  });

  it('says the session expired and asks again when the agent ends it', async () => {
    const user = userEvent.setup();
    const { fake, expire } = protectedAgent(null);
    renderApp(fake);
    await user.type(await screen.findByLabelText('Password'), 'op-secret');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    await screen.findByRole('table', { name: 'Groups' });
    expire();
    fake.loggedIn = false;
    act(() => fake.emit('session', { role: null, reason: 'expired' }));
    expect(await screen.findByRole('heading', { name: 'Log in' })).toBeTruthy();
    expect(screen.getByText('Your session has expired; log in again.')).toBeTruthy();
    await user.type(screen.getByLabelText('Password'), 'op-secret');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    expect(await screen.findByRole('table', { name: 'Groups' })).toBeTruthy();
    expect(screen.queryByText('Your session has expired; log in again.')).toBeNull();
  });

  it('shows a reference login everything with every operation disabled', async () => {
    const user = userEvent.setup();
    const { fake } = protectedAgent(null);
    renderApp(fake);
    await user.type(await screen.findByLabelText('Password'), 'ref-secret');
    await user.click(screen.getByRole('button', { name: 'Log in' }));
    await screen.findByRole('table', { name: 'Groups' });
    expect(toolbar().getByText('Access: Reference')).toBeTruthy();
    expect(screen.getByText(/Reference-only access: you can see everything, but operations are disabled/)).toBeTruthy();
    const ops = screen.getAllByRole<HTMLButtonElement>('button').filter((b) => b.classList.contains('op'));
    expect(ops.length).toBeGreaterThan(15);
    expect(ops.filter((b) => !b.disabled).map((b) => b.getAttribute('aria-label'))).toEqual([]);
    expect(screen.getByRole('button', { name: 'Move failover1' }).getAttribute('title')).toBe('Operations are disabled for reference-only access');
    // Looking is allowed: the what-if and the alert log work.
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Simulate' }).disabled).toBe(false);
    expect(screen.getByRole('region', { name: 'Alert log' })).toBeTruthy();
  });

  it('lets an anonymous reference user log in with the operation password from the toolbar', async () => {
    const user = userEvent.setup();
    const { fake } = protectedAgent('reference');
    renderApp(fake);
    await screen.findByRole('table', { name: 'Groups' });
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Stop failover1' }).disabled).toBe(true);
    await user.click(toolbar().getByRole('button', { name: 'Log in to operate' }));
    const dialog = screen.getByRole('dialog', { name: 'Log in' });
    await user.type(within(dialog).getByLabelText('Password'), 'op-secret');
    await user.click(within(dialog).getByRole('button', { name: 'Log in' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    await waitFor(() => expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Stop failover1' }).disabled).toBe(false));
    expect(toolbar().getByRole('button', { name: 'Log out' })).toBeTruthy();
  });
});
