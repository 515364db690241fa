/**
 * What-if: "say this server, interconnect or monitor fails — what would the cluster do?" computed by the
 * engine's own `decide`, run for every server in the cluster simulator, starting from the cluster as it is now.
 * Nothing real is touched.
 */
import { renderAlert } from '@kumo/shared';
import type { ClusterStatus, ValidConfig, WhatIfFault } from '@kumo/shared';
import type { EngineAction } from './model.js';
import { ClusterSim } from './sim.js';

export interface WhatIfStep {
  server: string;
  action: string;
  detail: string;
}

export interface WhatIfResult {
  steps: WhatIfStep[];
  summary: string;
}

function describe(a: EngineAction): { action: string; detail: string } | undefined {
  switch (a.type) {
    case 'alert':
      return { action: 'alert', detail: renderAlert(a.key, a.args) };
    case 'exec':
      return { action: a.order.kind, detail: 'group' in a.order ? `${a.order.kind} ${a.order.group}${'resource' in a.order ? ` (${a.order.resource})` : ''}` : a.order.kind };
    case 'fence':
      return { action: 'forced stop', detail: `stop the instance ${a.instanceId} of ${a.server}${a.delayMs > 0 ? ` after waiting ${Math.round(a.delayMs / 1000)} s` : ''}` };
    case 'np.check':
      return { action: 'NP resolution', detail: `check the NP targets (lost: ${a.lost.join(', ')})` };
    case 'host':
      return { action: a.action, detail: `${a.action} the server` };
    case 'service':
      return { action: 'service', detail: `cluster service ${a.service}` };
    case 'send.order':
    case 'send.result':
    case 'broadcast.table':
    case 'probe':
    case 'timer.set':
    case 'op.done':
      return undefined;
    default: {
      const check: never = a;
      throw new Error(`unhandled action ${JSON.stringify(check)}`);
    }
  }
}

export function simulateWhatIf(config: ValidConfig, status: ClusterStatus, fault: WhatIfFault): WhatIfResult {
  const steps: WhatIfStep[] = [];
  let recording = false;
  const hasWitness = config.cluster.np.targets.some((t) => t.kind === 'witness');
  const np = Object.fromEntries(status.servers.map((s) => [s.name, s.np.length === 0 || s.np.some((t) => t.state !== 'error')]));
  const sim = new ClusterSim(config, {
    np,
    witness: hasWitness,
    trace: (server, a) => {
      if (!recording) return;
      const d = describe(a);
      if (d) steps.push({ server, ...d });
    },
  });
  const running = status.servers.filter((s) => s.state === 'online' || s.state === 'suspended').map((s) => s.name);
  if (running.length === 0) return { steps: [], summary: 'The cluster is not running: nothing would happen.' };
  sim.boot(...running);
  sim.advance(config.cluster.serverSyncWaitS * 1000 + 1000);
  // Recreate today's placement.
  for (const g of status.groups) {
    const where = sim.onlineOn(g.name);
    if (g.current && where[0] !== g.current) {
      sim.operate(running[0]!, where.length > 0 ? { op: 'group.move', group: g.name, server: g.current } : { op: 'group.start', group: g.name, server: g.current });
    } else if (!g.current && where.length > 0) sim.operate(running[0]!, { op: 'group.stop', group: g.name });
  }
  const before = Object.fromEntries(config.groups.map((g) => [g.name, sim.onlineOn(g.name)[0] ?? null]));

  recording = true;
  switch (fault.kind) {
    case 'server':
      if (!running.includes(fault.name)) return { steps: [], summary: `${fault.name} is not running: nothing would change.` };
      steps.push({ server: fault.name, action: 'fault', detail: `${fault.name} goes down` });
      sim.crash(fault.name);
      break;
    case 'interconnect':
      steps.push({ server: fault.server, action: 'fault', detail: `every interconnect of ${fault.server} is cut` });
      for (const other of running) if (other !== fault.server) sim.cut(fault.server, other);
      break;
    case 'monitor': {
      const monitor = config.monitors.find((m) => m.name === fault.name);
      if (!monitor) return { steps: [], summary: `There is no monitor ${fault.name}.` };
      const server = fault.server ?? running.find((s) => Object.values(before).includes(s)) ?? running[0]!;
      steps.push({ server, action: 'fault', detail: `monitor ${fault.name} reports an error on ${server}` });
      // Enough errors to walk the whole recovery path: each restart, each failover, then the final action.
      const rounds = monitor.recovery.maxRestarts + monitor.recovery.maxFailovers + 1;
      for (let i = 0; i < rounds; i += 1) {
        const on = Object.keys(before).map((g) => sim.onlineOn(g)[0]).find((x) => x !== undefined) ?? server;
        sim.monitorError(i === 0 ? server : on, fault.name);
      }
      break;
    }
    default: {
      const check: never = fault;
      throw new Error(`unhandled fault ${JSON.stringify(check)}`);
    }
  }
  sim.advance(5 * 60_000);
  const moves = config.groups.map((g) => {
    const after = sim.onlineOn(g.name)[0] ?? null;
    const from = before[g.name] ?? null;
    return from === after ? `${g.name} stays ${after ? `on ${after}` : 'offline'}` : `${g.name}: ${from ?? 'offline'} → ${after ?? 'offline'}`;
  });
  const downed = running.filter((s) => sim.isUp(s) && sim.service(s) !== 'running').map((s) => `${s} stops its cluster service (${sim.service(s)})`);
  return { steps, summary: [...moves, ...downed].join('; ') };
}
