import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { renderApp } from '../../testing/render';
import { clusterAgent } from './fixtures';

const ANSWER = {
  steps: [
    { server: 'server1', action: 'fault', detail: 'server1 goes down' },
    { server: 'server2', action: 'group.activate', detail: 'group.activate failover1' },
    { server: 'server2', action: 'alert', detail: 'The group failover1 has been failed over to server2.' },
  ],
  summary: 'failover1: server1 → server2',
};

async function openWhatIf(agent = clusterAgent().handle('whatif.simulate', () => ANSWER)) {
  const user = userEvent.setup();
  renderApp(agent);
  const section = await screen.findByRole('region', { name: 'What if…' });
  return { user, agent, section: within(section) };
}

describe('what-if', () => {
  it('simulates a server going down and lists the steps and the outcome', async () => {
    const { user, agent, section } = await openWhatIf();
    expect(section.getAllByLabelText('Server')[0]).toBeTruthy();
    await user.click(section.getByRole('button', { name: 'Simulate' }));
    expect(agent.callsOf('whatif.simulate')).toEqual([{ fault: { kind: 'server', name: 'server1' }, lang: 'en' }]);
    const steps = await section.findByRole('table', { name: 'What would happen' });
    expect(within(steps).getAllByRole('row').slice(1).map((r) => r.textContent)).toEqual([
      '1server1faultserver1 goes down',
      '2server2group.activategroup.activate failover1',
      '3server2alertThe group failover1 has been failed over to server2.',
    ]);
    expect(section.getByText('failover1: server1 → server2').textContent).toBe('Outcome: failover1: server1 → server2');
  });

  it('asks about a cut interconnect of a chosen server, and about a monitor on a chosen server', async () => {
    const { user, agent, section } = await openWhatIf();
    await user.selectOptions(section.getByLabelText('What fails'), 'interconnect');
    await user.selectOptions(section.getByLabelText('Server'), 'server2');
    await user.click(section.getByRole('button', { name: 'Simulate' }));
    expect(agent.callsOf('whatif.simulate').at(-1)).toEqual({ fault: { kind: 'interconnect', server: 'server2' }, lang: 'en' });

    await user.selectOptions(section.getByLabelText('What fails'), 'monitor');
    await user.selectOptions(section.getByLabelText('Monitor'), 'awsvipw1');
    expect(within(section.getByLabelText('On server')).getAllByRole('option').map((o) => o.textContent)).toEqual(['Where its target runs', 'server1', 'server2']);
    await user.click(section.getByRole('button', { name: 'Simulate' }));
    expect(agent.callsOf('whatif.simulate').at(-1)).toEqual({ fault: { kind: 'monitor', name: 'awsvipw1' }, lang: 'en' });
    await user.selectOptions(section.getByLabelText('On server'), 'server2');
    await user.click(section.getByRole('button', { name: 'Simulate' }));
    expect(agent.callsOf('whatif.simulate').at(-1)).toEqual({ fault: { kind: 'monitor', name: 'awsvipw1', server: 'server2' }, lang: 'en' });
  });

  it('says when nothing would happen, and shows a refusal', async () => {
    const agent = clusterAgent().handle('whatif.simulate', () => ({ steps: [], summary: 'The cluster is not running: nothing would happen.' }));
    const { user, section } = await openWhatIf(agent);
    await user.click(section.getByRole('button', { name: 'Simulate' }));
    expect(await section.findByText('Nothing would happen.')).toBeTruthy();
    agent.fail('whatif.simulate', 'KUMO_E_NO_CONFIG', 'no config');
    await user.click(section.getByRole('button', { name: 'Simulate' }));
    expect((await section.findByRole('alert')).textContent).toContain('The cluster has no configuration yet');
  });
});
