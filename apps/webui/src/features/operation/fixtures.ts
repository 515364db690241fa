/**
 * Test fixtures of operation mode: the guide's VIP cluster (chapter 5) running, as an agent reports it, and a
 * fake agent that answers for it. Tests change the status with `statusOf({...})` and push it as an event.
 */
import { validateClusterConfig } from '@kumo/shared';
import type { ClusterStatus, GroupStatus, MethodResult, MirrorStatus } from '@kumo/shared';
import guideVip from '@kumo/shared/fixtures/guide-vip.json';
import { FakeAgent } from '../../testing/fake-agent';

export function guideConfig(language: 'en' | 'ja' = 'en') {
  const r = validateClusterConfig({ ...guideVip, cluster: { ...guideVip.cluster, language } });
  if (!r.ok) throw new Error('invalid fixture');
  return r.config;
}

export function group(over: Partial<GroupStatus> = {}): GroupStatus {
  const current = over.current === undefined ? 'server1' : over.current;
  const online = current !== null;
  return {
    name: 'failover1',
    state: online ? 'online' : 'offline',
    current,
    activeOn: current ? [current] : [],
    pending: null,
    resources: [
      { name: 'md', type: 'md', state: online ? 'online' : 'offline' },
      { name: 'awsvip1', type: 'awsvip', state: online ? 'online' : 'offline' },
    ],
    ...over,
  };
}

export function mirror(over: Partial<MirrorStatus> = {}): MirrorStatus {
  return {
    name: 'md',
    group: 'failover1',
    status: 'normal',
    perServer: {
      server1: { color: 'GREEN', role: 'primary', diskState: 'up-to-date', lastUpdateTime: 1_700_000_000_000, breakTime: null },
      server2: { color: 'GREEN', role: 'secondary', diskState: 'up-to-date', lastUpdateTime: 1_700_000_000_000, breakTime: null },
    },
    recovery: null,
    ...over,
  };
}

/** The cluster as server1 sees it: both servers online, failover1 on server1, the mirror in sync. */
export function statusOf(over: { from?: string; groups?: GroupStatus[]; mirrors?: MirrorStatus[]; server2?: 'online' | 'offline'; cluster?: Partial<ClusterStatus['cluster']>; monitors?: ClusterStatus['monitors'] } = {}): ClusterStatus {
  const from = over.from ?? 'server1';
  const s2 = over.server2 ?? 'online';
  const hb = (state: 'normal' | 'error') => [{ priority: 1, address: '', state, lastSeenMsAgo: state === 'normal' ? 200 : null }];
  const np = [{ target: '127.0.0.10:29009', kind: 'witness', state: 'normal' as const }];
  return {
    from,
    generatedAt: 1_700_000_000_000,
    cluster: { name: 'cluster', state: 'running', master: 'server1', configVersion: 1, configHash: 'h1', ...over.cluster },
    servers: [
      { name: 'server1', address: '10.0.110.10', state: 'online', isLocal: from === 'server1', isMaster: true, heartbeats: from === 'server1' ? [] : hb('normal'), np, configHash: 'h1' },
      { name: 'server2', address: '10.0.120.10', state: s2, isLocal: from === 'server2', isMaster: false, heartbeats: from === 'server2' ? [] : hb(s2 === 'online' ? 'normal' : 'error'), np: s2 === 'online' ? np : [], configHash: 'h1' },
    ],
    groups: over.groups ?? [group()],
    monitors: over.monitors ?? [
      { name: 'awsazw1', type: 'awsazw', perServer: { server1: { state: 'normal', lastCheck: 1 }, server2: { state: 'normal', lastCheck: 1 } } },
      { name: 'awsvipw1', type: 'awsvipw', perServer: { server1: { state: 'normal', lastCheck: 1 }, server2: { state: 'offline', lastCheck: null } } },
      { name: 'mdw1', type: 'mdw', perServer: { server1: { state: 'normal', lastCheck: 1 }, server2: { state: 'normal', lastCheck: 1 } } },
    ],
    mirrors: over.mirrors ?? [mirror()],
  };
}

export type Role = MethodResult<'session.info'>['role'];

/** An agent of the running guide cluster; `role` is what this connection may do before any login. */
export function clusterAgent(opts: { server?: string; role?: Role; passwordRequired?: boolean; language?: 'en' | 'ja' } = {}): FakeAgent {
  const server = opts.server ?? 'server1';
  const peers = [
    { name: 'server1', address: '10.0.110.10', port: 29003 },
    { name: 'server2', address: '10.0.120.10', port: 29003 },
  ];
  return FakeAgent.fresh(server)
    .handle('session.info', () => ({ server, version: '0.1.0', role: opts.role === undefined ? 'operate' : opts.role, passwordRequired: opts.passwordRequired ?? false, configured: true, peers }))
    .handle('config.get', () => ({ config: guideConfig(opts.language), version: 1, hash: 'h1', appliedBy: 'WebUI', appliedAt: 1 }))
    .handle('status.get', () => statusOf({ from: server }))
    .handle('alerts.query', () => ({ entries: [] }));
}
