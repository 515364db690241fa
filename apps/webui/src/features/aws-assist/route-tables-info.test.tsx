import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import guideVip from '@kumo/shared/fixtures/guide-vip.json';
import { FakeAgent } from '../../testing/fake-agent';
import { renderWithDraft } from '../../testing/render';
import { draftFromConfig } from '../config-forms/draft';
import { ipInCidr, RouteTablesInfo } from './route-tables-info';

const VPC = 'vpc-0a1b2c3d4e5f67890';

/** An agent whose AWS has the guide's VPC (10.0.0.0/16) and its three route tables holding 10.1.0.20/32. */
function agent(): FakeAgent {
  return FakeAgent.fresh().handle('aws.discover', ({ what }) => ({
    items:
      what === 'vpcs'
        ? [{ id: VPC, label: `kumo-guide ${VPC} (10.0.0.0/16)`, detail: { cidrs: ['10.0.0.0/16'], isDefault: false, self: true } }]
        : what === 'routeTables'
          ? ['rtb-0a1b2c3d4e5f600ab', 'rtb-0a1b2c3d4e5f6002a', 'rtb-0a1b2c3d4e5f6002b'].map((id) => ({
              id,
              label: id,
              detail: { hostRoutes: [{ destination: '10.1.0.20/32', target: 'eni-0a1b2c3d4e5f60001' }] },
            }))
          : [],
  }));
}

const region = () => screen.findByRole('region', { name: 'Route tables holding the VIP' });

describe('route tables of a VIP', () => {
  it('lists the route tables that hold the VIP outside the VPC CIDR', async () => {
    renderWithDraft(draftFromConfig(guideVip)!, <RouteTablesInfo ip="10.1.0.20" vpcId={VPC} />, { agent: agent() });
    expect((await region()).textContent).toContain('rtb-0a1b2c3d4e5f6002a: 10.1.0.20/32 → eni-0a1b2c3d4e5f60001');
  });

  it('says a VIP inside the VPC CIDR belongs to a subnet and must be outside it, instead of asking for a route', async () => {
    const user = userEvent.setup();
    renderWithDraft(draftFromConfig(guideVip)!, <RouteTablesInfo ip="10.0.5.20" vpcId={VPC} />, { agent: agent() });
    const text = (await screen.findByText(/belongs to a VPC subnet/)).textContent;
    expect(text).toBe(
      'The VIP address 10.0.5.20 belongs to a VPC subnet. Choose a VIP outside the VPC CIDR 10.0.0.0/16 (for example 10.1.0.20 for 10.0.0.0/16): the route tables carry it, not a subnet.',
    );
    expect((await region()).textContent).not.toContain('Add one');
    await user.click(screen.getByRole('button', { name: '日本語' }));
    expect(screen.getByText(/VIP アドレス 10\.0\.5\.20 は VPC のサブネットに属しています/)).toBeTruthy();
  });

  it('knows which addresses a CIDR holds', () => {
    expect(ipInCidr('10.0.5.20', '10.0.0.0/16')).toBe(true);
    expect(ipInCidr('10.1.0.20', '10.0.0.0/16')).toBe(false);
    expect(ipInCidr('10.0.255.255', '10.0.0.0/16')).toBe(true);
    expect(ipInCidr('192.168.1.1', '0.0.0.0/0')).toBe(true);
    expect(ipInCidr('10.0.5.20', '10.0.5.20/32')).toBe(true);
    expect(ipInCidr('10.0.5.21', '10.0.5.20/32')).toBe(false);
    expect(ipInCidr('10.0.5', '10.0.0.0/16')).toBe(false);
  });
});
