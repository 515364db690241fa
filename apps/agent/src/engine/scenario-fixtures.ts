/** Small cluster configs for the engine's scenario tests and the what-if simulator's own tests. */
import { validateClusterConfig } from '@kumo/shared';
import type { ClusterConfigInput, ValidConfig } from '@kumo/shared';

export interface ScenarioGroup {
  name: string;
  startupServers?: string[];
  startup?: 'auto' | 'manual';
  failover?: 'auto' | 'manual';
  failback?: 'auto' | 'manual';
  /** Resource names (exec resources, in order); default one `exec-<group>`. */
  resources?: string[];
  failoverThreshold?: number | 'servers';
  finalAction?: 'none-continue' | 'none' | 'stop-group' | 'stop-service' | 'shutdown' | 'reboot';
  deactivationFinalAction?: 'none-continue' | 'none' | 'stop-service' | 'shutdown' | 'reboot';
}

export interface ScenarioMonitor {
  name: string;
  target: { kind: 'resource' | 'group'; name: string } | { kind: 'local-server' };
  maxRestarts?: number;
  maxFailovers?: number;
  finalAction?: 'none' | 'stop-group' | 'stop-service' | 'shutdown' | 'reboot' | 'stop-resource';
}

export function scenarioConfig(opts: {
  servers?: number;
  groups?: ScenarioGroup[];
  monitors?: ScenarioMonitor[];
  forcedStop?: boolean;
  isolationAction?: 'stop-service' | 'shutdown' | 'reboot';
  witness?: boolean;
}): ValidConfig {
  const n = opts.servers ?? 2;
  const servers = Array.from({ length: n }, (_, i) => ({
    name: `server${i + 1}`,
    address: `10.0.0.${i + 11}`,
    instanceId: `i-0a1b2c3d4e5f6000${i + 1}`,
  }));
  const input: ClusterConfigInput = {
    cluster: {
      name: 'scenario',
      heartbeat: { intervalS: 1, timeoutS: 3 },
      serverSyncWaitS: 30,
      np: {
        targets: [
          { kind: 'http', host: 'np.example', port: 80 },
          ...(opts.witness ? [{ kind: 'witness' as const, host: 'witness.example' }] : []),
        ],
        isolationAction: opts.isolationAction ?? 'shutdown',
      },
      forcedStop: { enabled: opts.forcedStop ?? false, delayPerPriorityS: 10 },
    },
    servers,
    interconnects: [{ priority: 1, addresses: Object.fromEntries(servers.map((s) => [s.name, s.address])) }],
    groups: (opts.groups ?? [{ name: 'failover1' }]).map((g) => ({
      name: g.name,
      ...(g.startupServers ? { startupServers: g.startupServers } : {}),
      attributes: { startup: g.startup ?? 'auto', failover: g.failover ?? 'auto', failback: g.failback ?? 'manual' },
      resources: (g.resources ?? [`exec-${g.name}`]).map((r) => ({
        name: r,
        type: 'exec' as const,
        recovery: {
          activation: { failoverThreshold: g.failoverThreshold ?? 'servers', finalAction: g.finalAction ?? 'none' },
          deactivation: { finalAction: g.deactivationFinalAction ?? 'shutdown' },
        },
      })),
    })),
    monitors: (opts.monitors ?? []).map((m) => ({
      name: m.name,
      type: 'genw' as const,
      recovery: {
        target: m.target,
        maxRestarts: m.maxRestarts ?? 3,
        maxFailovers: m.maxFailovers ?? 1,
        finalAction: m.finalAction ?? 'none',
      },
    })),
  };
  const r = validateClusterConfig(input);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.where}: ${e.message.en}`).join('\n'));
  return r.config;
}
