import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { MethodName } from '@kumo/shared';
import { AgentRequestError } from '../../lib/agent-socket';
import { renderApp } from '../../testing/render';
import { clusterAgent, group, mirror, statusOf } from './fixtures';

async function open(agent = clusterAgent(), lang: 'en' | 'ja' = 'en') {
  const user = userEvent.setup();
  renderApp(agent, { lang });
  await screen.findByRole('table', { name: lang === 'en' ? 'Groups' : 'グループ' });
  return { user, agent };
}

const rowOf = (table: string, name: RegExp) => within(screen.getByRole('table', { name: table })).getByRole('row', { name });
const cells = (row: HTMLElement) => within(row).getAllByRole('cell').map((c) => c.textContent);

/** A request the test answers when it wants to (so the pending state can be seen). */
function deferred() {
  let resolve: (v: { ok: true }) => void = () => undefined;
  let reject: (e: unknown) => void = () => undefined;
  const promise = new Promise<{ ok: true }>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve: () => resolve({ ok: true }), reject };
}

describe('the dashboard', () => {
  it('shows the cluster, servers with heartbeats and NP, groups with resources, monitors per server and mirror colours', async () => {
    await open();
    const bar = screen.getByRole('region', { name: 'Cluster: cluster' });
    expect(bar.textContent).toContain('Running');
    expect(bar.textContent).toContain('Master server: server1');
    expect(bar.textContent).toContain('Status as seen by server1');

    expect(cells(rowOf('Servers', /^\*?server1/))).toEqual(['10.0.110.10', 'Online', '(this server)', 'witness 127.0.0.10:29009: Normal', 'Start serviceStop service']);
    expect(cells(rowOf('Servers', /^server2/)).slice(0, 4)).toEqual(['10.0.120.10', 'Online', 'Interconnect 1: Normal', 'witness 127.0.0.10:29009: Normal']);

    expect(cells(rowOf('Groups', /^failover1/)).slice(0, 2)).toEqual(['Online', 'server1']);
    expect(cells(rowOf('Groups', /^awsvip1/))[0]).toBe('Online');
    expect(rowOf('Groups', /^md/).textContent).toContain('Mirror disk resource');

    expect(cells(rowOf('Monitors', /^awsvipw1/)).slice(0, 2)).toEqual(['Normal', 'Offline']);

    const md = screen.getByRole('table', { name: 'md' });
    expect(within(md).getByRole('row', { name: /^server1/ }).textContent).toContain('GREEN (up to date)');
    expect(screen.queryByRole('progressbar')).toBeNull();
  });

  it('draws which group runs where, the interconnect between the servers and the NP target', async () => {
    const { agent } = await open();
    const figure = screen.getByRole('figure', { name: 'Where the groups run' });
    const s1 = within(figure).getByRole('group', { name: 'server1' });
    expect(within(s1).getByText('failover1')).toBeTruthy();
    expect(s1.textContent).toContain('md: GREEN (up to date)');
    expect(within(within(figure).getByRole('group', { name: 'server2' })).queryByText('failover1')).toBeNull();
    expect(within(figure).getByText('server1 ⇄ server2:', { exact: false }).parentElement?.textContent).toContain('Normal');
    expect(within(figure).getByRole('list', { name: 'NP targets' }).textContent).toContain('witness 127.0.0.10:29009');

    // Live: server2 lost, the group fails over; within the same render the picture follows.
    act(() => agent.emit('status', statusOf({ server2: 'offline', groups: [group({ current: null, state: 'offline' })] })));
    expect(within(figure).getByRole('group', { name: 'Not running' }).textContent).toContain('failover1');
    expect(within(figure).getByText('server1 ⇄ server2:', { exact: false }).parentElement?.textContent).toContain('Error');
    act(() => agent.emit('status', statusOf({ groups: [group({ current: 'server2', activeOn: ['server2'] })] })));
    expect(within(within(figure).getByRole('group', { name: 'server2' })).getByText('failover1')).toBeTruthy();
    // A split brain shows the group in both servers, as an error.
    act(() => agent.emit('status', statusOf({ groups: [group({ state: 'error', current: 'server1', activeOn: ['server1', 'server2'] })] })));
    expect(within(within(figure).getByRole('group', { name: 'server2' })).getByText('failover1').closest('li')?.className).toContain('chip-error');
    expect(rowOf('Groups', /^failover1/).textContent).toContain('Active on server1, server2');
  });

  it('speaks clpstat in English and the WebUI in Japanese', async () => {
    await open(clusterAgent({ language: 'ja' }), 'ja');
    expect(cells(rowOf('グループ', /^failover1/)).slice(0, 2)).toEqual(['起動済', 'server1']);
    expect(cells(rowOf('モニタリソース', /^awsvipw1/)).slice(0, 2)).toEqual(['正常', '停止済']);
    expect(screen.getByRole('button', { name: 'failover1 の移動' }).textContent).toBe('移動');
    expect(screen.getByRole('button', { name: 'md のミラー復帰' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'md の強制ミラー復帰' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'クラスタサスペンド' })).toBeTruthy();
    expect(screen.getByRole('region', { name: 'アラートログ' })).toBeTruthy();
  });

  it('shows a mirror recovery with a progress bar, its rate and the time left, in YELLOW', async () => {
    const { agent } = await open();
    const recovering = mirror({
      status: 'recovering',
      perServer: { server1: { color: 'GREEN', role: 'primary' }, server2: { color: 'YELLOW', role: 'secondary' } },
      recovery: { source: 'server1', target: 'server2', totalBytes: 100 * 1024 * 1024, doneBytes: 40 * 1024 * 1024, rateBytesPerSec: 12 * 1024 * 1024, remainingSeconds: 5 },
    });
    act(() => agent.emit('status', statusOf({ mirrors: [recovering] })));
    const bar = screen.getByRole('progressbar', { name: 'Mirror recovery of md' });
    expect(bar.getAttribute('aria-valuenow')).toBe('40');
    expect(bar.parentElement?.textContent).toContain('40% copied from server1 to server2 at 12.0 MiB/s, 5 s left (40.0 MiB / 100 MiB)');
    expect(within(screen.getByRole('table', { name: 'md' })).getByRole('row', { name: /^server2/ }).textContent).toContain('YELLOW (recovering)');
    expect(screen.getByRole('article', { name: 'md' }).textContent).toContain('Recovering');
  });
});

describe('operations', () => {
  it('asks before moving a group, offering its startup servers, and shows it running until the agent answers', async () => {
    const move = deferred();
    const { user, agent } = await open(clusterAgent().handle('group.move', () => move.promise));
    await user.click(screen.getByRole('button', { name: 'Move failover1' }));
    let dialog = screen.getByRole('alertdialog', { name: 'Move the group' });
    expect(dialog.textContent).toContain('Move failover1 from server1 to server2? It is stopped, then started there.');
    expect(within(dialog).getAllByRole('option').map((o) => o.textContent)).toEqual(['server2']);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(agent.callsOf('group.move')).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Move failover1' }));
    dialog = screen.getByRole('alertdialog', { name: 'Move the group' });
    await user.click(within(dialog).getByRole('button', { name: 'OK' }));
    expect(agent.callsOf('group.move')).toEqual([{ group: 'failover1', server: 'server2' }]);
    expect(rowOf('Groups', /^failover1/).textContent).toContain('Move failover1: running…');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Stop failover1' }).disabled).toBe(true);
    // The agent's own pending state arrives with the status.
    act(() => agent.emit('status', statusOf({ groups: [group({ state: 'online-pending', current: null, activeOn: [], pending: { operation: 'group.activate', target: 'server2' } })] })));
    expect(rowOf('Groups', /^failover1/).textContent).toContain('Online Pending');
    expect(rowOf('Groups', /^failover1/).textContent).toContain('Starting on server2…');
    expect(screen.getByRole('figure', { name: 'Where the groups run' }).textContent).toContain('Starting on server2…');
    act(() => agent.emit('status', statusOf({ groups: [group({ current: 'server2', activeOn: ['server2'] })] })));
    await act(async () => move.resolve());
    expect(await screen.findByText('Move failover1: done.')).toBeTruthy();
    expect(cells(rowOf('Groups', /^failover1/)).slice(0, 2)).toEqual(['Online', 'server2']);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Stop failover1' }).disabled).toBe(false);
  });

  it("shows a refusal with the code's sentence in the chosen language and the agent's own words", async () => {
    const { user } = await open(clusterAgent().fail('group.stop', 'KUMO_E_GROUP_BUSY', 'failover1 is moving to server2'));
    await user.click(screen.getByRole('button', { name: 'Stop failover1' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Stop the group' });
    expect(dialog.textContent).toContain('Stop failover1 on server1? Its resources are deactivated.');
    await user.click(within(dialog).getByRole('button', { name: 'OK' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Stop failover1: refused or failed.');
    expect(alert.textContent).toContain('The group is already starting, stopping or moving; wait until it finishes.');
    expect(alert.textContent).toContain('The agent said: failover1 is moving to server2');
    expect(alert.textContent).toContain('KUMO_E_GROUP_BUSY');
    await user.click(screen.getByRole('button', { name: '日本語' }));
    expect(screen.getByRole('alert').textContent).toContain('グループは起動・停止・移動の処理中です。終了を待ってください。');
    await user.click(within(screen.getByRole('alert')).getByRole('button', { name: '閉じる' }));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows the FORBIDDEN refusal when the agent refuses an operation that slipped through', async () => {
    const { user } = await open(clusterAgent().fail('resource.stop', 'KUMO_E_FORBIDDEN', 'reference only'));
    await user.click(screen.getByRole('button', { name: 'Stop awsvip1' }));
    await user.click(within(screen.getByRole('alertdialog', { name: 'Stop the resource' })).getByRole('button', { name: 'OK' }));
    expect((await screen.findByRole('alert')).textContent).toContain('This login is reference-only; log in with the operation password to operate the cluster.');
  });

  // Each operation: the button, the dialog's title and question, a choice if any, and the request it sends.
  const cases: { name: string; title: string; question: string; choose?: [string, string]; method: MethodName; params: unknown; setup?: 'stopped' | 'suspended' | 'offline' | 'split' }[] = [
    { name: 'Stop cluster', title: 'Stop the cluster', question: 'Stop the cluster service on every server?', method: 'cluster.stop', params: {} },
    { name: 'Suspend cluster', title: 'Suspend the cluster', question: 'Suspend the cluster?', method: 'cluster.suspend', params: {} },
    { name: 'Start cluster', title: 'Start the cluster', question: 'Start the cluster service on every server?', method: 'cluster.start', params: {}, setup: 'stopped' },
    { name: 'Resume cluster', title: 'Resume the cluster', question: 'Resume the cluster?', method: 'cluster.resume', params: {}, setup: 'suspended' },
    { name: 'Stop service on server2', title: 'Stop the cluster service', question: 'Stop the cluster service on server2?', method: 'cluster.stop', params: { servers: ['server2'] } },
    { name: 'Start failover1', title: 'Start the group', question: 'Start failover1 on server2?', choose: ['Server to start on', 'server2'], method: 'group.start', params: { group: 'failover1', server: 'server2' }, setup: 'offline' },
    { name: 'Start failover1', title: 'Start the group', question: 'Start failover1?', method: 'group.start', params: { group: 'failover1' }, setup: 'offline' },
    { name: 'Stop md', title: 'Stop the resource', question: 'Stop md alone?', method: 'resource.stop', params: { resource: 'md' } },
    { name: 'Start awsvip1', title: 'Start the resource', question: 'Start awsvip1 alone?', method: 'resource.start', params: { resource: 'awsvip1' }, setup: 'split' },
    { name: 'Suspend awsvipw1', title: 'Suspend monitoring', question: 'Suspend awsvipw1? No failure is detected', method: 'monitor.suspend', params: { monitor: 'awsvipw1' } },
    { name: 'Suspend all monitors', title: 'Suspend monitoring', question: 'Suspend every monitor?', method: 'monitor.suspend', params: {} },
    { name: 'Dummy failure awsvipw1', title: 'Enable a dummy failure', question: 'Make awsvipw1 report an error on server1?', method: 'monitor.dummyFailure', params: { monitor: 'awsvipw1', server: 'server1', enabled: true } },
    { name: 'Dummy failure mdw1', title: 'Enable a dummy failure', question: 'Make mdw1 report an error on every server?', choose: ['Server', ''], method: 'monitor.dummyFailure', params: { monitor: 'mdw1', enabled: true } },
    { name: 'Forced mirror recovery md', title: 'Forced mirror recovery', question: 'Force the mirror recovery of md from server2?', choose: ['Up-to-date server (its data is copied to the other)', 'server2'], method: 'md.force', params: { name: 'md', server: 'server2' } },
    { name: 'Mirror break md', title: 'Mirror break', question: 'Isolate the copy of md on server2 (mirror break)?', method: 'md.break', params: { name: 'md', server: 'server2' } },
  ];
  it.each(cases)('$name asks "$title" and sends $method', async (c) => {
    const agent = clusterAgent().handle(c.method, () => ({ ok: true }));
    const over =
      c.setup === 'stopped'
        ? statusOf({ cluster: { state: 'stopped' } })
        : c.setup === 'suspended'
          ? statusOf({ cluster: { state: 'suspended' } })
          : c.setup === 'offline'
            ? statusOf({ groups: [group({ current: null, state: 'offline' })] })
            : c.setup === 'split'
              ? statusOf({ groups: [group({ resources: [{ name: 'md', type: 'md', state: 'online' }, { name: 'awsvip1', type: 'awsvip', state: 'offline' }] })] })
              : statusOf();
    agent.handle('status.get', () => over);
    const { user } = await open(agent);
    await user.click(screen.getByRole('button', { name: c.name }));
    const dialog = screen.getByRole('alertdialog', { name: c.title });
    if (c.choose) await user.selectOptions(within(dialog).getByLabelText(c.choose[0]), c.choose[1]);
    expect(dialog.textContent).toContain(c.question);
    await user.click(within(dialog).getByRole('button', { name: 'OK' }));
    await waitFor(() => expect(agent.callsOf(c.method)).toEqual([c.params]));
    expect(await screen.findByText(`${c.name}: done.`)).toBeTruthy();
  });

  it('offers to clear a dummy failure, mirror recovery and monitor resume when the state calls for them', async () => {
    const agent = clusterAgent().handle('monitor.dummyFailure', () => ({ ok: true })).handle('md.recover', () => ({ ok: true })).handle('monitor.resume', () => ({ ok: true }));
    const s = statusOf({
      monitors: [
        { name: 'awsvipw1', type: 'awsvipw', perServer: { server1: { state: 'dummy-failure', lastCheck: 1 }, server2: { state: 'offline', lastCheck: null } } },
        { name: 'mdw1', type: 'mdw', perServer: { server1: { state: 'suspended', lastCheck: 1 }, server2: { state: 'suspended', lastCheck: 1 } } },
      ],
      mirrors: [mirror({ status: 'recovery-pending', perServer: { server1: { color: 'GREEN', role: 'primary' }, server2: { color: 'RED', role: 'secondary' } } })],
    });
    agent.handle('status.get', () => s);
    const { user } = await open(agent);
    expect(cells(rowOf('Monitors', /^awsvipw1/))[0]).toBe('Dummy Failure');
    expect(cells(rowOf('Monitors', /^mdw1/))[0]).toBe('Suspend');
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Suspend mdw1' }).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Clear dummy failure awsvipw1' }));
    await user.click(within(screen.getByRole('alertdialog', { name: 'Clear the dummy failure' })).getByRole('button', { name: 'OK' }));
    await waitFor(() => expect(agent.callsOf('monitor.dummyFailure')).toEqual([{ monitor: 'awsvipw1', enabled: false }]));
    await user.click(screen.getByRole('button', { name: 'Resume mdw1' }));
    await user.click(within(screen.getByRole('alertdialog', { name: 'Resume monitoring' })).getByRole('button', { name: 'OK' }));
    await waitFor(() => expect(agent.callsOf('monitor.resume')).toEqual([{ monitor: 'mdw1' }]));
    expect(screen.getByRole('table', { name: 'md' }).textContent).toContain('RED (stale or failed)');
    await user.click(screen.getByRole('button', { name: 'Mirror recovery md' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Mirror recovery' });
    expect(dialog.textContent).toContain('Start the mirror recovery of md? The differences are copied to the stale side.');
    await user.click(within(dialog).getByRole('button', { name: 'OK' }));
    await waitFor(() => expect(agent.callsOf('md.recover')).toEqual([{ name: 'md' }]));
  });

  it('keeps the buttons that do not apply disabled (start an online group, move with nowhere to go, resume a running cluster)', async () => {
    await open();
    const disabled = (name: string) => screen.getByRole<HTMLButtonElement>('button', { name }).disabled;
    expect(disabled('Start failover1')).toBe(true);
    expect(disabled('Move failover1')).toBe(false);
    expect(disabled('Start cluster')).toBe(true);
    expect(disabled('Resume cluster')).toBe(true);
    expect(disabled('Mirror recovery md')).toBe(true);
    expect(disabled('Start service on server1')).toBe(true);
  });

  it('does not send anything when the agent is a reference login, even from a dialog opened before', async () => {
    const agent = clusterAgent({ role: 'reference' });
    await open(agent);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Move failover1' }).disabled).toBe(true);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Forced mirror recovery md' }).disabled).toBe(true);
    expect(agent.calls.filter((c) => !['session.info', 'config.get', 'status.get', 'alerts.query'].includes(c.method))).toEqual([]);
  });
});

describe('refusals without a dialog', () => {
  it('reports a request that got no answer as such', async () => {
    const agent = clusterAgent().handle('cluster.suspend', () => {
      throw new AgentRequestError('KUMO_C_DISCONNECTED', 'the connection to the agent was lost');
    });
    const { user } = await open(agent);
    await user.click(screen.getByRole('button', { name: 'Suspend cluster' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'OK' }));
    expect((await screen.findByRole('alert')).textContent).toContain('The connection to the agent was lost before it answered');
  });
});
