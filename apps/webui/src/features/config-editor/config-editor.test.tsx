import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateClusterConfig } from '@kumo/shared';
import guideEip from '@kumo/shared/fixtures/guide-eip.json';
import guideVip from '@kumo/shared/fixtures/guide-vip.json';
import { AgentRequestError } from '../../lib/agent-socket';
import { FakeAgent } from '../../testing/fake-agent';
import { renderApp } from '../../testing/render';

type User = ReturnType<typeof userEvent.setup>;

const running = () => {
  const r = validateClusterConfig(guideVip);
  if (!r.ok) throw new Error('the guide fixture is invalid');
  return r.config;
};

function agent(): FakeAgent {
  return FakeAgent.fresh()
    .handle('session.info', () => ({ server: 'server1', version: '0.1.0', role: 'operate', passwordRequired: false, configured: true, peers: [] }))
    .handle('config.get', () => ({ config: running(), version: 3, hash: 'h3', appliedBy: 'WebUI(IP=10.0.0.5)', appliedAt: 1 }));
}

const click = (user: User, name: string) => user.click(screen.getByRole('button', { name }));
const tree = () => screen.getByRole('navigation', { name: 'Configuration tree' });
const changes = () => screen.getByRole('region', { name: 'Changes to apply' });

/** Selects an object in the tree and opens its properties dialog. */
async function properties(user: User, node: string, title: string) {
  await user.click(within(tree()).getByRole('button', { name: node }));
  await click(user, 'Properties');
  return screen.getByRole('dialog', { name: title });
}

async function openEditor(user: User, fake: FakeAgent) {
  renderApp(fake);
  const mode = await screen.findByRole('combobox', { name: 'Mode' });
  await waitFor(() => expect((mode as HTMLSelectElement).value).toBe('operation'));
  await user.selectOptions(mode, 'config');
  await screen.findByRole('button', { name: 'Apply the configuration' });
}

describe('config editor', () => {
  afterEach(() => vi.restoreAllMocks());

  it('shows the tree of the running configuration and no changes', async () => {
    const user = userEvent.setup();
    await openEditor(user, agent());
    for (const name of ['cluster', 'Servers', 'Groups', 'failover1', 'md', 'awsvip1', 'Monitor resources', 'awsazw1', 'awsvipw1', 'mdw1', 'mdnw1']) {
      expect(within(tree()).getByRole('button', { name })).toBeTruthy();
    }
    expect(changes().textContent).toContain('Running configuration: version 3, applied by WebUI(IP=10.0.0.5)');
    expect(changes().textContent).toContain('No changes');
  });

  it('edits a resource in its properties (the wizard\'s pages as tabs) and lists the difference', async () => {
    const user = userEvent.setup();
    await openEditor(user, agent());
    const dialog = await properties(user, 'awsvip1', 'Properties of awsvip1');
    for (const name of ['Info', 'Dependency', 'Recovery Operation', 'Details']) expect(within(dialog).getByRole('tab', { name })).toBeTruthy();
    await user.click(within(dialog).getByRole('tab', { name: 'Details' }));
    const ip = within(dialog).getByLabelText('IP Address');
    await user.clear(ip);
    await user.type(ip, '10.1.0.21');
    await user.click(within(dialog).getByRole('button', { name: 'OK' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    const line = within(changes()).getByText(/IP Address/).closest('li');
    expect(line?.textContent).toBe('Changed Group failover1 › Resource awsvip1 › IP Address: 10.1.0.20 → 10.1.0.21');

    await click(user, '日本語');
    expect(within(screen.getByRole('region', { name: '反映する変更' })).getByText(/IP アドレス/).closest('li')?.textContent).toBe(
      '変更 グループ failover1 › リソース awsvip1 › IP アドレス: 10.1.0.20 → 10.1.0.21',
    );
  });

  it('Cancel in properties puts everything back; OK is refused while a page has errors', async () => {
    const user = userEvent.setup();
    await openEditor(user, agent());
    const dialog = await properties(user, 'awsvip1', 'Properties of awsvip1');
    await user.click(within(dialog).getByRole('tab', { name: 'Details' }));
    await user.clear(within(dialog).getByLabelText('IP Address'));
    await user.click(within(dialog).getByRole('button', { name: 'OK' }));
    expect(within(dialog).getByRole('alert').textContent).toMatch(/This page has 1 error/);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(changes().textContent).toContain('No changes');
  });

  it('renames a resource and rewrites the monitor target and recovery target that name it', async () => {
    const user = userEvent.setup();
    await openEditor(user, agent());
    await user.click(within(tree()).getByRole('button', { name: 'awsvip1' }));
    await click(user, 'Rename');
    const dialog = screen.getByRole('dialog', { name: 'Rename awsvip1' });
    await user.clear(within(dialog).getByLabelText('New name'));
    await user.type(within(dialog).getByLabelText('New name'), 'md');
    await user.click(within(dialog).getByRole('button', { name: 'OK' }));
    expect(within(dialog).getByText(/"md"/)).toBeTruthy();
    await user.clear(within(dialog).getByLabelText('New name'));
    await user.type(within(dialog).getByLabelText('New name'), 'vip{Enter}');
    expect(screen.queryByRole('dialog')).toBeNull();
    await user.click(within(tree()).getByRole('button', { name: 'awsvipw1' }));
    const detail = screen.getByRole('region', { name: 'Summary' });
    expect(within(detail).getByText('Target Resource').nextElementSibling?.textContent).toBe('vip');
    expect(within(detail).getByText('Recovery Target').nextElementSibling?.textContent).toBe('vip');
    expect(screen.getByRole('region', { name: 'Problems (0)' })).toBeTruthy();
  });

  it('applies after "Apply the configuration?" with the preflight beside it, and says what the change requires', async () => {
    const user = userEvent.setup();
    const fake = agent()
      .handle('aws.preflight', () => ({
        checks: [
          { subject: 'AWS', check: 'credentials', ok: true, message: 'the instance role answers' },
          { subject: 'awsvip1 @ server2', check: 'source-dest-check', ok: false, message: 'Source/Dest. Check is on for eni-0a1b2c3d4e5f60002', fix: 'Turn off Source/Dest. Check on the ENI.' },
        ],
      }))
      .handle('config.apply', () => ({
        outcome: 'applied',
        version: 4,
        hash: 'h4',
        requires: 'restart-groups',
        servers: [
          { server: 'server1', ok: true, message: 'applied' },
          { server: 'server2', ok: true, message: 'applied' },
        ],
      }));
    await openEditor(user, fake);
    const group = await properties(user, 'failover1', 'Properties of failover1');
    await user.click(within(group).getByRole('tab', { name: 'Group Attributes' }));
    await user.click(within(group).getByLabelText('Auto Failback'));
    await user.click(within(group).getByRole('button', { name: 'OK' }));
    await click(user, 'Apply the configuration');
    const confirm = screen.getByRole('alertdialog', { name: 'Apply the configuration' });
    expect(within(confirm).getByText('Apply the configuration?')).toBeTruthy();
    expect(await within(confirm).findByText(/1 check failed. You can still apply/)).toBeTruthy();
    expect(within(confirm).getByText(/Source\/Dest. Check is on/)).toBeTruthy();
    expect(within(confirm).getByText(/Turn off Source\/Dest. Check on the ENI./)).toBeTruthy();
    await user.click(within(confirm).getByRole('button', { name: 'OK' }));
    const done = await screen.findByRole('alertdialog', { name: 'Apply the configuration' });
    await within(done).findByText('The configuration was applied successfully.');
    expect(within(done).getByText('To take effect, stop and start the groups.')).toBeTruthy();
    expect(within(within(done).getByRole('table')).getAllByRole('row')).toHaveLength(3);
    const sent = fake.callsOf('config.apply')[0] as { config: { groups: { attributes: { failback: string } }[] }; passwords?: unknown };
    expect(sent.config.groups[0]?.attributes.failback).toBe('auto');
    expect(sent.passwords).toBeUndefined();
    await user.click(within(done).getByRole('button', { name: 'OK' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
  });

  it('says 反映に成功しました。 in Japanese', async () => {
    const user = userEvent.setup();
    const fake = agent().handle('config.apply', () => ({ outcome: 'applied', version: 4, hash: 'h4', requires: 'nothing', servers: [] }));
    await openEditor(user, fake);
    await click(user, '日本語');
    await click(user, '設定の反映');
    expect(within(screen.getByRole('alertdialog', { name: '設定の反映' })).getByText('設定を反映しますか。')).toBeTruthy();
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'OK' }));
    expect(await screen.findByText('反映に成功しました。')).toBeTruthy();
  });

  it('shows each server\'s answer and that nothing was changed when a peer refuses', async () => {
    const user = userEvent.setup();
    const fake = agent().fail('config.apply', 'KUMO_E_APPLY_PEER_UNREACHABLE', 'nothing was applied anywhere: server2: no answer', {
      servers: [
        { server: 'server1', ok: true, message: 'prepared, then aborted' },
        { server: 'server2', ok: false, message: 'no answer from 10.0.120.10:29003' },
      ],
    });
    await openEditor(user, fake);
    await click(user, 'Apply the configuration');
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'OK' }));
    const failed = await screen.findByRole('alertdialog');
    await within(failed).findByText('The configuration could not be applied.');
    expect(within(failed).getByText(/A server could not be reached, so nothing was applied anywhere/)).toBeTruthy();
    expect(within(failed).getByText('Nothing was changed on any server.')).toBeTruthy();
    const rows = within(within(failed).getByRole('table')).getAllByRole('row');
    expect(rows[2]?.textContent).toBe('server2Failedno answer from 10.0.120.10:29003');
  });

  it('lists the validation errors the agent refused with', async () => {
    const user = userEvent.setup();
    const fake = agent().handle('config.apply', () => {
      throw new AgentRequestError('KUMO_E_VALIDATION', 'the configuration is invalid (1 error); nothing was applied', [
        { path: ['groups', 0, 'resources', 1, 'params', 'ip'], where: 'groups[0].resources[1].params.ip', message: { en: '10.0.5.20 is inside the VPC CIDR', ja: '10.0.5.20 は VPC の CIDR 内です' } },
      ]);
    });
    await openEditor(user, fake);
    await click(user, 'Apply the configuration');
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'OK' }));
    const failed = await screen.findByRole('alertdialog');
    expect(await within(failed).findByText(/10.0.5.20 is inside the VPC CIDR/)).toBeTruthy();
    expect(within(failed).getByText('groups[0].resources[1].params.ip')).toBeTruthy();
  });

  it('refuses to apply an invalid configuration and lists its errors', async () => {
    const user = userEvent.setup();
    const fake = agent();
    await openEditor(user, fake);
    // Removing server2 is fine on its own page, but leaves the mirror disk with one server.
    const servers = await properties(user, 'Servers', 'Basic Settings');
    await user.click(within(servers).getByRole('button', { name: 'Remove server2' }));
    await user.click(within(servers).getByRole('button', { name: 'OK' }));
    const problems = screen.getByRole('region', { name: /^Problems \(\d+\)$/ });
    expect(within(problems).getByText(/groups\[0\]\.startupServers/)).toBeTruthy();
    expect(within(changes()).getByText(/Server server2/).closest('li')?.textContent).toBe('Removed Server server2');
    await click(user, 'Apply the configuration');
    const refusal = screen.getByRole('alertdialog', { name: 'Apply the configuration' });
    expect(within(refusal).getByText(/The configuration has \d+ errors?; fix/)).toBeTruthy();
    expect(within(refusal).getByText(/groups\[0\]\.startupServers/)).toBeTruthy();
    await user.click(within(refusal).getByRole('button', { name: 'OK' }));
    expect(fake.callsOf('config.apply')).toEqual([]);
  });

  it('exports the configuration as a JSON file without secrets', async () => {
    const user = userEvent.setup();
    let blob: Blob | undefined;
    const create = vi.fn((b: Blob) => {
      blob = b;
      return 'blob:kumo';
    });
    Object.assign(URL, { createObjectURL: create, revokeObjectURL: vi.fn() });
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      expect(this.download).toBe('cluster.kumo.json');
    });
    await openEditor(user, agent());
    await click(user, 'Export');
    expect(clicked).toHaveBeenCalled();
    const exported: unknown = JSON.parse(await blob!.text());
    expect(validateClusterConfig(exported).ok).toBe(true);
    expect(JSON.stringify(exported)).not.toContain('PasswordHash');
    expect((exported as { groups: { resources: { name: string }[] }[] }).groups[0]?.resources.map((r) => r.name)).toEqual(['md', 'awsvip1']);
  });

  it('imports a valid file in place of the draft, and refuses an invalid one with its errors', async () => {
    const user = userEvent.setup();
    await openEditor(user, agent());
    const input = screen.getByLabelText<HTMLInputElement>('Import');
    const broken = structuredClone(guideEip) as { servers: { address: string }[] };
    broken.servers[1]!.address = '10.0.20';
    await user.upload(input, new File([JSON.stringify(broken)], 'broken.json', { type: 'application/json' }));
    expect(await screen.findByText(/The file is not a valid configuration \(1 error\); nothing was imported./)).toBeTruthy();
    expect(screen.getByText('servers[1].address')).toBeTruthy();
    expect(within(tree()).getByRole('button', { name: 'awsvip1' })).toBeTruthy();

    await user.upload(input, new File(['{'], 'x.json', { type: 'application/json' }));
    expect(await screen.findByText('The file is not JSON; nothing was imported.')).toBeTruthy();

    const withSecret = structuredClone(guideEip) as { cluster: Record<string, unknown> };
    withSecret.cluster['webui'] = { operationPasswordHash: 'scrypt$1$2$3$x$y' };
    await user.upload(input, new File([JSON.stringify(withSecret)], 'eip.json', { type: 'application/json' }));
    expect(await screen.findByText(/Imported eip.json/)).toBeTruthy();
    expect(screen.getByText(/Password hashes in the file were ignored/)).toBeTruthy();
    expect(within(tree()).getByRole('button', { name: 'awseip1' })).toBeTruthy();
    expect(within(tree()).queryByRole('button', { name: 'awsvip1' })).toBeNull();
    expect(within(changes()).getByText(/Resource awseip1/)).toBeTruthy();
  });

  it('sends new passwords with Apply and never shows them back', async () => {
    const user = userEvent.setup();
    const fake = agent().handle('config.apply', () => ({ outcome: 'applied', version: 4, hash: 'h4', requires: 'nothing', servers: [] }));
    await openEditor(user, fake);
    const cluster = await properties(user, 'cluster', 'Cluster properties');
    await user.click(within(cluster).getByRole('tab', { name: 'WebUI access' }));
    const operation = screen.getByRole('group', { name: 'Operation password' });
    await user.click(within(operation).getByLabelText('Set a new password'));
    await user.type(within(operation).getByLabelText('Operation password: New password'), 's3cret');
    await user.type(within(operation).getByLabelText('Operation password: Confirm the password'), 's3cre');
    expect(within(operation).getByText('The two passwords differ.')).toBeTruthy();
    await user.type(within(operation).getByLabelText('Operation password: Confirm the password'), 't');
    await user.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'OK' }));
    expect(within(changes()).getByText('Operation password will change on Apply.')).toBeTruthy();
    expect(document.body.textContent).not.toContain('s3cret');
    await click(user, 'Apply the configuration');
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'OK' }));
    await screen.findByText('The configuration was applied successfully.');
    expect((fake.callsOf('config.apply')[0] as { passwords: unknown }).passwords).toEqual({ operation: 's3cret' });
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'OK' }));
    expect(within(changes()).queryByText(/password will change/)).toBeNull();
  });

  it('adds a resource through the same wizard pages and its automatic monitor', async () => {
    const user = userEvent.setup();
    await openEditor(user, agent());
    await user.click(within(tree()).getByRole('button', { name: 'failover1' }));
    await click(user, 'Add resource');
    const wizard = screen.getByRole('dialog', { name: 'Resource Definition of Group | failover1' });
    expect(within(wizard).getByRole('heading', { name: 'Info' })).toBeTruthy();
    await user.selectOptions(within(wizard).getByLabelText('Type'), 'AWS DNS resource');
    expect(within(wizard).getByLabelText<HTMLInputElement>('Name').value).toBe('awsdns1');
    await user.click(within(wizard).getByRole('button', { name: 'Next' }));
    expect(within(wizard).getByText('awsvip1', { selector: 'strong' })).toBeTruthy();
    await user.click(within(wizard).getByRole('button', { name: 'Next' }));
    await user.click(within(wizard).getByRole('button', { name: 'Next' }));
    await user.type(within(wizard).getByLabelText('Host Zone ID'), 'Z0KUMOHZ1LOCAL00001A');
    await user.type(within(wizard).getByLabelText('Resource Record Set Name'), 'srv.hz1.local.');
    await user.type(within(wizard).getByLabelText('IP Address'), '10.1.0.20');
    await user.click(within(wizard).getByRole('button', { name: 'Finish' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(within(tree()).getByRole('button', { name: 'awsdns1' })).toBeTruthy();
    expect(within(tree()).getByRole('button', { name: 'awsdnsw1' })).toBeTruthy();
  });
});
