/**
 * The data of the decision core: what one agent knows (EngineState), what can happen to it (EngineEvent) and
 * what it may ask its shell to do (EngineAction). Plain data, no classes and no functions, so that `decide` is
 * a pure function and scenarios are easy to write down.
 */
import type {
  AlertKey,
  GroupIntent,
  IntentTable,
  LocalGroup,
  MemberView,
  Operation,
  Order,
  OrderResult,
  ServerReport,
  ServiceState,
  ValidConfig,
} from '@kumo/shared';

export interface Member {
  /** How this server sees the member (alive; lost and being checked; lost but guarded; lost for good). */
  view: MemberView;
  /** Heartbeats currently arriving on some interconnect. */
  heartbeat: boolean;
  /** The member's service state as its heartbeats and reports say. */
  service: ServiceState | 'unknown';
  bootId: string | null;
  /** The member's last report (what it runs); kept while it is lost, dropped when it is dead. */
  report: ServerReport | null;
  /** The member's instance, learnt from its reports or the config (for forced stop). */
  instanceId: string | null;
  /**
   * While the member is lost: when the witness had last heard it, at our previous look (witness clock). The
   * member counts as alive only if the witness hears it again after that (see `witnessVerdict`).
   */
  witnessMark?: number | null;
}

/** What the witness says about a server (a peer it hears from, with the state that peer posted). */
export interface WitnessView {
  alive: boolean;
  /** When the witness last heard the server, on the witness's clock (null: never). */
  seenAt: number | null;
  /** How long ago that was, when the witness answered (null: never). */
  seenMsAgo: number | null;
  service: ServiceState | 'unknown';
  activeGroups: string[];
}

/** An order the master issued and is waiting for. */
export interface OrderInFlight {
  order: Order;
  to: string;
  /** The operator operation this order carries out, answered with the order's result. */
  opId?: string;
  /** The monitor recovery (`monitor@server`) this order carries out. */
  recoveryKey?: string;
}

/** An operator operation the master is carrying out, answered when its goal is reached or it fails. */
export interface PendingOp {
  opId: string;
  operation: Operation;
  /** The server the group must end up on (start / move), if any. */
  goal: { group: string; state: 'online' | 'offline'; server: string | null } | { servers: string[]; state: 'stopped' } | null;
  by: string;
}

export interface EngineState {
  self: string;
  config: ValidConfig | null;
  bootId: string;
  service: ServiceState;
  /** Set while the operator's (or a final action's) stop is draining this server's groups. */
  /**
   * This server is stopping its service (isolation too): what to do with the host when every group is released,
   * and the groups whose deactivation failed meanwhile (their final action is taken; they are not retried).
   */
  stopping: { host: 'none' | 'shutdown' | 'reboot'; isolation: boolean; failed?: string[] } | null;
  /** Startup progress: resources probed, server sync wait over. */
  probed: boolean;
  syncWaitOver: boolean;
  joined: boolean;
  members: Record<string, Member>;
  /** This server's own groups, as its executor last reported them. */
  local: Record<string, LocalGroup>;
  /** Groups this server's executor is working on (by group name → order id). */
  busy: Record<string, string>;
  np: { reachable: boolean | null; checking: boolean; lost: string[] };
  /** The master's intent table (ours if we are master, else the last one received). */
  table: IntentTable | null;
  /** Orders the master issued, by order id. */
  orders: Record<string, OrderInFlight>;
  /** Operator operations in progress on the master. */
  ops: Record<string, PendingOp>;
  /** Servers the master is draining for an operator's cluster stop. */
  draining: string[];
  /** Monitors whose recovery order is in flight (`monitor@server`). */
  recovering: string[];
  /** Split brains already reported, so the alert is raised once per episode. */
  splitBrains: string[];
  /** Monitor findings already reported (`monitor@server:alert`), raised once until the monitor is normal again. */
  quiet: string[];
  /** A counter for deterministic ids. */
  seq: number;
}

export type EngineEvent =
  | { type: 'config'; config: ValidConfig | null }
  | { type: 'service.start'; by: string }
  | { type: 'service.stop'; by: string; host?: 'none' | 'shutdown' | 'reboot' }
  | { type: 'service.suspend'; by: string }
  | { type: 'service.resume'; by: string }
  | { type: 'probe.done'; groups: Record<string, LocalGroup> }
  | { type: 'sync.elapsed' }
  | { type: 'heartbeat.up'; server: string; bootId: string; service: ServiceState }
  | { type: 'heartbeat.down'; server: string }
  | { type: 'peer.report'; report: ServerReport }
  | { type: 'peer.table'; table: IntentTable }
  | { type: 'np.result'; reachable: boolean; witness: Record<string, WitnessView> | null }
  /** This server has not reached the witness for longer than the witness lease. */
  | { type: 'witness.lease.expired' }
  | { type: 'fence.result'; server: string; ok: boolean; message: string }
  | { type: 'order'; from: string; order: Order }
  | { type: 'exec.done'; order: Order; from: string; ok: boolean; failedResource?: string; message?: string; groups: Record<string, LocalGroup> }
  | { type: 'order.result'; result: OrderResult }
  | { type: 'operation'; opId: string; operation: Operation; by: string }
  | { type: 'monitor.error'; server: string; monitor: string; message: string }
  | { type: 'monitor.normal'; server: string; monitor: string }
  | { type: 'timer'; id: string };

export type EngineAction =
  /** Run an order on this server's executor; it answers with `exec.done`. */
  | { type: 'exec'; order: Order; from: string }
  | { type: 'send.order'; to: string; order: Order }
  | { type: 'send.result'; to: string; result: OrderResult }
  | { type: 'broadcast.table'; table: IntentTable }
  /** Probe this server's resources; answered with `probe.done`. */
  | { type: 'probe' }
  /** Check the NP targets (and the witness) now; answered with `np.result`. */
  | { type: 'np.check'; lost: string[] }
  /** Forced stop: after `delayMs`, check our own instance runs, stop the peer's and wait; answered with `fence.result`. */
  | { type: 'fence'; server: string; instanceId: string; delayMs: number }
  | { type: 'alert'; key: AlertKey; args: (string | number)[] }
  | { type: 'timer.set'; id: string; ms: number }
  | { type: 'op.done'; opId: string; ok: boolean; code?: 'KUMO_E_TIMEOUT' | 'KUMO_E_GROUP_STATE' | 'KUMO_E_GROUP_BUSY' | 'KUMO_E_SERVER_DOWN'; message?: string }
  /** The service state changed (the shell starts or stops monitors and heartbeat reporting). */
  | { type: 'service'; service: ServiceState }
  /** Shut down or reboot the host (a final action or the isolation action). */
  | { type: 'host'; action: 'shutdown' | 'reboot' };

export type { GroupIntent };

export const EMPTY_NP: EngineState['np'] = { reachable: null, checking: false, lost: [] };
