import { describe, expect, it } from 'vitest';
import guideVip from '@kumo/shared/fixtures/guide-vip.json';
import { draftFromConfig } from '../config-forms/draft';
import { diffConfigs } from './config-diff';
import type { Change } from './config-diff';

const text = (c: Change) => `${c.kind}: ${c.path.map((p) => (typeof p === 'string' ? p : p.en)).join(' › ')}${c.kind === 'changed' ? ` ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}` : ''}`;

describe('diffConfigs', () => {
  it('lists nothing for the same configuration', () => {
    expect(diffConfigs(draftFromConfig(guideVip), draftFromConfig(guideVip)!)).toEqual([]);
  });

  it('names subjects and catalogue labels, matching items by name', () => {
    const before = draftFromConfig(guideVip)!;
    const after = structuredClone(before);
    after.groups[0]!.resources[1]!.params['ip'] = '10.1.0.21';
    after.groups[0]!.resources[1]!.perServer['server2']!['eniId'] = 'eni-0a1b2c3d4e5f60003';
    after.monitors = after.monitors.filter((m) => m.name !== 'awsazw1');
    after.cluster.heartbeat.timeoutS = 30;
    after.servers.reverse();
    expect(diffConfigs(before, after).map(text)).toEqual([
      'changed: Cluster › Heartbeat › Timeout 90 → 30',
      'changed: Server priority ["server1","server2"] → ["server2","server1"]',
      'changed: Group failover1 › Resource awsvip1 › IP Address "10.1.0.20" → "10.1.0.21"',
      'changed: Group failover1 › Resource awsvip1 › on server2 › ENI ID "eni-0a1b2c3d4e5f60002" → "eni-0a1b2c3d4e5f60003"',
      'removed: Monitor awsazw1',
    ]);
  });

  it('says everything is new when the cluster runs nothing', () => {
    expect(diffConfigs(null, draftFromConfig(guideVip)!).map(text)).toEqual(['added: Cluster cluster']);
  });
});
