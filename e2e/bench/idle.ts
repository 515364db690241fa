/**
 * An idle agent's CPU and memory: the guide's VIP cluster steady on server1 (heartbeats, the witness poll, the
 * monitors at their default intervals, the mirror disk connected and idle), no WebUI connected. CPU is read from
 * /proc/<pid>/stat over 5 s windows, RSS from /proc/<pid>/status at the end of each window.
 */
import type { ChapterContext } from './chapter.js';
import { figure, sleep } from './figures.js';
import type { Figure } from './figures.js';
import { cpuSeconds, memoryKiB } from './proc.js';

const WINDOW_MS = 5000;
const SETTLE_MS = 10_000;

export interface IdleResult {
  figures: Figure[];
  details: Record<string, { role: string; cpuPercentWindows: number[]; cpuPercentOverall: number; rssMiB: number[]; peakRssMiB: number }>;
  errors: string[];
}

export async function benchIdle(ctx: ChapterContext, seconds: number, log: (line: string) => void): Promise<IdleResult> {
  const { cluster } = ctx;
  for (const n of cluster.names) ctx.clients.drop(n);
  log(`idle: settling ${SETTLE_MS / 1000} s, then ${seconds} s of samples`);
  await sleep(SETTLE_MS);
  const agents = cluster.names.map((name) => {
    const pid = cluster.agents.get(name).child?.pid;
    if (pid === undefined) throw new Error(`${name} has no running agent`);
    return { name, pid, role: name === 'server1' ? 'active (runs failover1)' : 'standby', cpu: [] as number[], rss: [] as number[], start: cpuSeconds(pid) };
  });
  const windows = Math.max(1, Math.round((seconds * 1000) / WINDOW_MS));
  const t0 = performance.now();
  let last = t0;
  let prev = agents.map((a) => a.start);
  for (let w = 0; w < windows; w += 1) {
    await sleep(WINDOW_MS - ((performance.now() - t0) % WINDOW_MS));
    const now = performance.now();
    const cpu = agents.map((a) => cpuSeconds(a.pid));
    agents.forEach((a, i) => {
      a.cpu.push((100 * (cpu[i]! - prev[i]!)) / ((now - last) / 1000));
      a.rss.push(memoryKiB(a.pid).rss / 1024);
    });
    prev = cpu;
    last = now;
  }
  const wall = (last - t0) / 1000;
  const details: IdleResult['details'] = {};
  const figures: Figure[] = [];
  for (const a of agents) {
    const overall = (100 * (prev[agents.indexOf(a)]! - a.start)) / wall;
    const peak = memoryKiB(a.pid).hwm / 1024;
    details[a.name] = { role: a.role, cpuPercentWindows: a.cpu.map((v) => Math.round(v * 100) / 100), cpuPercentOverall: Math.round(overall * 100) / 100, rssMiB: a.rss.map((v) => Math.round(v * 10) / 10), peakRssMiB: Math.round(peak * 10) / 10 };
    const notes = [`${Math.round(wall)} s in ${WINDOW_MS / 1000} s windows; overall ${overall.toFixed(2)} % of one core`];
    figures.push(figure(`idle.cpu.${a.name}`, `Idle agent CPU, ${a.name} (${a.role})`, '%', a.cpu, { notes }));
    figures.push(figure(`idle.rss.${a.name}`, `Idle agent RSS, ${a.name} (${a.role})`, 'MiB', a.rss, { notes: [`peak (VmHWM) ${peak.toFixed(1)} MiB since the agent started`] }));
  }
  return { figures, details, errors: [] };
}
