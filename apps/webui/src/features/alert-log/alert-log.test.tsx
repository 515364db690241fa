import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { ALERTS, renderAlert } from '@kumo/shared';
import type { AlertEntry, AlertKey, MethodParams } from '@kumo/shared';
import { renderApp } from '../../testing/render';
import { clusterAgent } from '../operation/fixtures';

const T0 = new Date(2025, 0, 2, 3, 4, 5, 6).getTime();

function alert(id: number, key: AlertKey, args: (string | number)[], server = 'server1', time = T0 + id * 1000): AlertEntry {
  const { module, eventId, level } = ALERTS[key];
  return { id, time, server, module, eventId, level, key, args, message: renderAlert(key, args) };
}

/** An agent with these stored alerts, answering queries as the agent does (newest first, filtered, paged). */
function withAlerts(entries: AlertEntry[]) {
  const agent = clusterAgent();
  agent.handle('alerts.query', (q: MethodParams<'alerts.query'>) => {
    const rows = entries
      .filter((e) => (q.beforeId === undefined || e.id < q.beforeId) && (!q.server || e.server === q.server) && (!q.level || e.level === q.level) && (!q.module || e.module === q.module))
      .sort((a, b) => b.id - a.id)
      .slice(0, q.limit ?? 200);
    return { entries: rows };
  });
  return agent;
}

async function openLog(agent: ReturnType<typeof withAlerts>) {
  const user = userEvent.setup();
  renderApp(agent);
  const region = await screen.findByRole('region', { name: 'Alert log' });
  await within(region).findByRole('table', { name: 'Alert log' });
  // The table is drawn before the agent's answer arrives (under load, some turns later): wait for the first page.
  await within(region).findByText(/alerts? shown/);
  return { user, log: within(region) };
}

const messages = (log: ReturnType<typeof within>) => log.getAllByRole('row').slice(1).map((r: HTMLElement) => within(r).getAllByRole('cell').at(-1)!.textContent);

describe('the alert log', () => {
  it('shows the newest alerts with CLUSTERPRO\'s columns, in the chosen language', async () => {
    const agent = withAlerts([alert(1, 'serverStopped', ['server2']), alert(2, 'groupMoved', ['failover1', 'server2'], 'server2')]);
    const { user, log } = await openLog(agent);
    const rows = log.getAllByRole('row');
    expect(within(rows[0]!).getAllByRole('columnheader').map((c) => c.textContent)).toEqual(['Type', 'Time', 'Server', 'Module', 'Event ID', 'Message']);
    expect(within(rows[1]!).getAllByRole('cell').map((c) => c.textContent)).toEqual(['Info', '2025/01/02 03:04:07.006', 'server2', 'rc', '51', 'The group failover1 has been moved to server2.']);
    expect(within(rows[2]!).getAllByRole('cell')[0]!.textContent).toBe('Error');
    await user.click(screen.getByRole('button', { name: '日本語' }));
    const ja = within(screen.getByRole('region', { name: 'アラートログ' }));
    expect(messages(ja)).toEqual(['グループ failover1 を server2 に移動しました。', 'サーバ server2 が停止しました。']);
    expect(agent.callsOf('alerts.query')[0]).toEqual({ limit: 50 });
  });

  it('adds alerts live, newest first, without repeating one the query also returned', async () => {
    const first = alert(1, 'groupStarted', ['failover1']);
    const agent = withAlerts([first]);
    const { log } = await openLog(agent);
    // A live event carries the raising server's id, not the stored row id: the same alert with another id.
    act(() => agent.emit('alert', { ...first, id: 77 }));
    act(() => agent.emit('alert', alert(78, 'serverStopped', ['server1'], 'server2')));
    expect(messages(log)).toEqual(['Server server1 has been stopped.', 'The group failover1 has been started.']);
    expect(log.getByText('2 alerts shown')).toBeTruthy();
  });

  it('filters by server, level and module, at the agent and for live alerts', async () => {
    const agent = withAlerts([alert(1, 'groupStarted', ['failover1']), alert(2, 'serverStopped', ['server1'], 'server2'), alert(3, 'heartbeatDelayed', ['lankhb1', 'server1', 3, 4], 'server2')]);
    const { user, log } = await openLog(agent);
    const filters = within(screen.getByRole('group', { name: 'Filter the alert log' }));
    await user.selectOptions(filters.getByLabelText('Server'), 'server2');
    await waitFor(() => expect(messages(log)).toHaveLength(2));
    expect(agent.callsOf('alerts.query').at(-1)).toEqual({ limit: 50, server: 'server2' });
    act(() => agent.emit('alert', alert(90, 'groupMoved', ['failover1', 'server2'], 'server1')));
    expect(messages(log)).toHaveLength(2);
    await user.selectOptions(filters.getByLabelText('Type'), 'warning');
    await waitFor(() => expect(messages(log)).toEqual([expect.stringContaining('Heartbeats sent from HB resource lankhb1 of server server1 are delayed.')]));
    expect(agent.callsOf('alerts.query').at(-1)).toEqual({ limit: 50, server: 'server2', level: 'warning' });
    await user.selectOptions(filters.getByLabelText('Server'), '');
    await user.selectOptions(filters.getByLabelText('Type'), '');
    await user.selectOptions(filters.getByLabelText('Module'), 'rc');
    await waitFor(() => expect(messages(log)).toEqual(['The group failover1 has been moved to server2.', 'The group failover1 has been started.']));
    expect(agent.callsOf('alerts.query').at(-1)).toEqual({ limit: 50, module: 'rc' });
  });

  it('pages back with beforeId until there is nothing older', async () => {
    const all = Array.from({ length: 70 }, (_, i) => alert(i + 1, 'groupStarted', [`g${i + 1}`]));
    const agent = withAlerts(all);
    const { user, log } = await openLog(agent);
    expect(messages(log)).toHaveLength(50);
    expect(messages(log)[0]).toBe('The group g70 has been started.');
    await user.click(log.getByRole('button', { name: 'Show older alerts' }));
    await waitFor(() => expect(messages(log)).toHaveLength(70));
    expect(agent.callsOf('alerts.query').at(-1)).toEqual({ limit: 50, beforeId: 21 });
    expect(messages(log).at(-1)).toBe('The group g1 has been started.');
    expect(log.getByText('No older alerts.')).toBeTruthy();
  });

  it('reads the first page again after a reconnect (perhaps to another server)', async () => {
    const agent = withAlerts([alert(1, 'groupStarted', ['failover1'])]);
    await openLog(agent);
    const before = agent.callsOf('alerts.query').length;
    act(() => agent.setState('connecting'));
    act(() => agent.setState('open'));
    await waitFor(() => expect(agent.callsOf('alerts.query').length).toBeGreaterThan(before));
  });
});
