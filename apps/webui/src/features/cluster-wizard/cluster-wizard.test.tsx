import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { validateClusterConfig } from '@kumo/shared';
import { AgentRequestError } from '../../lib/agent-socket';
import { FakeAgent } from '../../testing/fake-agent';
import { descriptionOf, renderApp } from '../../testing/render';

type User = ReturnType<typeof userEvent.setup>;

function agent(): FakeAgent {
  return FakeAgent.fresh().handle('servers.probe', ({ address }) => {
    if (address !== '10.0.120.10') throw new AgentRequestError('KUMO_E_APPLY_PEER_UNREACHABLE', `nothing answers at ${address}:29003`);
    return { name: 'server2', address, version: '0.1.0', clusterName: null, configHash: null, instanceId: 'i-0a1b2c3d4e5f60002', availabilityZone: null };
  });
}

const page = (name: string) => screen.getByRole('heading', { level: 2, name });
const click = (user: User, name: string) => user.click(screen.getByRole('button', { name }));

async function start(user: User) {
  await user.click(await screen.findByRole('button', { name: 'Cluster generation wizard' }));
  expect(page('Cluster')).toBeTruthy();
}

/** Starts the wizard with the cluster named, on the Cluster page. */
async function startNamed(user: User) {
  await start(user);
  await user.type(screen.getByLabelText('Cluster Name'), 'cluster');
}

/** Replaces what a field holds. */
async function retype(user: User, label: string, value: string) {
  await user.clear(screen.getByLabelText(label));
  await user.type(screen.getByLabelText(label), value);
}

/** Chapter 5.3 step 1: Cluster → Basic Settings → Interconnect → NP Resolution. */
async function clusterPages(user: User) {
  await startNamed(user);
  await click(user, 'Next');
  expect(page('Basic Settings')).toBeTruthy();
  await click(user, 'Add');
  const dialog = screen.getByRole('dialog', { name: 'Add server' });
  await user.type(within(dialog).getByLabelText('IP Address'), '10.0.120.10');
  await user.click(within(dialog).getByRole('button', { name: 'OK' }));
  await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  await click(user, 'Next');
  expect(page('Interconnect')).toBeTruthy();
  await user.selectOptions(screen.getByLabelText('MDC'), 'mdc1');
  await click(user, 'Next');
  expect(page('NP Resolution')).toBeTruthy();
  await click(user, 'Add');
  await user.type(screen.getByLabelText('Target Host'), 'aws.amazon.com');
  await retype(user, 'Service Port', '443');
  await user.click(screen.getByLabelText('Use SSL'));
  await click(user, 'Next');
  expect(page('Group List')).toBeTruthy();
}

async function addResource(user: User, type: string, fill: (user: User) => Promise<void>) {
  await click(user, 'Add');
  expect(page('Info')).toBeTruthy();
  await user.selectOptions(screen.getByLabelText('Type'), type);
  await click(user, 'Next');
  expect(page('Dependency')).toBeTruthy();
  await click(user, 'Next');
  expect(page('Recovery Operation')).toBeTruthy();
  await click(user, 'Next');
  expect(page('Details')).toBeTruthy();
  await fill(user);
  await click(user, 'Finish');
  expect(page('Group Resource List')).toBeTruthy();
}

describe('cluster generation wizard', () => {
  it('lists the server the WebUI was loaded from as the master server and adds others by IP address', async () => {
    const user = userEvent.setup();
    const fake = agent();
    renderApp(fake);
    await startNamed(user);
    await click(user, 'Next');
    const master = screen.getByRole('group', { name: 'server1' });
    expect(within(master).getByText('Master server')).toBeTruthy();
    expect(within(master).getByLabelText<HTMLInputElement>('Address of server1').value).toBe('10.0.110.10');

    // An address nobody answers at: the reason is shown and the name can be typed.
    await click(user, 'Add');
    const dialog = screen.getByRole('dialog', { name: 'Add server' });
    await user.type(within(dialog).getByLabelText('IP Address'), '10.0.130.10');
    await user.click(within(dialog).getByRole('button', { name: 'OK' }));
    expect(await within(dialog).findByText(/did not answer/)).toBeTruthy();
    expect(within(dialog).getByText(/nothing answers at 10.0.130.10/)).toBeTruthy();
    await user.type(within(dialog).getByLabelText('Server Name'), 'server3');
    await user.click(within(dialog).getByRole('button', { name: 'OK' }));
    expect(screen.getByRole('group', { name: 'server3' })).toBeTruthy();

    // A probed server takes the name its agent gives.
    await click(user, 'Add');
    await user.type(within(screen.getByRole('dialog')).getByLabelText('IP Address'), '10.0.120.10');
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'OK' }));
    await screen.findByRole('group', { name: 'server2' });
    expect(fake.callsOf('servers.probe')).toEqual([{ address: '10.0.130.10' }, { address: '10.0.120.10' }]);

    // The order is the priority.
    await click(user, 'Move server2 up');
    expect(screen.getAllByRole('group').map((g) => g.getAttribute('aria-label'))).toEqual(['server1', 'server2', 'server3']);
    await click(user, 'Remove server3');
    expect(screen.queryByRole('group', { name: 'server3' })).toBeNull();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Remove server1' }).disabled).toBe(true);
    await click(user, 'Next');
    expect(within(screen.getByRole('group', { name: 'Interconnect 1' })).getByLabelText<HTMLInputElement>('server2').value).toBe('10.0.120.10');
  });

  it('keeps what was typed on Back and Next, and refuses Next while the page has errors', async () => {
    const user = userEvent.setup();
    renderApp(agent());
    await start(user);
    await click(user, 'Next');
    expect(page('Cluster')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toMatch(/This page has 1 error/);
    expect(descriptionOf(screen.getByLabelText('Cluster Name'))).toMatch(/is not a valid name/);
    await user.type(screen.getByLabelText('Cluster Name'), 'cluster');
    await user.selectOptions(screen.getByLabelText('Language'), 'ja');
    await user.type(screen.getByLabelText('Comment'), 'VIP');
    await click(user, 'Next');
    await click(user, 'Next');
    await retype(user, 'Heartbeat Timeout', '30');
    await click(user, 'Back');
    await click(user, 'Back');
    expect(page('Cluster')).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>('Cluster Name').value).toBe('cluster');
    expect(screen.getByLabelText<HTMLSelectElement>('Language').value).toBe('ja');
    expect(screen.getByLabelText<HTMLInputElement>('Comment').value).toBe('VIP');
    await click(user, 'Next');
    await click(user, 'Next');
    expect(screen.getByLabelText<HTMLInputElement>('Heartbeat Timeout').value).toBe('30');
  });

  it('shows the failover time the heartbeat and monitor settings imply, with the formula', async () => {
    const user = userEvent.setup();
    renderApp(agent());
    await startNamed(user);
    await click(user, 'Next');
    await click(user, 'Next');
    const figure = () => screen.getByRole('region', { name: 'Failover time' });
    expect(figure().textContent).toContain('≤ 90 s');
    await retype(user, 'Heartbeat Timeout', '12');
    expect(figure().textContent).toContain('≤ 12 s');
    await click(user, 'Next');
    await click(user, 'Use forced stop');
    await user.type(screen.getByLabelText('Instance ID of server1'), 'i-0a1b2c3d4e5f60001');
    await click(user, 'Back');
    // 12 s heartbeat + the 240 s stop wait (one server: no lower-priority rank waits).
    expect(figure().textContent).toContain('≤ 12 s + Forced stop adds at most 240 s = 252 s');
    await click(user, 'Next');
    await click(user, 'Next');
    await click(user, 'Next');
    expect(page('Monitor Resource List')).toBeTruthy();
    await click(user, 'Add');
    await user.selectOptions(screen.getByLabelText('Type'), 'AWS AZ monitor');
    await click(user, 'Next');
    expect(page('Monitor (common)')).toBeTruthy();
    expect(figure().textContent).toContain('awsazw1: 60 × (1 + 1) + 180 = 300 s');
    await retype(user, 'Interval', '30');
    await retype(user, 'Retry Count', '2');
    expect(figure().textContent).toContain('awsazw1: 30 × (2 + 1) + 180 = 270 s');
  });

  it('recommends a witness or forced stop on the NP page until the cluster has one', async () => {
    const user = userEvent.setup();
    renderApp(agent());
    await startNamed(user);
    await click(user, 'Next');
    await click(user, 'Next');
    await click(user, 'Next');
    const note = screen.getByRole('note', { name: 'No protection against split brain' });
    expect(note.textContent).toMatch(/both take over the groups \(split brain\)/);
    await click(user, 'Add');
    expect(screen.getByRole('note', { name: 'No protection against split brain' })).toBeTruthy();
    await click(user, 'Protect with a witness');
    expect(screen.queryByRole('note')).toBeNull();
    expect(screen.getByText(/Split brain is guarded against/)).toBeTruthy();
    const witness = screen.getByRole('group', { name: 'NP target 2' });
    expect(within(witness).getByLabelText<HTMLSelectElement>('Type').value).toBe('witness');
    expect(within(witness).getByLabelText<HTMLInputElement>('Service Port').value).toBe('29009');
    await click(user, 'Remove NP target 2');
    expect(screen.getByRole('note', { name: 'No protection against split brain' })).toBeTruthy();
    await click(user, '日本語');
    expect(screen.getByRole('note', { name: 'スプリットブレインへの備えがありません' }).textContent).toMatch(/スプリットブレイン/);
  });

  it('builds the guide\'s VIP cluster: default names, automatic monitors, per-server values, then Finish', async () => {
    const user = userEvent.setup();
    const fake = agent();
    renderApp(fake);
    await clusterPages(user);

    // Group: definition, startup servers, attributes left as they are.
    await click(user, 'Add');
    expect(page('Group Definition')).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>('Name').value).toBe('failover1');
    await click(user, 'Next');
    expect(page('Startup Servers')).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>('Failover is possible on all servers').checked).toBe(true);
    await click(user, 'Next');
    expect(page('Group Attributes')).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>('Auto Startup').checked).toBe(true);
    expect(screen.getByLabelText<HTMLInputElement>('Manual Failback').checked).toBe(true);
    await click(user, 'Next');
    expect(page('Group Resource List')).toBeTruthy();

    // Mirror disk: its default name follows the type.
    await addResource(user, 'Mirror disk resource', async (u) => {
      await u.type(screen.getByLabelText('Mount Point'), '/mnt/md1');
      await u.type(screen.getByLabelText('Data Partition Device Name'), '/dev/nvme1n1p2');
      await u.type(screen.getByLabelText('Cluster Partition Device Name'), '/dev/nvme1n1p1');
    });
    expect(screen.getByRole('group', { name: 'md1' })).toBeTruthy();

    // AWS virtual IP: Finish is refused until each server has its ENI.
    await click(user, 'Add');
    expect(screen.getByLabelText<HTMLInputElement>('Name').value).toBe('awsvip1');
    await click(user, 'Next');
    expect(screen.getByLabelText<HTMLInputElement>('Follow the default dependency').checked).toBe(true);
    await click(user, 'Next');
    expect(screen.getByRole('radio', { name: 'Set as much as the number of servers' })).toHaveProperty('checked', true);
    await click(user, 'Next');
    await user.type(screen.getByLabelText('IP Address'), '10.1.0.20');
    await user.type(screen.getByLabelText('VPC ID'), 'vpc-0a1b2c3d4e5f67890');
    await user.type(screen.getByLabelText('ENI ID'), 'eni-0a1b2c3d4e5f60001');
    await click(user, 'Finish');
    expect(page('Details')).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toMatch(/This page has 2 errors/);
    for (const [server, eni] of [
      ['server1', 'eni-0a1b2c3d4e5f60001'],
      ['server2', 'eni-0a1b2c3d4e5f60002'],
    ] as const) {
      await user.click(screen.getByRole('tab', { name: server }));
      await user.click(screen.getByLabelText('Set up individually'));
      expect(screen.getByLabelText<HTMLInputElement>('VPC ID').value).toBe('vpc-0a1b2c3d4e5f67890');
      await user.type(screen.getByLabelText('ENI ID'), eni);
    }
    await click(user, 'Finish');
    expect(page('Group Resource List')).toBeTruthy();
    expect(within(screen.getByRole('group', { name: 'awsvip1' })).getByText('Depends on: (none)')).toBeTruthy();
    expect(within(screen.getByRole('group', { name: 'md1' })).getByText('Depends on: awsvip1')).toBeTruthy();
    await click(user, 'Finish');
    expect(page('Group List')).toBeTruthy();
    await click(user, 'Next');

    // Monitors added automatically, each with its resource.
    expect(page('Monitor Resource List')).toBeTruthy();
    expect(within(screen.getByRole('group', { name: 'mdw1' })).getByText('added automatically with md1')).toBeTruthy();
    expect(within(screen.getByRole('group', { name: 'mdnw1' })).getByText('added automatically with md1')).toBeTruthy();
    expect(within(screen.getByRole('group', { name: 'awsvipw1' })).getByText('added automatically with awsvip1')).toBeTruthy();

    // The AZ monitor by hand, recovery target LocalServer.
    await click(user, 'Add');
    await user.selectOptions(screen.getByLabelText('Type'), 'AWS AZ monitor');
    expect(screen.getByLabelText<HTMLInputElement>('Name').value).toBe('awsazw1');
    await click(user, 'Next');
    await click(user, 'Next');
    expect(page('Monitor (special)')).toBeTruthy();
    await user.type(screen.getByLabelText('Availability Zone'), 'ap-northeast-1a');
    for (const [server, az] of [
      ['server1', 'ap-northeast-1a'],
      ['server2', 'ap-northeast-1c'],
    ] as const) {
      await user.click(screen.getByRole('tab', { name: server }));
      await user.click(screen.getByLabelText('Set up individually'));
      await user.clear(screen.getByLabelText('Availability Zone'));
      await user.type(screen.getByLabelText('Availability Zone'), az);
    }
    await click(user, 'Next');
    expect(page('Recovery Action')).toBeTruthy();
    await user.selectOptions(screen.getByLabelText('Recovery Target'), 'LocalServer');
    await click(user, 'Finish');
    expect(screen.getByRole('group', { name: 'awsazw1' })).toBeTruthy();
    await click(user, 'Finish');

    // The editor holds the finished configuration; Apply sends it.
    expect(await screen.findByRole('button', { name: 'Apply the configuration' })).toBeTruthy();
    expect(screen.getByRole('region', { name: 'Problems (0)' })).toBeTruthy();
    fake.handle('config.apply', () => ({ outcome: 'applied', version: 1, hash: 'h1', requires: 'nothing', servers: [] }));
    await click(user, 'Apply the configuration');
    await user.click(within(screen.getByRole('alertdialog', { name: 'Apply the configuration' })).getByRole('button', { name: 'OK' }));
    await screen.findByText('The configuration was applied successfully.');
    const [sent] = fake.callsOf('config.apply') as { config: unknown }[];
    const checked = validateClusterConfig(sent?.config);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    const c = checked.config;
    expect(c.cluster.name).toBe('cluster');
    expect(c.servers.map((s) => [s.name, s.address])).toEqual([
      ['server1', '10.0.110.10'],
      ['server2', '10.0.120.10'],
    ]);
    expect(c.interconnects).toEqual([{ priority: 1, kind: 'kernel', mdc: 'mdc1', addresses: { server1: '10.0.110.10', server2: '10.0.120.10' } }]);
    expect(c.cluster.np.targets).toMatchObject([{ kind: 'http', host: 'aws.amazon.com', port: 443, ssl: true }]);
    expect(c.groups[0]?.resources.map((r) => r.name)).toEqual(['md1', 'awsvip1']);
    expect(c.groups[0]?.resources[1]?.perServer).toEqual({
      server1: { vpcId: 'vpc-0a1b2c3d4e5f67890', eniId: 'eni-0a1b2c3d4e5f60001' },
      server2: { vpcId: 'vpc-0a1b2c3d4e5f67890', eniId: 'eni-0a1b2c3d4e5f60002' },
    });
    expect(c.monitors.map((m) => m.name)).toEqual(['mdw1', 'mdnw1', 'awsvipw1', 'awsazw1']);
    expect(c.monitors[3]?.recovery.target).toEqual({ kind: 'local-server' });
  });

  it('asks before leaving the wizard, by Cancel or by switching to operation mode', async () => {
    const user = userEvent.setup();
    renderApp(agent());
    await start(user);
    await user.type(screen.getByLabelText('Cluster Name'), 'mine');
    await click(user, 'Cancel');
    const ask = screen.getByRole('alertdialog', { name: 'Leave the wizard?' });
    await user.click(within(ask).getByRole('button', { name: 'Cancel' }));
    expect(screen.getByLabelText<HTMLInputElement>('Cluster Name').value).toBe('mine');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Mode' }), 'operation');
    await user.click(within(screen.getByRole('alertdialog', { name: 'Leave the wizard?' })).getByRole('button', { name: 'Cancel' }));
    expect(screen.getByLabelText<HTMLInputElement>('Cluster Name').value).toBe('mine');

    await user.selectOptions(screen.getByRole('combobox', { name: 'Mode' }), 'operation');
    await user.click(within(screen.getByRole('alertdialog', { name: 'Leave the wizard?' })).getByRole('button', { name: 'OK' }));
    expect(screen.queryByRole('heading', { name: 'Cluster' })).toBeNull();
    expect(screen.getByRole<HTMLSelectElement>('combobox', { name: 'Mode' }).value).toBe('operation');
  });

  it('asks before discarding a resource being added, and puts the draft back', async () => {
    const user = userEvent.setup();
    renderApp(agent());
    await clusterPages(user);
    await click(user, 'Add');
    await click(user, 'Next');
    await click(user, 'Next');
    await click(user, 'Next');
    await click(user, 'Add');
    expect(page('Info')).toBeTruthy();
    await click(user, 'Cancel');
    const ask = screen.getByRole('alertdialog', { name: 'Discard the changes?' });
    expect(ask.textContent).toContain('Discard what you entered for awsvip1?');
    await user.click(within(ask).getByRole('button', { name: 'OK' }));
    expect(page('Group Resource List')).toBeTruthy();
    expect(screen.getByText('No group resources yet. Add one.')).toBeTruthy();
  });

  it('names the pages and buttons as the guide does in Japanese', async () => {
    const user = userEvent.setup();
    renderApp(agent(), { lang: 'ja' });
    await user.click(await screen.findByRole('button', { name: 'クラスタ生成ウィザード' }));
    expect(page('クラスタ')).toBeTruthy();
    await user.type(screen.getByLabelText('クラスタ名'), 'cluster');
    // Each step: the button the guide presses, then the page it names.
    const steps: [string, string][] = [
      ['次へ', '基本設定'],
      ['次へ', 'インタコネクト'],
      ['次へ', 'NP解決'],
      ['次へ', 'グループ一覧'],
      ['追加', 'グループの定義'],
      ['次へ', '起動可能サーバ'],
      ['次へ', 'グループ属性'],
      ['次へ', 'グループリソース一覧'],
      ['追加', '情報'],
      ['次へ', '依存関係'],
      ['次へ', '復旧動作'],
      ['次へ', '詳細'],
    ];
    for (const [button, title] of steps) {
      await click(user, button);
      expect(page(title)).toBeTruthy();
      if (title === '依存関係') expect(screen.getByLabelText('既定の依存関係に従う')).toBeTruthy();
    }
    expect(page('詳細')).toBeTruthy();
    expect(screen.getByRole('tab', { name: '共通' })).toBeTruthy();
    await user.click(screen.getByRole('tab', { name: 'server1' }));
    expect(screen.getByLabelText('個別に設定する')).toBeTruthy();
    expect(screen.getByRole('button', { name: '戻る' })).toBeTruthy();
    expect(screen.getByRole('button', { name: '完了' })).toBeTruthy();
  });
});
