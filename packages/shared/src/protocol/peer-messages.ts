/**
 * The agent ↔ agent protocol over the `/api/peer` WebSocket. A connection starts with an HMAC challenge-response
 * over the cluster key (each side proves it holds the key without sending it) and derives a session key; every
 * later frame carries a sequence number and a MAC under that key, so a frame replayed on the same or another
 * connection is refused. Bodies are requests, responses and notices, each a discriminated union.
 */
import { z } from 'zod';
import { alertEntrySchema } from '../alerts/catalogue.js';
import { groupStateSchema, monitorStateSchema, resourceStateSchema } from '../status/cluster-status.js';
import { errorBodySchema } from './ui-messages.js';

export const PEER_PROTOCOL = 'kumo-peer-v1';

// Handshake (unauthenticated frames; their content is proven by the HMACs inside)
export const peerChallengeSchema = z.object({ type: z.literal('challenge'), nonce: z.string().length(64), server: z.string().nullable() });
export const peerHelloSchema = z.object({
  type: z.literal('hello'),
  nonce: z.string().length(64),
  server: z.string().min(1).max(64),
  address: z.string().max(64),
  proof: z.string().length(64),
});
export const peerWelcomeSchema = z.object({ type: z.literal('welcome'), server: z.string(), proof: z.string().length(64) });
export const peerRefusedSchema = z.object({ type: z.literal('refused'), reason: z.string() });

/** A service state as a server reports it about itself. */
export const serviceStateSchema = z.enum(['stopped', 'starting', 'running', 'suspended', 'isolated']);
export type ServiceState = z.infer<typeof serviceStateSchema>;

/** How one server sees another. `held`: lost, but a guard (witness, failed fence) forbids taking its groups. */
export const memberViewSchema = z.enum(['alive', 'suspect', 'held', 'dead']);
export type MemberView = z.infer<typeof memberViewSchema>;

export const localGroupSchema = z.object({
  state: groupStateSchema,
  resources: z.record(z.string(), z.object({ state: resourceStateSchema, message: z.string().optional() })),
});
export type LocalGroup = z.infer<typeof localGroupSchema>;

/** The master's intent for a group, replicated to every server so that the next master carries on. */
export const groupIntentSchema = z.object({
  desired: z.enum(['online', 'offline']),
  /** Where the operator asked for it (start on / move to), or where policy sends it. */
  preferred: z.string().nullable(),
  /** Where the master last placed it: the copy to keep if two servers report it active. */
  current: z.string().nullable(),
  /** Servers where activation failed since the last success or operator action. */
  failedOn: z.array(z.string()),
  /** Failovers caused by activation failures (compared with the failover threshold). */
  failovers: z.number(),
  /** A final action "No operation" stopped it: no more automatic attempts until an operator acts. */
  halted: z.boolean(),
  reason: z.string(),
});
export type GroupIntent = z.infer<typeof groupIntentSchema>;

export const monitorCountersSchema = z.object({ restarts: z.number(), failovers: z.number() });

export const intentTableSchema = z.object({
  /** Increases with every change; a newer table replaces an older one. */
  epoch: z.number(),
  master: z.string(),
  groups: z.record(z.string(), groupIntentSchema),
  /** Recovery counters per monitor per server: `${monitor}@${server}`. */
  monitorCounters: z.record(z.string(), monitorCountersSchema),
});
export type IntentTable = z.infer<typeof intentTableSchema>;

export const serverReportSchema = z.object({
  server: z.string(),
  bootId: z.string(),
  service: serviceStateSchema,
  /** Finished startup: probed its resources and waited for the others (server sync wait). */
  joined: z.boolean(),
  configHash: z.string().nullable(),
  configVersion: z.number().nullable(),
  groups: z.record(z.string(), localGroupSchema),
  monitors: z.record(z.string(), z.object({ state: monitorStateSchema, message: z.string().optional(), lastCheck: z.number().nullable() })),
  mirrors: z.record(z.string(), z.unknown()),
  members: z.record(z.string(), memberViewSchema),
  np: z.object({ reachable: z.boolean().nullable(), targets: z.array(z.object({ target: z.string(), kind: z.string(), ok: z.boolean().nullable() })) }),
  instanceId: z.string().nullable(),
  /** The intent table this server holds (the master's, replicated), so a server joining learns it at once. */
  intents: intentTableSchema.nullable(),
  generatedAt: z.number(),
});
export type ServerReport = z.infer<typeof serverReportSchema>;

export const orderSchema = z.discriminatedUnion('kind', [
  z.object({
    id: z.string(),
    kind: z.literal('group.activate'),
    group: z.string(),
    reason: z.enum(['start', 'failover', 'move', 'failback', 'recovery']),
    /** Whether a failed activation may still fail over (so `none-continue` only applies when it may not). */
    canFailover: z.boolean(),
  }),
  z.object({ id: z.string(), kind: z.literal('group.deactivate'), group: z.string(), reason: z.enum(['stop', 'move', 'failover', 'failback', 'recovery', 'split-brain']) }),
  z.object({ id: z.string(), kind: z.literal('resource.restart'), group: z.string(), resource: z.string() }),
  z.object({ id: z.string(), kind: z.literal('group.restart'), group: z.string() }),
  z.object({ id: z.string(), kind: z.literal('resource.activate'), group: z.string(), resource: z.string() }),
  z.object({ id: z.string(), kind: z.literal('resource.deactivate'), group: z.string(), resource: z.string() }),
  z.object({
    id: z.string(),
    kind: z.literal('service.stop'),
    /** What the host does after the service stopped (a final action). */
    host: z.enum(['none', 'shutdown', 'reboot']),
    reason: z.string(),
  }),
]);
export type Order = z.infer<typeof orderSchema>;

export const orderResultSchema = z.object({
  id: z.string(),
  server: z.string(),
  kind: z.string(),
  group: z.string().optional(),
  ok: z.boolean(),
  failedResource: z.string().optional(),
  message: z.string().optional(),
});
export type OrderResult = z.infer<typeof orderResultSchema>;

/** Operations forwarded to the master (every operation goes through it, DESIGN §4). */
export const operationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('group.start'), group: z.string(), server: z.string().optional() }),
  z.object({ op: z.literal('group.stop'), group: z.string() }),
  z.object({ op: z.literal('group.move'), group: z.string(), server: z.string().optional() }),
  z.object({ op: z.literal('resource.start'), resource: z.string(), server: z.string().optional() }),
  z.object({ op: z.literal('resource.stop'), resource: z.string() }),
  /** Stop the cluster service on these servers: their groups stop (no failover), then the service. */
  z.object({ op: z.literal('cluster.stop'), servers: z.array(z.string()) }),
]);
export type Operation = z.infer<typeof operationSchema>;

export const peerRequestSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('probe') }),
  z.object({ op: z.literal('config.prepare'), txId: z.string(), version: z.number(), hash: z.string(), config: z.unknown(), by: z.string() }),
  z.object({ op: z.literal('config.commit'), txId: z.string() }),
  z.object({ op: z.literal('config.abort'), txId: z.string() }),
  z.object({ op: z.literal('config.fetch') }),
  z.object({ op: z.literal('operation'), operation: operationSchema, by: z.string() }),
  z.object({ op: z.literal('order'), order: orderSchema }),
  z.object({ op: z.literal('service'), action: z.enum(['start', 'stop', 'suspend', 'resume']), by: z.string() }),
  z.object({ op: z.literal('monitor'), action: z.enum(['suspend', 'resume', 'dummy-on', 'dummy-off']), monitor: z.string().optional(), by: z.string() }),
  // `outdate`: the primary of a mirror disk goes on writing without this server (DRBD's fence-peer).
  z.object({ op: z.literal('mirror'), action: z.enum(['recover', 'force', 'break', 'outdate', 'status']), name: z.string(), by: z.string() }),
  z.object({ op: z.literal('alerts.since'), afterTime: z.number() }),
]);
export type PeerRequest = z.infer<typeof peerRequestSchema>;

/** The most alerts one `alerts` notice carries; a sender splits a larger burst. */
export const MAX_ALERTS_PER_NOTICE = 500;

export const peerNoticeSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('report'), report: serverReportSchema }),
  z.object({ type: z.literal('intents'), table: intentTableSchema }),
  z.object({ type: z.literal('order.result'), result: orderResultSchema }),
  z.object({ type: z.literal('monitor.error'), server: z.string(), monitor: z.string(), message: z.string() }),
  z.object({ type: z.literal('monitor.normal'), server: z.string(), monitor: z.string() }),
  z.object({ type: z.literal('alert'), entry: alertEntrySchema }),
  /** Alerts raised together (a server starting 64 groups raises hundreds): one frame, one transaction. */
  z.object({ type: z.literal('alerts'), entries: z.array(alertEntrySchema).min(1).max(MAX_ALERTS_PER_NOTICE) }),
]);
export type PeerNotice = z.infer<typeof peerNoticeSchema>;

export const peerBodySchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('req'), id: z.string(), req: peerRequestSchema }),
  z.object({ type: z.literal('res'), id: z.string(), ok: z.literal(true), res: z.unknown() }),
  z.object({ type: z.literal('err'), id: z.string(), error: errorBodySchema }),
  z.object({ type: z.literal('notice'), notice: peerNoticeSchema }),
]);
export type PeerBody = z.infer<typeof peerBodySchema>;

/** An authenticated frame: `mac` = HMAC-SHA256(sessionKey, `${seq}.${JSON.stringify(body)}`). */
export const peerFrameSchema = z.object({ seq: z.number().int().positive(), mac: z.string().length(64), body: z.unknown() });
export type PeerFrame = z.infer<typeof peerFrameSchema>;

/** A UDP heartbeat: liveness plus the sender's service state, signed with the cluster key. */
export const heartbeatSchema = z.object({
  v: z.literal(1),
  cluster: z.string(),
  server: z.string(),
  bootId: z.string(),
  seq: z.number().int().positive(),
  time: z.number(),
  service: serviceStateSchema,
  configHash: z.string().nullable(),
  interconnect: z.number().int(),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;
