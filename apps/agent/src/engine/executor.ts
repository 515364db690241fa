/**
 * The executor runs orders on this server's resources: groups are activated by dependency depth (the resources
 * of one depth in parallel) and deactivated in reverse; every driver call runs under its timeout through an
 * AbortSignal; the resource's recovery operation is applied here where it is local (retry in place, "activate
 * the next resource" when no failover is left) and reported to the master where it is not (failover, final
 * action). It keeps each group's state as the master's reports need it, and the definition it activated a
 * group with, so that a group removed from the config is still stopped correctly.
 */
import { activationDepths, effectiveParams, groupServers, RESOURCE_TYPES } from '@kumo/shared';
import type { AlertKey, LocalGroup, Order, ResourceState, ValidConfig, ValidGroup as GroupConfig, ValidResource as ResourceConfig } from '@kumo/shared';
import type { DriverResult, DriverServices, ProbeResult, ResourceContext, ResourceDriver } from '../resources/driver.js';
import { withDeadline } from '../resources/driver.js';

export interface ExecResult {
  ok: boolean;
  failedResource?: string;
  message?: string;
}

export interface ExecutorDeps {
  server: string;
  services: DriverServices;
  drivers: ReadonlyMap<string, ResourceDriver>;
  alert: (key: AlertKey, args: (string | number)[]) => void;
  /** Called whenever a group's state changes, so the engine can report it at once. */
  onChange: () => void;
}

function groupStateOf(resources: LocalGroup['resources'], total: number): LocalGroup['state'] {
  const states = Object.values(resources).map((r) => r.state);
  if (states.some((s) => s === 'online-pending')) return 'online-pending';
  if (states.some((s) => s === 'offline-pending')) return 'offline-pending';
  if (states.some((s) => s === 'offline-failure')) return 'offline-failure';
  if (states.some((s) => s === 'online-failure')) return 'online-failure';
  const online = states.filter((s) => s === 'online').length;
  if (online === 0) return 'offline';
  return online === total ? 'online' : 'online-failure';
}

export class Executor {
  private readonly groups = new Map<string, { def: GroupConfig; config: ValidConfig; state: LocalGroup }>();
  private latest: ValidConfig | null = null;

  constructor(private readonly deps: ExecutorDeps) {}

  /** Every group's state on this server (what the engine reports). */
  snapshot(): Record<string, LocalGroup> {
    const out: Record<string, LocalGroup> = {};
    for (const [name, g] of this.groups) out[name] = structuredClone(g.state);
    return out;
  }

  /** Learns the current config: new groups start offline, changed definitions apply at their next activation. */
  setConfig(config: ValidConfig): void {
    this.latest = config;
    for (const def of config.groups) {
      const known = this.groups.get(def.name);
      const state = known?.state ?? { state: 'offline', resources: {} };
      for (const r of def.resources) state.resources[r.name] ??= { state: 'offline' };
      if (!known || !this.isHolding(known.state)) this.groups.set(def.name, { def, config, state });
    }
  }

  private isHolding(state: LocalGroup): boolean {
    return state.state !== 'offline';
  }

  private driverFor(r: ResourceConfig): ResourceDriver {
    const d = this.deps.drivers.get(r.type);
    if (!d) throw new Error(`no driver for resource type ${r.type}`);
    return d;
  }

  private context(config: ValidConfig, group: GroupConfig, r: ResourceConfig, event: ResourceContext<unknown>['event'], signal: AbortSignal): ResourceContext<unknown> {
    const parse = (server: string) => {
      const parsed = RESOURCE_TYPES[r.type].params.safeParse(effectiveParams(r, server));
      return parsed.success ? (parsed.data as unknown) : effectiveParams(r, server);
    };
    return {
      ...this.deps.services,
      server: this.deps.server,
      group: group.name,
      resource: r.name,
      params: parse(this.deps.server),
      signal,
      event,
      peers: groupServers(config, group).map((server) => ({ server, params: parse(server) })),
    };
  }

  private setResource(group: string, resource: string, state: ResourceState, message?: string): void {
    const g = this.groups.get(group);
    if (!g) return;
    g.state.resources[resource] = message === undefined ? { state } : { state, message };
    g.state.state = groupStateOf(g.state.resources, g.def.resources.length);
    this.deps.onChange();
  }

  /** Probes every resource of every group: what is active on this server right now (used at start). */
  async probeAll(config: ValidConfig): Promise<Record<string, LocalGroup>> {
    this.setConfig(config);
    await Promise.all(
      config.groups.flatMap((g) =>
        g.resources.map(async (r) => {
          let result: ProbeResult;
          try {
            result = await withDeadline(
              Math.max(5000, r.timeouts.activateS * 1000),
              (signal) => this.driverFor(r).probe(this.context(config, g, r, 'START', signal)),
              () => 'unknown' as const,
            );
          } catch {
            result = 'unknown';
          }
          // "unknown" counts as possibly active and "stale" as partly left over: the master then cleans them up
          // (or completes them) rather than ignoring them.
          const message = result === 'unknown' ? 'probe could not tell' : result === 'stale' ? 'left over from before: not in effect on this server' : undefined;
          this.setResource(g.name, r.name, result === 'inactive' ? 'offline' : result === 'active' ? 'online' : 'online-failure', message);
        }),
      ),
    );
    return this.snapshot();
  }

  async run(order: Order): Promise<ExecResult> {
    switch (order.kind) {
      case 'group.activate':
        return this.activateGroup(order.group, order.reason, order.canFailover);
      case 'group.deactivate':
        return this.deactivateGroup(order.group, order.reason);
      case 'group.restart': {
        const down = await this.deactivateGroup(order.group, 'recovery');
        return down.ok ? this.activateGroup(order.group, 'recovery', false) : down;
      }
      case 'resource.restart': {
        const g = this.groups.get(order.group);
        const r = g?.def.resources.find((x) => x.name === order.resource);
        if (!g || !r) return { ok: false, message: `unknown resource ${order.resource}` };
        const down = await this.deactivateResource(g.config, g.def, r, 'END');
        if (!down.ok) return { ok: false, failedResource: r.name, message: `(${down.code} : ${down.text})` };
        return this.activateResource(g.config, g.def, r, 'START', false);
      }
      case 'resource.activate': {
        const g = this.groups.get(order.group);
        const r = g?.def.resources.find((x) => x.name === order.resource);
        if (!g || !r) return { ok: false, message: `unknown resource ${order.resource}` };
        this.deps.alert('resourceStartSingle', [r.name]);
        return this.activateResource(g.config, g.def, r, 'START', false);
      }
      case 'resource.deactivate': {
        const g = this.groups.get(order.group);
        const r = g?.def.resources.find((x) => x.name === order.resource);
        if (!g || !r) return { ok: false, message: `unknown resource ${order.resource}` };
        this.deps.alert('resourceStopSingle', [r.name]);
        const res = await this.deactivateResource(g.config, g.def, r, 'END');
        return res.ok ? { ok: true } : { ok: false, failedResource: r.name, message: `(${res.code} : ${res.text})` };
      }
      case 'service.stop':
        return { ok: true };
      default: {
        const check: never = order;
        throw new Error(`unhandled order ${JSON.stringify(check)}`);
      }
    }
  }

  private async activateResource(config: ValidConfig, group: GroupConfig, r: ResourceConfig, event: 'START' | 'FAILOVER', canFailover: boolean): Promise<ExecResult & { continued?: boolean }> {
    const retries = r.recovery.activation.retryCount;
    let last: DriverResult = { ok: false, code: 99, text: 'not run', failure: 'node' };
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      if (attempt > 0) this.deps.alert('recoveryReactivate', [r.name, r.name]);
      this.setResource(group.name, r.name, 'online-pending');
      this.deps.alert('resourceActivating', [r.name]);
      last = await this.call(r, (signal) => this.driverFor(r).activate(this.context(config, group, r, event, signal)), r.timeouts.activateS);
      if (last.ok) {
        this.setResource(group.name, r.name, 'online');
        this.deps.alert('resourceActivated', [r.name]);
        return { ok: true };
      }
      this.deps.alert('resourceActivationFailed', [r.name, last.code, last.text]);
      this.setResource(group.name, r.name, 'online-failure', `(${last.code} : ${last.text})`);
      if (last.failure === 'config') break; // retrying a configuration error cannot help
    }
    const failure = last.ok ? '' : `(${last.code} : ${last.text})`;
    if (!canFailover && r.recovery.activation.finalAction === 'none-continue') {
      this.deps.alert('recoveryContinue', [group.name]);
      return { ok: true, continued: true, message: failure };
    }
    return { ok: false, failedResource: r.name, message: failure };
  }

  private async deactivateResource(config: ValidConfig, group: GroupConfig, r: ResourceConfig, event: 'END' | 'FAILOVER'): Promise<DriverResult> {
    const retries = r.recovery.deactivation.retryCount;
    let last: DriverResult = { ok: false, code: 99, text: 'not run', failure: 'node' };
    for (let attempt = 0; attempt <= retries; attempt += 1) {
      this.setResource(group.name, r.name, 'offline-pending');
      this.deps.alert('resourceDeactivating', [r.name]);
      last = await this.call(r, (signal) => this.driverFor(r).deactivate(this.context(config, group, r, event, signal)), r.timeouts.deactivateS);
      if (last.ok) {
        this.setResource(group.name, r.name, 'offline');
        this.deps.alert('resourceDeactivated', [r.name]);
        return last;
      }
      this.deps.alert('resourceDeactivationFailed', [r.name, last.code, last.text]);
      this.setResource(group.name, r.name, 'offline-failure', `(${last.code} : ${last.text})`);
    }
    return last;
  }

  private async call(r: ResourceConfig, run: (signal: AbortSignal) => Promise<DriverResult>, timeoutS: number): Promise<DriverResult> {
    try {
      return await withDeadline(Math.round(timeoutS * 1000), run, () => ({ ok: false, code: 6, text: `Timeout occurred. (${r.name} did not finish within ${timeoutS} s)`, failure: 'node' as const }));
    } catch (e) {
      return { ok: false, code: 99, text: `Internal error. (${e instanceof Error ? e.message : String(e)})`, failure: 'node' };
    }
  }

  private async activateGroup(name: string, reason: string, canFailover: boolean): Promise<ExecResult> {
    const g = this.groups.get(name);
    if (!g) return { ok: false, message: `unknown group ${name}` };
    // A group starts with its newest definition; a running one keeps the definition it started with.
    const newest = this.latest?.groups.find((x) => x.name === name);
    if (newest && this.latest) {
      g.def = newest;
      g.config = this.latest;
    }
    const { def, config } = g;
    const event = reason === 'failover' ? 'FAILOVER' : 'START';
    this.deps.alert('groupStarting', [name]);
    for (const depth of activationDepths(def)) {
      const resources = depth.map((n) => def.resources.find((r) => r.name === n)).filter((r): r is ResourceConfig => r !== undefined);
      // Resources already online (a retry after a partial activation) are left alone: drivers are idempotent anyway.
      const results = await Promise.all(resources.map((r) => this.activateResource(config, def, r, event, canFailover)));
      const failed = results.find((x) => !x.ok);
      if (failed) {
        this.deps.alert('groupStartFailed', [name]);
        return failed;
      }
    }
    const verb: Record<string, AlertKey> = { failover: 'groupFailedOver', move: 'groupMoved', failback: 'groupMoved' };
    const key = verb[reason];
    if (key) this.deps.alert(key, [name, this.deps.server]);
    else this.deps.alert('groupStarted', [name]);
    return { ok: true };
  }

  /** Deactivates in reverse dependency order and tries every resource even when one fails. */
  private async deactivateGroup(name: string, reason: string): Promise<ExecResult> {
    const g = this.groups.get(name);
    if (!g) return { ok: true };
    const { def, config } = g;
    const event = reason === 'failover' ? 'FAILOVER' : 'END';
    this.deps.alert('groupStopping', [name]);
    let firstFailure: ExecResult | undefined;
    for (const depth of [...activationDepths(def)].reverse()) {
      const resources = depth.map((n) => def.resources.find((r) => r.name === n)).filter((r): r is ResourceConfig => r !== undefined);
      const results = await Promise.all(resources.map(async (r) => ({ r, res: await this.deactivateResource(config, def, r, event) })));
      for (const { r, res } of results) {
        if (!res.ok && !firstFailure) firstFailure = { ok: false, failedResource: r.name, message: `(${res.code} : ${res.text})` };
      }
    }
    if (firstFailure) {
      this.deps.alert('groupStopFailed', [name]);
      return firstFailure;
    }
    this.deps.alert('groupStopped', [name]);
    return { ok: true };
  }
}
