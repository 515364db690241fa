/**
 * What-if: "say this server, interconnect or monitor fails — what would the cluster do?" computed by the
 * engine's own `decide`, run for every server in the cluster simulator, starting from the cluster as it is now.
 * Nothing real is touched.
 */
import { renderAlert } from '@kumo/shared';
import type { ClusterStatus, Lang, ValidConfig, WhatIfFault } from '@kumo/shared';
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

/** The narrative in the language the WebUI shows (alerts in CLUSTERPRO's own texts). */
const say = (lang: Lang, en: string, ja: string) => (lang === 'ja' ? ja : en);

function describe(a: EngineAction, lang: Lang): { action: string; detail: string } | undefined {
  switch (a.type) {
    case 'alert':
      return { action: say(lang, 'alert', 'アラート'), detail: renderAlert(a.key, a.args, lang) };
    case 'exec':
      return { action: a.order.kind, detail: 'group' in a.order ? `${a.order.kind} ${a.order.group}${'resource' in a.order ? ` (${a.order.resource})` : ''}` : a.order.kind };
    case 'fence': {
      const wait = Math.round(a.delayMs / 1000);
      return {
        action: say(lang, 'forced stop', '強制停止'),
        detail: say(lang, `stop the instance ${a.instanceId} of ${a.server}${wait > 0 ? ` after waiting ${wait} s` : ''}`, `${wait > 0 ? `${wait} 秒待ってから` : ''}${a.server} のインスタンス ${a.instanceId} を停止`),
      };
    }
    case 'np.check':
      return { action: say(lang, 'NP resolution', 'NP 解決'), detail: say(lang, `check the NP targets (lost: ${a.lost.join(', ')})`, `NP 解決の対象を確認 (消失: ${a.lost.join(', ')})`) };
    case 'host':
      return { action: a.action, detail: say(lang, `${a.action} the server`, a.action === 'shutdown' ? 'サーバをシャットダウン' : 'サーバを再起動') };
    case 'service':
      return { action: say(lang, 'service', 'サービス'), detail: say(lang, `cluster service ${a.service}`, `クラスタサービス: ${a.service}`) };
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

export function simulateWhatIf(config: ValidConfig, status: ClusterStatus, fault: WhatIfFault, lang: Lang = 'en'): WhatIfResult {
  const steps: WhatIfStep[] = [];
  let recording = false;
  const hasWitness = config.cluster.np.targets.some((t) => t.kind === 'witness');
  const np = Object.fromEntries(status.servers.map((s) => [s.name, s.np.length === 0 || s.np.some((t) => t.state !== 'error')]));
  const sim = new ClusterSim(config, {
    np,
    witness: hasWitness,
    trace: (server, a) => {
      if (!recording) return;
      const d = describe(a, lang);
      if (d) steps.push({ server, ...d });
    },
  });
  const running = status.servers.filter((s) => s.state === 'online' || s.state === 'suspended').map((s) => s.name);
  if (running.length === 0) return { steps: [], summary: say(lang, 'The cluster is not running: nothing would happen.', 'クラスタが動作していません。何も起こりません。') };
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
      if (!running.includes(fault.name)) return { steps: [], summary: say(lang, `${fault.name} is not running: nothing would change.`, `${fault.name} は動作していません。何も変わりません。`) };
      steps.push({ server: fault.name, action: 'fault', detail: say(lang, `${fault.name} goes down`, `${fault.name} がダウン`) });
      sim.crash(fault.name);
      break;
    case 'interconnect':
      steps.push({ server: fault.server, action: 'fault', detail: say(lang, `every interconnect of ${fault.server} is cut`, `${fault.server} のすべてのインタコネクトが切断`) });
      for (const other of running) if (other !== fault.server) sim.cut(fault.server, other);
      break;
    case 'monitor': {
      const monitor = config.monitors.find((m) => m.name === fault.name);
      if (!monitor) return { steps: [], summary: say(lang, `There is no monitor ${fault.name}.`, `モニタ ${fault.name} はありません。`) };
      const server = fault.server ?? running.find((s) => Object.values(before).includes(s)) ?? running[0]!;
      steps.push({ server, action: 'fault', detail: say(lang, `monitor ${fault.name} reports an error on ${server}`, `${server} でモニタ ${fault.name} が異常を検出`) });
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
    const off = say(lang, 'offline', '停止');
    if (from !== after) return `${g.name}: ${from ?? off} → ${after ?? off}`;
    return say(lang, `${g.name} stays ${after ? `on ${after}` : 'offline'}`, `${g.name} は${after ? ` ${after} で動作を継続` : '停止のまま'}`);
  });
  const downed = running
    .filter((s) => sim.isUp(s) && sim.service(s) !== 'running')
    .map((s) => say(lang, `${s} stops its cluster service (${sim.service(s)})`, `${s} はクラスタサービスを停止 (${sim.service(s)})`));
  return { steps, summary: [...moves, ...downed].join(say(lang, '; ', '。')) };
}
