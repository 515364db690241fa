/** What a server tells its peers about itself: derived from its engine state, so every agent reports alike. */
import type { ServerReport } from '@kumo/shared';
import type { EngineState } from './model.js';

export interface ReportExtras {
  monitors?: ServerReport['monitors'];
  mirrors?: ServerReport['mirrors'];
  npTargets?: ServerReport['np']['targets'];
  instanceId?: string | null;
  /** The config this server runs (its hash and version), so that peers and the WebUI can tell a server behind. */
  config?: { hash: string; version: number } | null;
  now?: number;
}

export function buildReport(s: EngineState, extras: ReportExtras = {}): ServerReport {
  const members: ServerReport['members'] = {};
  for (const [name, m] of Object.entries(s.members)) members[name] = m.view;
  return {
    server: s.self,
    bootId: s.bootId,
    service: s.service,
    joined: s.joined,
    configHash: extras.config?.hash ?? null,
    configVersion: extras.config?.version ?? null,
    groups: s.local,
    monitors: extras.monitors ?? {},
    mirrors: extras.mirrors ?? {},
    members,
    np: { reachable: s.np.reachable, targets: extras.npTargets ?? [] },
    instanceId: extras.instanceId ?? null,
    intents: s.table,
    generatedAt: extras.now ?? 0,
  };
}
