import { describe, expect, it } from 'vitest';
import guideVip from '@kumo/shared/fixtures/guide-vip.json';
import { draftFromConfig } from './draft';
import { monitorDetection, serverDownDetection } from './failover-time';

describe('failover time', () => {
  it('detects a lost server within the heartbeat timeout, plus forced stop\'s waits for the lowest-priority survivor', () => {
    const d = draftFromConfig(guideVip)!;
    expect(serverDownDetection(d)).toEqual({ heartbeat: 90, forcedStop: null });
    d.cluster.forcedStop = { enabled: true, delayPerPriorityS: 5, stopTimeoutS: 60 };
    d.servers.push({ name: 'server3', address: '10.0.130.10' });
    expect(serverDownDetection(d)).toEqual({ heartbeat: 90, forcedStop: 5 * 2 + 60 });
  });

  it('detects a monitor error within interval × (retry count + 1) + timeout, the type\'s defaults filling the gaps', () => {
    const d = draftFromConfig(guideVip)!;
    const vipw = d.monitors.find((m) => m.name === 'awsvipw1')!;
    expect(monitorDetection(vipw)).toEqual({ interval: 60, retries: 1, timeout: 180, total: 300 });
    vipw.common.intervalS = 5;
    vipw.common.retryCount = 0;
    vipw.common.timeoutS = 10;
    expect(monitorDetection(vipw).total).toBe(15);
  });
});
