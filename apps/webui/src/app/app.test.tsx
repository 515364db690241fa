import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { validateClusterConfig } from '@kumo/shared';
import type { ClusterStatus } from '@kumo/shared';
import guideVip from '@kumo/shared/fixtures/guide-vip.json';
import { FakeAgent } from '../testing/fake-agent';
import { renderApp } from '../testing/render';
import { App } from './app';

function runningConfig(language: 'en' | 'ja') {
  const r = validateClusterConfig({ ...guideVip, cluster: { ...guideVip.cluster, language } });
  if (!r.ok) throw new Error('invalid fixture');
  return r.config;
}

function status(groupState: 'online' | 'offline'): ClusterStatus {
  return {
    from: 'server1',
    generatedAt: 1,
    cluster: { name: 'cluster', state: 'running', master: 'server1', configVersion: 1, configHash: 'h1' },
    servers: [
      { name: 'server1', address: '10.0.110.10', state: 'online', isLocal: true, isMaster: true, heartbeats: [], np: [], configHash: 'h1' },
      { name: 'server2', address: '10.0.120.10', state: 'online', isLocal: false, isMaster: false, heartbeats: [{ priority: 1, address: '10.0.120.10', state: 'normal', lastSeenMsAgo: 100 }], np: [], configHash: 'h1' },
    ],
    groups: [{ name: 'failover1', state: groupState, current: groupState === 'online' ? 'server1' : null, activeOn: [], pending: null, resources: [{ name: 'awsvip1', type: 'awsvip', state: groupState }] }],
    monitors: [{ name: 'awsvipw1', type: 'awsvipw', perServer: { server1: { state: 'normal', lastCheck: 1 }, server2: { state: 'offline', lastCheck: null } } }],
    mirrors: [],
  };
}

function configured(language: 'en' | 'ja' = 'en'): FakeAgent {
  return FakeAgent.fresh()
    .handle('session.info', () => ({ server: 'server1', version: '0.1.0', role: 'operate', passwordRequired: false, configured: true, peers: [] }))
    .handle('config.get', () => ({ config: runningConfig(language), version: 1, hash: 'h1', appliedBy: 'WebUI', appliedAt: 1 }))
    .handle('status.get', () => status('online'));
}

describe('the shell', () => {
  it('shows the cluster, the server it talks to, and starts in operation mode with a minimal status table', async () => {
    const fake = configured();
    renderApp(fake);
    expect(await screen.findByText('server1', { selector: 'strong' })).toBeTruthy();
    expect(screen.getByText('Connected to', { exact: false })).toBeTruthy();
    await waitFor(() => expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'Mode' }).value).toBe('operation'));
    expect(screen.getByText(/Minimal read-only status/)).toBeTruthy();
    const groups = screen.getByRole('table', { name: 'Groups' });
    expect(within(groups).getByRole('row', { name: /failover1/ }).textContent).toContain('Online');
    act(() => fake.emit('status', status('offline')));
    expect(within(screen.getByRole('table', { name: 'Groups' })).getByRole('row', { name: /failover1/ }).textContent).toContain('Offline');
    const monitors = screen.getByRole('table', { name: 'Monitors' });
    expect(within(monitors).getByRole('row', { name: /awsvipw1/ }).textContent).toBe('awsvipw1NormalOffline');
  });

  it('starts in config mode with the wizard offered when the cluster has no configuration', async () => {
    renderApp(FakeAgent.fresh());
    expect(await screen.findByRole('heading', { name: 'This cluster has no configuration yet' })).toBeTruthy();
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'Mode' }).value).toBe('config');
    expect(screen.getByRole('button', { name: 'Cluster generation wizard' })).toBeTruthy();
    expect(screen.getByLabelText('Import')).toBeTruthy();
  });

  it('speaks the cluster\'s language by default, and the switch wins over it', async () => {
    const user = userEvent.setup();
    render(<App client={configured('ja')} pageHost="10.0.110.10" />);
    await waitFor(() => expect(screen.getByRole('option', { name: '操作モード' })).toBeTruthy());
    expect(screen.getByRole('combobox', { name: 'モード' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('ja');
    await user.click(screen.getByRole('button', { name: 'English' }));
    expect(screen.getByRole('option', { name: 'Operation mode' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Mode' }), 'config');
    expect(await screen.findByRole('button', { name: 'Apply the configuration' })).toBeTruthy();
  });

  it('says the connection was lost and loads everything again when it is back', async () => {
    const fake = configured();
    renderApp(fake);
    await screen.findByText('server1', { selector: 'strong' });
    const before = fake.callsOf('session.info').length;
    act(() => fake.setState('connecting'));
    expect(screen.getByText('Connection lost; reconnecting…')).toBeTruthy();
    act(() => fake.setState('open'));
    expect(screen.queryByText('Connection lost; reconnecting…')).toBeNull();
    await waitFor(() => expect(fake.callsOf('session.info').length).toBe(before + 1));
    expect(fake.callsOf('config.get').length).toBe(2);
  });

  it('renders an error code with the shared catalogue\'s sentence in the chosen language', async () => {
    const user = userEvent.setup();
    const fake = configured().fail('status.get', 'KUMO_E_AUTH_REQUIRED', 'log in');
    renderApp(fake);
    expect(await screen.findByText(/The status could not be read. Log in first./)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: '日本語' }));
    expect(screen.getByText(/ステータスを取得できませんでした。 ログインしてください。/)).toBeTruthy();
  });

  it('says why when the configuration cannot be read (a password is required) instead of waiting for ever', async () => {
    const user = userEvent.setup();
    const fake = configured().fail('config.get', 'KUMO_E_AUTH_REQUIRED', 'log in').fail('status.get', 'KUMO_E_AUTH_REQUIRED', 'log in');
    renderApp(fake);
    expect(await screen.findByText('Log in first.')).toBeTruthy();
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'Mode' }).value).toBe('operation');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Mode' }), 'config');
    expect(screen.queryByRole('button', { name: 'Cluster generation wizard' })).toBeNull();
  });
});
