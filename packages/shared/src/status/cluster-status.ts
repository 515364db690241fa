/**
 * The status model: what the dashboard, `kumo status` and `GET /api/v1/status` render. State words follow
 * CLUSTERPRO's clpstat (Online, Offline, Online Pending, …; monitors Normal / Warning / Error), mirror disks
 * its colours. Every agent can produce it for the whole cluster from its own view.
 */
import { z } from 'zod';

export const serverStateSchema = z.enum([
  'online', // cluster service running, heartbeats arriving
  'offline', // no heartbeat within the timeout
  'stopped', // agent reachable, cluster service stopped (or never started)
  'isolated', // found itself isolated (no NP target reachable) and stood down
  'suspended', // cluster suspended: monitors paused, groups left as they are
  'unknown',
]);

export const heartbeatStateSchema = z.enum(['normal', 'delayed', 'error', 'unknown']);
export const npStateSchema = z.enum(['normal', 'error', 'unknown']);

export const groupStateSchema = z.enum([
  'online',
  'offline',
  'online-pending',
  'offline-pending',
  'online-failure',
  'offline-failure',
  'error', // active on more than one server, or a final action left it broken
  'unknown',
]);

export const resourceStateSchema = z.enum([
  'online',
  'offline',
  'online-pending',
  'offline-pending',
  'online-failure',
  'offline-failure',
  'unknown',
]);

export const monitorStateSchema = z.enum(['normal', 'warning', 'error', 'unknown', 'suspended', 'offline', 'dummy-failure']);

export const mirrorColorSchema = z.enum(['GREEN', 'YELLOW', 'RED', 'GRAY']);

export const serverStatusSchema = z.object({
  name: z.string(),
  address: z.string(),
  state: serverStateSchema,
  isLocal: z.boolean(),
  isMaster: z.boolean(),
  instanceId: z.string().optional(),
  heartbeats: z.array(
    z.object({ priority: z.number(), address: z.string(), state: heartbeatStateSchema, lastSeenMsAgo: z.number().nullable() }),
  ),
  np: z.array(z.object({ target: z.string(), kind: z.string(), state: npStateSchema })),
  configHash: z.string().nullable(),
});

export const resourceStatusSchema = z.object({
  name: z.string(),
  type: z.string(),
  state: resourceStateSchema,
  /** CLUSTERPRO's "(code : text)" of the last failure, shown beside the state. */
  message: z.string().optional(),
});

export const groupStatusSchema = z.object({
  name: z.string(),
  state: groupStateSchema,
  /** The server it runs on (CLUSTERPRO's "current"); null when offline. */
  current: z.string().nullable(),
  /** Every server that reports it active; more than one is a split brain. */
  activeOn: z.array(z.string()),
  pending: z.object({ operation: z.string(), target: z.string().nullable() }).nullable(),
  resources: z.array(resourceStatusSchema),
  message: z.string().optional(),
});

export const monitorStatusSchema = z.object({
  name: z.string(),
  type: z.string(),
  perServer: z.record(
    z.string(),
    z.object({ state: monitorStateSchema, message: z.string().optional(), lastCheck: z.number().nullable() }),
  ),
});

export const mirrorStatusSchema = z.object({
  name: z.string(),
  group: z.string(),
  status: z.string(),
  perServer: z.record(
    z.string(),
    z.object({
      color: mirrorColorSchema,
      role: z.string().optional(),
      diskState: z.string().optional(),
      lastUpdateTime: z.number().nullable().optional(),
      breakTime: z.number().nullable().optional(),
    }),
  ),
  recovery: z
    .object({
      source: z.string(),
      target: z.string(),
      totalBytes: z.number(),
      doneBytes: z.number(),
      rateBytesPerSec: z.number(),
      remainingSeconds: z.number().nullable(),
    })
    .nullable(),
});

export const clusterStatusSchema = z.object({
  /** The agent that produced this view. */
  from: z.string(),
  generatedAt: z.number(),
  cluster: z.object({
    name: z.string().nullable(),
    state: z.enum(['running', 'stopped', 'suspended', 'partial', 'unconfigured']),
    master: z.string().nullable(),
    configVersion: z.number().nullable(),
    configHash: z.string().nullable(),
  }),
  servers: z.array(serverStatusSchema),
  groups: z.array(groupStatusSchema),
  monitors: z.array(monitorStatusSchema),
  mirrors: z.array(mirrorStatusSchema),
});

export type ServerState = z.infer<typeof serverStateSchema>;
export type GroupState = z.infer<typeof groupStateSchema>;
export type ResourceState = z.infer<typeof resourceStateSchema>;
export type MonitorState = z.infer<typeof monitorStateSchema>;
export type HeartbeatState = z.infer<typeof heartbeatStateSchema>;
export type MirrorColor = z.infer<typeof mirrorColorSchema>;
export type ServerStatus = z.infer<typeof serverStatusSchema>;
export type GroupStatus = z.infer<typeof groupStatusSchema>;
export type ResourceStatus = z.infer<typeof resourceStatusSchema>;
export type MonitorStatus = z.infer<typeof monitorStatusSchema>;
export type MirrorStatus = z.infer<typeof mirrorStatusSchema>;
export type ClusterStatus = z.infer<typeof clusterStatusSchema>;

/** CLUSTERPRO's words for states, as clpstat prints them. */
export const STATE_WORDS: Record<ServerState | GroupState | MonitorState, string> = {
  online: 'Online',
  offline: 'Offline',
  stopped: 'Stopped',
  isolated: 'Isolated',
  suspended: 'Suspend',
  unknown: 'Unknown',
  'online-pending': 'Online Pending',
  'offline-pending': 'Offline Pending',
  'online-failure': 'Online Failure',
  'offline-failure': 'Offline Failure',
  error: 'Error',
  normal: 'Normal',
  warning: 'Warning',
  'dummy-failure': 'Dummy Failure',
};
