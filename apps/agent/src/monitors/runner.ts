/**
 * Runs this server's monitors (DESIGN §4): each at its interval with its timeout, after its wait time to start,
 * always or only while its target resource is active here. An error counts only after `retryCount` consecutive
 * failures; then the master is asked to recover. Results are normal / warning / error / unknown; "unknown" (the
 * check could not tell) never asks for recovery. Monitors can be suspended and resumed, and a failure can be
 * simulated (CLUSTERPRO's dummy failure) to rehearse a recovery.
 */
import { effectiveParams, findResource, groupServers, MONITOR_TYPES, monitorResource, monitorServers, RESOURCE_TYPES } from '@kumo/shared';
import type { AlertKey, LocalGroup, MonitorState, ValidConfig, ValidMonitor } from '@kumo/shared';
import type { DriverServices, MonitorContext, MonitorDriver, MonitorResult } from '../resources/driver.js';
import { withDeadline } from '../resources/driver.js';
import type { Logger } from '../util/log.js';

export interface MonitorStatus {
  state: MonitorState;
  message?: string;
  lastCheck: number | null;
}

interface Running {
  monitor: ValidMonitor;
  timer: NodeJS.Timeout | undefined;
  consecutive: number;
  status: MonitorStatus;
  inError: boolean;
  busy: boolean;
  /** When the target became active (for "wait time to start" of active-timing monitors). */
  activeSince: number | null;
}

export interface MonitorRunnerDeps {
  server: string;
  services: DriverServices;
  drivers: ReadonlyMap<string, MonitorDriver>;
  log: Logger;
  alert: (key: AlertKey, args: (string | number)[]) => void;
  localGroups: () => Record<string, LocalGroup>;
  onError: (monitor: string, message: string) => void;
  onNormal: (monitor: string) => void;
  onChange: () => void;
  now?: () => number;
}

export class MonitorRunner {
  private running = new Map<string, Running>();
  private config: ValidConfig | null = null;
  private active = false;
  private readonly suspended = new Set<string>();
  private allSuspended = false;
  private readonly dummy = new Set<string>();
  private startedAt = 0;

  constructor(private readonly deps: MonitorRunnerDeps) {}

  private now(): number {
    return (this.deps.now ?? Date.now)();
  }

  setConfig(config: ValidConfig | null): void {
    this.config = config;
    if (this.active) this.restart();
  }

  /** Starts monitoring (the cluster service runs) or stops it. */
  setActive(active: boolean): void {
    if (active === this.active) return;
    this.active = active;
    if (active) {
      this.startedAt = this.now();
      this.restart();
    } else this.stopAll();
  }

  private stopAll(): void {
    for (const r of this.running.values()) if (r.timer) clearInterval(r.timer);
    this.running.clear();
    this.deps.onChange();
  }

  private restart(): void {
    this.stopAll();
    const config = this.config;
    if (!config) return;
    for (const monitor of config.monitors) {
      if (!monitorServers(config, monitor).includes(this.deps.server)) continue;
      const r: Running = { monitor, timer: undefined, consecutive: 0, status: { state: 'normal', lastCheck: null }, inError: false, busy: false, activeSince: null };
      r.timer = setInterval(() => void this.tick(r), Math.max(100, monitor.common.intervalS * 1000));
      this.running.set(monitor.name, r);
      void this.tick(r);
    }
  }

  /**
   * This server's resources changed: "active"-timing monitors whose target just started or stopped are
   * re-evaluated now (and checked as soon as their wait time to start is over), not one interval later.
   */
  resourcesChanged(): void {
    const config = this.config;
    if (!config || !this.active) return;
    for (const r of this.running.values()) {
      if (r.monitor.common.timing !== 'active') continue;
      const target = this.targetContext(config, r.monitor);
      const online = target ? this.deps.localGroups()[target.group]?.resources[target.resource]?.state === 'online' : false;
      if (online === (r.activeSince !== null)) continue;
      void this.tick(r);
      if (online) {
        const wait = r.monitor.common.waitStartS * 1000;
        setTimeout(() => void this.tick(r), wait + 50).unref();
      }
    }
  }

  statuses(): Record<string, MonitorStatus> {
    const out: Record<string, MonitorStatus> = {};
    for (const [name, r] of this.running) out[name] = { ...r.status };
    return out;
  }

  suspend(name?: string): boolean {
    if (name === undefined) {
      this.allSuspended = true;
      this.deps.alert('monitorsSuspended', []);
    } else {
      if (!this.config?.monitors.some((m) => m.name === name)) return false;
      this.suspended.add(name);
      this.deps.alert('monitorSuspended', [name]);
    }
    for (const r of this.running.values()) if (this.isSuspended(r.monitor.name)) this.set(r, { state: 'suspended', lastCheck: r.status.lastCheck });
    return true;
  }

  resume(name?: string): boolean {
    if (name === undefined) {
      this.allSuspended = false;
      this.suspended.clear();
      this.deps.alert('monitorsResumed', []);
    } else {
      if (!this.config?.monitors.some((m) => m.name === name)) return false;
      this.suspended.delete(name);
      this.deps.alert('monitorResumed', [name]);
    }
    for (const r of this.running.values()) if (!this.isSuspended(r.monitor.name) && r.status.state === 'suspended') this.set(r, { state: 'normal', lastCheck: r.status.lastCheck });
    return true;
  }

  setDummyFailure(name: string, enabled: boolean): boolean {
    if (!this.config?.monitors.some((m) => m.name === name)) return false;
    if (enabled) this.dummy.add(name);
    else this.dummy.delete(name);
    this.deps.alert(enabled ? 'monitorDummyOn' : 'monitorDummyOff', [name]);
    return true;
  }

  private isSuspended(name: string): boolean {
    return this.allSuspended || this.suspended.has(name);
  }

  private set(r: Running, status: MonitorStatus): void {
    const before = JSON.stringify(r.status);
    r.status = status;
    if (JSON.stringify(status) !== before) this.deps.onChange();
  }

  private targetContext(config: ValidConfig, monitor: ValidMonitor): MonitorContext<unknown>['target'] {
    const name = monitorResource(config, monitor);
    const found = name ? findResource(config, name) : undefined;
    if (!found) return undefined;
    const def = RESOURCE_TYPES[found.resource.type];
    const parse = (server: string) => {
      const p = def.params.safeParse(effectiveParams(found.resource, server));
      return p.success ? (p.data as unknown) : effectiveParams(found.resource, server);
    };
    return {
      group: found.group.name,
      resource: found.resource.name,
      type: found.resource.type,
      params: parse(this.deps.server),
      peers: groupServers(config, found.group).map((server) => ({ server, params: parse(server) })),
    };
  }

  private async tick(r: Running): Promise<void> {
    const config = this.config;
    if (!config || !this.active || r.busy) return;
    const m = r.monitor;
    if (this.isSuspended(m.name)) {
      this.set(r, { state: 'suspended', lastCheck: r.status.lastCheck });
      return;
    }
    const target = this.targetContext(config, m);
    if (m.common.timing === 'active') {
      const state = target ? this.deps.localGroups()[target.group]?.resources[target.resource]?.state : undefined;
      if (state !== 'online') {
        r.activeSince = null;
        r.consecutive = 0;
        r.inError = false;
        this.set(r, { state: 'offline', lastCheck: r.status.lastCheck });
        return;
      }
      r.activeSince ??= this.now();
      if (this.now() - r.activeSince < m.common.waitStartS * 1000) return;
    } else if (this.now() - this.startedAt < m.common.waitStartS * 1000) return;

    r.busy = true;
    let result: MonitorResult;
    let timedOut = false;
    try {
      if (this.dummy.has(m.name)) result = { state: 'error', code: 99, text: 'dummy failure (verification mode)' };
      else {
        const driver = this.deps.drivers.get(m.type);
        if (!driver) throw new Error(`no driver for monitor type ${m.type}`);
        const def = MONITOR_TYPES[m.type];
        const parsed = def.params.safeParse(effectiveParams(m, this.deps.server));
        const params = parsed.success ? (parsed.data as unknown) : effectiveParams(m, this.deps.server);
        result = await withDeadline(
          Math.round(m.common.timeoutS * 1000),
          (signal) => driver.check({ ...this.deps.services, server: this.deps.server, monitor: m.name, params, signal, ...(target ? { target } : {}) }),
          () => {
            timedOut = true;
            return { state: 'error', code: 6, text: 'Timeout occurred.' };
          },
        );
      }
    } catch (e) {
      result = { state: 'error', code: 99, text: `Internal error. (${e instanceof Error ? e.message : String(e)})` };
    } finally {
      r.busy = false;
    }
    if (!this.active || this.running.get(m.name) !== r) return;
    this.judge(r, result, timedOut);
  }

  private judge(r: Running, result: MonitorResult, timedOut: boolean): void {
    const m = r.monitor;
    const now = this.now();
    switch (result.state) {
      case 'normal':
        if (r.inError) this.deps.alert('monitorNormalFromError', [m.name]);
        else if (r.status.state === 'warning') this.deps.alert('monitorNormalFromWarning', [m.name]);
        if (r.inError) this.deps.onNormal(m.name);
        r.consecutive = 0;
        r.inError = false;
        this.set(r, { state: 'normal', lastCheck: now });
        return;
      case 'warning':
        if (r.status.state !== 'warning') this.deps.alert('monitorWarn', [m.name, result.code, result.text]);
        r.consecutive = 0;
        this.set(r, { state: 'warning', message: `(${result.code} : ${result.text})`, lastCheck: now });
        return;
      case 'unknown':
        this.set(r, { state: 'unknown', message: `(${result.code} : ${result.text})`, lastCheck: now });
        return;
      case 'error': {
        r.consecutive += 1;
        const retriesLeft = timedOut && m.common.noRetryOnTimeout ? 0 : m.common.retryCount;
        if (r.consecutive <= retriesLeft) return; // retry at the next interval
        const message = `(${result.code} : ${result.text})`;
        if (!r.inError || r.status.message !== message) this.deps.alert('monitorError', [m.name, result.code, result.text]);
        r.inError = true;
        // The next detection counts its retries afresh (after a recovery the target gets a fair chance).
        r.consecutive = 0;
        this.set(r, { state: this.dummy.has(m.name) ? 'dummy-failure' : 'error', message, lastCheck: now });
        if (timedOut && m.common.noRecoveryOnTimeout) return;
        this.deps.onError(m.name, message);
        return;
      }
      default: {
        const check: never = result;
        throw new Error(`unhandled result ${JSON.stringify(check)}`);
      }
    }
  }

  close(): void {
    this.active = false;
    this.stopAll();
  }
}
