/**
 * The effectful shell around `decide`: it feeds events in one at a time, performs the actions (run orders on the
 * executor, talk to peers, check NP targets, fence, raise alerts, set timers) and turns their results back into
 * events. It also publishes this server's report to its peers whenever it changes — before the orders and
 * results that follow from the same decision, so that the master never acts on a stale picture.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AlertKey, Operation, Order, PeerNotice, ServerReport, ServiceState, ValidConfig } from '@kumo/shared';
import type { Logger } from '../util/log.js';
import { KumoError } from '../util/errors.js';
import { decide, initialState, isMaster, leaseMatters, masterOf } from './decide.js';
import type { EngineAction, EngineEvent, EngineState, WitnessView } from './model.js';
import { buildReport } from './report.js';
import type { ReportExtras } from './report.js';
import type { Executor } from './executor.js';

export interface EngineDeps {
  self: string;
  bootId: string;
  executor: Executor;
  log: Logger;
  alert: (key: AlertKey, args: (string | number)[]) => void;
  /** Peer messaging (the PeerManager, or a fake in tests). */
  peers: {
    notify(server: string, notice: PeerNotice): boolean;
    broadcast(notice: PeerNotice): void;
    request(server: string, req: { op: 'order'; order: Order } | { op: 'operation'; operation: Operation; by: string }, timeoutMs: number): Promise<unknown>;
  };
  np: {
    check(lost: string[]): Promise<{ reachable: boolean; witness: Record<string, WitnessView> | null }>;
    /** Whether the witness lease ran out (see witness-lease.ts); absent when there is no witness. */
    witnessLeaseExpired?: () => boolean;
  };
  fence: (server: string, instanceId: string, delayMs: number) => Promise<{ ok: boolean; message: string }>;
  host: { shutdown(): Promise<void>; reboot(): Promise<void> };
  /** Extra report content (monitors, mirrors, NP targets). */
  extras: () => ReportExtras;
  onService: (service: ServiceState) => void;
}

export interface EngineEvents {
  changed: [];
}

type OpOutcome = { ok: true } | { ok: false; code: string; message: string };

export class Engine extends EventEmitter<EngineEvents> {
  private state: EngineState;
  private readonly queue: EngineEvent[] = [];
  private running = false;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly pendingOps = new Map<string, (r: OpOutcome) => void>();
  private lastReport = '';
  private closed = false;

  private readonly leaseWatch: NodeJS.Timeout;

  constructor(private readonly deps: EngineDeps) {
    super();
    this.state = initialState(deps.self, deps.bootId, null);
    // While peers are lost, a server that cannot reach the witness must stand down within the lease, however
    // long its NP check's own timeouts and retries take.
    this.leaseWatch = setInterval(() => this.checkWitnessLease(), 250);
    this.leaseWatch.unref();
  }

  private checkWitnessLease(): void {
    if (leaseMatters(this.state) && this.deps.np.witnessLeaseExpired?.()) this.dispatch({ type: 'witness.lease.expired' });
  }

  get snapshot(): EngineState {
    return this.state;
  }

  master(): string | null {
    return masterOf(this.state);
  }

  isMaster(): boolean {
    return isMaster(this.state);
  }

  report(): ServerReport {
    return buildReport(this.state, this.deps.extras());
  }

  /** Feeds one event; events are processed strictly one after another. */
  dispatch(event: EngineEvent): void {
    if (this.closed) return;
    this.queue.push(event);
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const next = this.queue.shift()!;
        let decision;
        try {
          decision = decide(this.state, next);
        } catch (e) {
          this.deps.log.error(`decide failed on ${next.type}`, { error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
          continue;
        }
        this.state = decision.state;
        this.publishReport();
        for (const a of decision.actions) this.perform(a);
        this.publishReport();
        this.emit('changed');
      }
    } finally {
      this.running = false;
    }
  }

  /** Sends our report to the peers if it changed (or to one peer that just connected). */
  publishReport(to?: string, force = false): void {
    const report = this.report();
    const text = JSON.stringify({ ...report, generatedAt: 0 });
    if (force) {
      this.lastReport = text;
      this.deps.peers.broadcast({ type: 'report', report });
      return;
    }
    if (to) {
      this.deps.peers.notify(to, { type: 'report', report });
      return;
    }
    if (text === this.lastReport) return;
    this.lastReport = text;
    this.deps.peers.broadcast({ type: 'report', report });
  }

  setConfig(config: ValidConfig | null): void {
    this.dispatch({ type: 'config', config });
  }

  /**
   * Carries out an operator operation through the master (every operation goes through it), and answers when
   * it is done or refused.
   */
  async operate(operation: Operation, by: string, timeoutMs = 30 * 60_000): Promise<void> {
    const master = this.master();
    if (!master) throw new KumoError('KUMO_E_CLUSTER_STOPPED', 'no server of the cluster runs the cluster service; start the cluster first');
    if (master !== this.deps.self) {
      await this.deps.peers.request(master, { op: 'operation', operation, by }, timeoutMs);
      return;
    }
    const opId = randomUUID();
    const outcome = await new Promise<OpOutcome>((resolve) => {
      this.pendingOps.set(opId, resolve);
      this.dispatch({ type: 'operation', opId, operation, by });
    });
    if (!outcome.ok) throw new KumoError(outcome.code as never, outcome.message);
  }

  private perform(a: EngineAction): void {
    switch (a.type) {
      case 'exec':
        void this.deps.executor.run(a.order).then(
          (r) => this.dispatch({ type: 'exec.done', order: a.order, from: a.from, ok: r.ok, ...(r.failedResource ? { failedResource: r.failedResource } : {}), ...(r.message ? { message: r.message } : {}), groups: this.deps.executor.snapshot() }),
          (e: unknown) => this.dispatch({ type: 'exec.done', order: a.order, from: a.from, ok: false, message: String(e), groups: this.deps.executor.snapshot() }),
        );
        return;
      case 'send.order':
        void this.deps.peers.request(a.to, { op: 'order', order: a.order }, 10_000).catch((e: unknown) => {
          this.deps.log.warn(`order ${a.order.kind} to ${a.to} was not delivered`, { error: e instanceof Error ? e.message : String(e) });
        });
        return;
      case 'send.result':
        if (!this.deps.peers.notify(a.to, { type: 'order.result', result: a.result })) {
          this.deps.log.warn(`the result of ${a.result.kind} could not be sent to ${a.to}`);
        }
        return;
      case 'broadcast.table':
        this.deps.peers.broadcast({ type: 'intents', table: a.table });
        return;
      case 'probe':
        void this.probe();
        return;
      case 'np.check':
        void this.deps.np.check(a.lost).then(
          (r) => this.dispatch({ type: 'np.result', reachable: r.reachable, witness: r.witness }),
          (e: unknown) => {
            this.deps.log.error('NP check failed', { error: String(e) });
            this.dispatch({ type: 'np.result', reachable: false, witness: null });
          },
        );
        return;
      case 'fence':
        void this.deps.fence(a.server, a.instanceId, a.delayMs).then(
          (r) => this.dispatch({ type: 'fence.result', server: a.server, ok: r.ok, message: r.message }),
          (e: unknown) => this.dispatch({ type: 'fence.result', server: a.server, ok: false, message: String(e) }),
        );
        return;
      case 'alert':
        this.deps.alert(a.key, a.args);
        return;
      case 'timer.set': {
        const old = this.timers.get(a.id);
        if (old) clearTimeout(old);
        this.timers.set(
          a.id,
          setTimeout(() => {
            this.timers.delete(a.id);
            this.dispatch({ type: 'timer', id: a.id });
          }, a.ms),
        );
        return;
      }
      case 'op.done': {
        const resolve = this.pendingOps.get(a.opId);
        if (!resolve) return;
        this.pendingOps.delete(a.opId);
        resolve(a.ok ? { ok: true } : { ok: false, code: a.code ?? 'KUMO_E_GROUP_STATE', message: a.message ?? 'the operation failed' });
        return;
      }
      case 'service':
        this.deps.onService(a.service);
        return;
      case 'host':
        void (a.action === 'shutdown' ? this.deps.host.shutdown() : this.deps.host.reboot()).catch((e: unknown) => {
          this.deps.log.error(`host ${a.action} failed`, { error: String(e) });
        });
        return;
      default: {
        const check: never = a;
        throw new Error(`unhandled action ${JSON.stringify(check)}`);
      }
    }
  }

  private async probe(): Promise<void> {
    const config = this.state.config;
    if (!config) return;
    try {
      const groups = await this.deps.executor.probeAll(config);
      this.dispatch({ type: 'probe.done', groups });
    } catch (e) {
      this.deps.log.error('probe failed', { error: String(e) });
      this.dispatch({ type: 'probe.done', groups: this.deps.executor.snapshot() });
    }
  }

  /** A peer's notice (reports, intent tables, order results, monitor findings for the master). */
  onNotice(from: string, notice: PeerNotice): void {
    switch (notice.type) {
      case 'report':
        if (notice.report.server === from) this.dispatch({ type: 'peer.report', report: notice.report });
        return;
      case 'intents':
        this.dispatch({ type: 'peer.table', table: notice.table });
        return;
      case 'order.result':
        this.dispatch({ type: 'order.result', result: notice.result });
        return;
      case 'monitor.error':
        this.dispatch({ type: 'monitor.error', server: notice.server, monitor: notice.monitor, message: notice.message });
        return;
      case 'monitor.normal':
        this.dispatch({ type: 'monitor.normal', server: notice.server, monitor: notice.monitor });
        return;
      case 'alert':
      case 'alerts':
        return; // handled by the alert log
      default: {
        const check: never = notice;
        throw new Error(`unhandled notice ${JSON.stringify(check)}`);
      }
    }
  }

  /** A monitor on this server found an error (after its retries): the master decides the recovery. */
  monitorError(monitor: string, message: string): void {
    const master = this.master();
    if (!master) return;
    if (master === this.deps.self) this.dispatch({ type: 'monitor.error', server: this.deps.self, monitor, message });
    else this.deps.peers.notify(master, { type: 'monitor.error', server: this.deps.self, monitor, message });
  }

  monitorNormal(monitor: string): void {
    const master = this.master();
    if (!master) return;
    if (master === this.deps.self) this.dispatch({ type: 'monitor.normal', server: this.deps.self, monitor });
    else this.deps.peers.notify(master, { type: 'monitor.normal', server: this.deps.self, monitor });
  }

  close(): void {
    this.closed = true;
    clearInterval(this.leaseWatch);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const resolve of this.pendingOps.values()) resolve({ ok: false, code: 'KUMO_E_INTERNAL', message: 'the agent is shutting down' });
    this.pendingOps.clear();
  }
}
