import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { MONITOR_TYPES, RESOURCE_TYPES } from '@kumo/shared';
import type { FieldHint } from '@kumo/shared';
import guideVip from '@kumo/shared/fixtures/guide-vip.json';
import { FakeAgent } from '../../testing/fake-agent';
import { descriptionOf, renderWithDraft } from '../../testing/render';
import { draftFromConfig } from './draft';
import type { Draft } from './draft';
import { ErrorVisibility } from './draft-context';
import { MonitorSpecialPage } from './pages/monitor-pages';
import { ResourceDetailsPage } from './pages/resource-pages';

/** The guide's VIP cluster with awsvip1's details still to enter. */
function vipDraft(): Draft {
  const d = draftFromConfig(guideVip)!;
  const vip = d.groups[0]!.resources[1]!;
  vip.params = {};
  vip.perServer = {};
  return d;
}

/** The tabs, by accessible name (a tab's error marker is not part of it). */
function expectTabs(...names: string[]) {
  expect(screen.getAllByRole('tab')).toHaveLength(names.length);
  for (const name of names) expect(screen.getByRole('tab', { name })).toBeTruthy();
}

const details = (gi: number, ri: number) => (
  <ErrorVisibility showAll>
    <ResourceDetailsPage gi={gi} ri={ri} />
  </ErrorVisibility>
);

describe('details form rendered from the type catalogue', () => {
  it('has a field per param of awsvip, labelled as the catalogue says, tuning ones behind "Tuning"', async () => {
    const user = userEvent.setup();
    renderWithDraft(vipDraft(), details(0, 1));
    for (const label of ['IP Address', 'VPC ID', 'ENI ID']) expect(screen.getByLabelText(label)).toBeTruthy();
    expect(screen.queryByLabelText('AWS CLI timeout')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Tuning' }));
    expect(screen.getByLabelText<HTMLInputElement>('AWS CLI timeout').value).toBe('100');
    expect(screen.getByLabelText('Network interface')).toBeTruthy();
  });

  it('renders every field of every type (mirror disk: mount point, partitions, file system, MDC)', async () => {
    const user = userEvent.setup();
    renderWithDraft(vipDraft(), details(0, 0));
    for (const label of ['Mount Point', 'Data Partition Device Name', 'Cluster Partition Device Name', 'File System', 'Mirror Disk Connect']) {
      expect(screen.getByLabelText(label)).toBeTruthy();
    }
    expect(screen.getByLabelText<HTMLSelectElement>('Mirror Disk Connect').value).toBe('mdc1');
    await user.click(screen.getByRole('button', { name: 'Tuning' }));
    const fields = RESOURCE_TYPES.md.fields as Record<string, FieldHint>;
    for (const hint of Object.values(fields)) expect(screen.getByLabelText(hint.label.en)).toBeTruthy();
  });

  it('shows tabs Common, server1 and server2; "Set up individually" unlocks only that server\'s fields', async () => {
    const user = userEvent.setup();
    const { draft } = renderWithDraft(vipDraft(), details(0, 1));
    expectTabs('Common', 'server1', 'server2');
    await user.type(screen.getByLabelText('VPC ID'), 'vpc-0a1b2c3d4e5f67890');
    await user.click(screen.getByRole('tab', { name: 'server2' }));
    const vpc = screen.getByLabelText<HTMLInputElement>('VPC ID');
    expect(vpc.disabled).toBe(true);
    expect(vpc.value).toBe('vpc-0a1b2c3d4e5f67890');
    // Only awsvip's per-server fields are on a server's tab.
    expect(screen.queryByLabelText('IP Address')).toBeNull();
    await user.click(screen.getByLabelText('Set up individually'));
    expect(screen.getByLabelText<HTMLInputElement>('VPC ID').disabled).toBe(false);
    const eni = screen.getByLabelText<HTMLInputElement>('ENI ID');
    expect(eni.value).toBe('');
    await user.type(eni, 'eni-0a1b2c3d4e5f60002');
    expect(draft().groups[0]!.resources[1]!.perServer).toEqual({ server2: { vpcId: 'vpc-0a1b2c3d4e5f67890', eniId: 'eni-0a1b2c3d4e5f60002' } });
    await user.click(screen.getByLabelText('Set up individually'));
    expect(draft().groups[0]!.resources[1]!.perServer).toEqual({});
  });

  it('requires the ENI ID on each server\'s tab, with the shared validation message beside the field, in the chosen language', async () => {
    const user = userEvent.setup();
    renderWithDraft(vipDraft(), details(0, 1));
    await user.type(screen.getByLabelText('VPC ID'), 'vpc-0a1b2c3d4e5f67890');
    expect(screen.getByRole('tab', { name: 'server1' }).getAttribute('aria-description')).toBe('Errors on the server1 tab');
    await user.click(screen.getByRole('tab', { name: 'server1' }));
    const eni = screen.getByLabelText('ENI ID');
    expect(eni.getAttribute('aria-invalid')).toBe('true');
    expect(descriptionOf(eni)).toContain('"ENI ID" must be set individually for server1');
    expect(descriptionOf(eni)).toContain('must be set on each server');
    await user.click(screen.getByRole('button', { name: '日本語' }));
    const eniJa = screen.getByLabelText('ENI ID');
    expect(descriptionOf(eniJa)).toContain('server1');
    expect(descriptionOf(eniJa)).toContain('個別に設定');
    expect(screen.getByLabelText('個別に設定する')).toBeTruthy();
    expect(screen.getByRole('tab', { name: '共通' })).toBeTruthy();
    await user.click(screen.getByLabelText('個別に設定する'));
    await user.type(screen.getByLabelText('ENI ID'), 'eni-0a1b2c3d4e5f60001');
    expect(screen.getByLabelText('ENI ID').getAttribute('aria-invalid')).toBeNull();
    expect(screen.getByRole('tab', { name: 'server1' }).getAttribute('aria-description')).toBeNull();
  });

  it('validates as the user types, beside the field, and switches the message with the language', async () => {
    const user = userEvent.setup();
    renderWithDraft(vipDraft(), details(0, 1));
    const ip = screen.getByLabelText('IP Address');
    await user.type(ip, '10.1.0');
    expect(descriptionOf(ip)).toContain('"10.1.0" is not an IPv4 address');
    await user.click(screen.getByRole('button', { name: '日本語' }));
    expect(descriptionOf(screen.getByLabelText('IP アドレス'))).toContain('"10.1.0" は IPv4 アドレスではありません');
    await user.type(screen.getByLabelText('IP アドレス'), '.20');
    expect(screen.getByLabelText('IP アドレス').getAttribute('aria-invalid')).toBeNull();
  });

  it('fills a server\'s ENI and AZ from AWS discovery, and says so when discovery is unavailable', async () => {
    const user = userEvent.setup();
    const agent = FakeAgent.fresh()
      .handle('aws.discover', ({ what }) => ({
        items:
          what === 'networkInterfaces'
            ? [
                { id: 'eni-0a1b2c3d4e5f60001', label: 'server1', detail: { privateIp: '10.0.110.10', availabilityZone: 'ap-northeast-1a' } },
                { id: 'eni-0a1b2c3d4e5f60002', label: 'server2', detail: { privateIp: '10.0.120.10', availabilityZone: 'ap-northeast-1c' } },
              ]
            : what === 'vpcs'
              ? [{ id: 'vpc-0a1b2c3d4e5f67890', label: 'kumo-guide (10.0.0.0/16)' }]
              : [],
      }));
    renderWithDraft(vipDraft(), details(0, 1), { agent });
    const vpc = await screen.findByRole('combobox', { name: 'VPC ID' });
    expect(descriptionOf(vpc)).toContain('1 found in AWS.');
    await user.click(within(vpc.parentElement!).getByRole('button', { name: 'Show the choices' }));
    await user.click(screen.getByRole('option', { name: /vpc-0a1b2c3d4e5f67890/ }));
    expect(screen.getByLabelText<HTMLInputElement>('VPC ID').value).toBe('vpc-0a1b2c3d4e5f67890');
    await user.click(screen.getByRole('tab', { name: 'server2' }));
    await user.click(screen.getByLabelText('Set up individually'));
    expect(screen.getByLabelText<HTMLInputElement>('ENI ID').value).toBe('eni-0a1b2c3d4e5f60002');

    const none = renderWithDraft(vipDraft(), details(0, 1));
    await within(none.container).findAllByText(/AWS discovery is not available on this agent/);
    expect(within(none.container).getByLabelText('VPC ID').getAttribute('role')).toBeNull();
  });

  it('renders a monitor\'s special settings from its type (awsazw: Availability Zone per server)', () => {
    renderWithDraft(
      draftFromConfig(guideVip)!,
      <ErrorVisibility showAll>
        <MonitorSpecialPage mi={0} />
      </ErrorVisibility>,
    );
    expectTabs('Common', 'server1', 'server2');
    expect(screen.getByLabelText<HTMLInputElement>('Availability Zone').value).toBe('ap-northeast-1a');
    const fields = MONITOR_TYPES.awsazw.fields as Record<string, FieldHint>;
    expect(screen.getByLabelText(fields['mode']!.label.en)).toBeTruthy();
  });
});
