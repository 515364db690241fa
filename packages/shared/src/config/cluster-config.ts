/**
 * `ClusterConfig`: everything the cluster generation wizard and the config editor collect, as one zod schema.
 *
 * Defaults are CLUSTERPRO X 4.3's (reference/clusterpro.md). Where CLUSTERPRO's documentation has a gap, Kumo's
 * choice is written beside the field. Resource and monitor `params` are checked against their type definition in
 * `validate.ts` (they depend on the type and on the servers), so here they are plain records.
 *
 * Units: times are seconds (fractions allowed, so that tests and the demo can use a 1 s / 3 s heartbeat).
 */
import { z } from 'zod';
import { MONITOR_TYPE_IDS, RESOURCE_TYPE_IDS } from '../types/index.js';
import type { MonitorTypeId, ResourceTypeId } from '../types/index.js';
import {
  addressOrCidr,
  awsRegion,
  comment,
  count,
  hostOrAddress,
  instanceId,
  ipv4,
  objectName,
  port,
  seconds,
  serverName,
} from './primitives.js';

export const CONFIG_FORMAT_VERSION = 1;

/** Fields whose values are secrets: never logged, exported or sent to the browser (see `redactSecrets`). */
export const SECRET_FIELDS = ['operationPasswordHash', 'referencePasswordHash'] as const;

const resourceTypeId = z.enum(RESOURCE_TYPE_IDS as [ResourceTypeId, ...ResourceTypeId[]]);
const monitorTypeId = z.enum(MONITOR_TYPE_IDS as [MonitorTypeId, ...MonitorTypeId[]]);

/** NP resolution targets. `servers` lists who uses the target (the per-server "Use" column); empty = every server. */
const npCommon = {
  servers: z.array(serverName).default([]),
  /** How often the target is checked while all is well, so that its state is known when a server is lost. */
  intervalS: seconds(0.1, 3600).default(5),
  timeoutS: seconds(0.1, 3600).default(10),
  retryCount: count(0, 99).default(3),
};

export const httpNpTargetSchema = z.strictObject({
  kind: z.literal('http'),
  host: hostOrAddress,
  /** CLUSTERPRO's clpcfset uses 80 when no port is given; the guide uses 443 with SSL. */
  port: port.default(80),
  ssl: z.boolean({ error: 'msg:boolean' }).default(false),
  path: z.string().regex(/^\/[^\s]*$/, { error: 'msg:urlPath' }).default('/'),
  ...npCommon,
});

export const pingNpTargetSchema = z.strictObject({
  kind: z.literal('ping'),
  addresses: z.array(ipv4).min(1),
  ...npCommon,
});

/**
 * A Kumo witness (`kumo-agent witness`): an HTTP NP target that also tells a server whether its lost peer still
 * reports to it, so that a cut interconnect never makes two active servers (DESIGN §4).
 */
export const witnessNpTargetSchema = z.strictObject({
  kind: z.literal('witness'),
  host: hostOrAddress,
  port: port.default(29009),
  ssl: z.boolean({ error: 'msg:boolean' }).default(false),
  ...npCommon,
});

export const npTargetSchema = z.discriminatedUnion('kind', [httpNpTargetSchema, pingNpTargetSchema, witnessNpTargetSchema]);

/**
 * Forced stop (fencing on AWS): before taking over a lost server's groups, stop its instance (StopInstances with
 * Force) and wait until it is stopped. Servers wait `delayPerPriorityS` × their priority rank before acting, so the
 * highest-priority survivor acts first and two survivors never stop each other (DESIGN §4, fence_aws).
 */
export const forcedStopSchema = z.strictObject({
  enabled: z.boolean({ error: 'msg:boolean' }).default(false),
  delayPerPriorityS: seconds(0, 600).default(10),
  stopTimeoutS: seconds(1, 3600).default(240),
});

/** What a server does when it finds itself isolated (no NP target reachable). CLUSTERPRO's default: 2 = shut down. */
export const isolationActionSchema = z.enum(['stop-service', 'shutdown', 'reboot']).default('shutdown');

export const webuiSecuritySchema = z.strictObject({
  /** scrypt hashes written by the agent; the browser only ever sends a new password to be hashed. */
  operationPasswordHash: z.string().optional(),
  referencePasswordHash: z.string().optional(),
  /** CLUSTERPRO's "Control connection by using client IP address": two lists, operation and reference-only. */
  clientAccess: z
    .strictObject({
      enabled: z.boolean({ error: 'msg:boolean' }).default(false),
      operation: z.array(addressOrCidr).default([]),
      reference: z.array(addressOrCidr).default([]),
    })
    .prefault({}),
  sessionTimeoutMin: count(1, 1440).default(30),
  https: z.strictObject({ certFile: z.string().min(1), keyFile: z.string().min(1) }).optional(),
});

export const clusterSectionSchema = z.strictObject({
  name: objectName,
  comment: comment.default(''),
  language: z.enum(['en', 'ja']).default('en'),
  /** CLUSTERPRO's Timeout tab: heartbeat interval 3 s, timeout 90 s, server sync wait 5 min. */
  heartbeat: z
    .strictObject({
      intervalS: seconds(0.1, 99).default(3),
      timeoutS: seconds(0.5, 9999).default(90),
    })
    .prefault({}),
  /** How long a starting server waits for the others before it starts groups (so both-start-at-once is orderly). */
  serverSyncWaitS: seconds(0, 3600).default(300),
  ports: z
    .strictObject({
      webui: port.default(29003),
      heartbeat: port.default(29002),
    })
    .prefault({}),
  np: z
    .strictObject({
      targets: z.array(npTargetSchema).default([]),
      isolationAction: isolationActionSchema,
    })
    .prefault({}),
  forcedStop: forcedStopSchema.prefault({}),
  aws: z.strictObject({ region: awsRegion.optional() }).prefault({}),
  webui: webuiSecuritySchema.prefault({}),
  /** CLUSTERPRO's alert log keeps 10000 records by default. */
  alertLog: z.strictObject({ maxRecords: count(100, 1000000).default(10000) }).prefault({}),
});

export const serverSchema = z.strictObject({
  name: serverName,
  /** The address the other agents and browsers use to reach this server's agent (its private IP on AWS). */
  address: ipv4,
  /** The server's EC2 instance; required when forced stop is on (the wizard fills it from discovery). */
  instanceId: instanceId.optional(),
});

/**
 * Interconnects: one row per network. Kernel and user mode are both UDP heartbeats in Kumo (kept for the
 * guide's vocabulary); "mirror" rows only carry mirror data. `mdc` names the row as a mirror disk connect.
 */
export const interconnectSchema = z.strictObject({
  priority: count(1, 99),
  kind: z.enum(['kernel', 'user', 'mirror']).default('kernel'),
  mdc: objectName.optional(),
  addresses: z.record(serverName, ipv4),
});

export const dependencySchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('default') }),
  z.strictObject({ mode: z.literal('explicit'), dependsOn: z.array(objectName) }),
]);

export const resourceFinalActionSchema = z.enum(['none-continue', 'none', 'stop-group', 'stop-service', 'shutdown', 'reboot']);
export const deactivationFinalActionSchema = z.enum(['none-continue', 'none', 'stop-service', 'shutdown', 'reboot']);

/**
 * CLUSTERPRO's "Recovery Operation": retry in place, then fail the group over, then the final action.
 * `failoverThreshold: 'servers'` is CLUSTERPRO's default "Set as much as the number of servers".
 */
export const resourceRecoverySchema = z.strictObject({
  activation: z
    .strictObject({
      retryCount: count(0, 99).default(0),
      failoverThreshold: z.union([z.literal('servers'), count(0, 99)]).default('servers'),
      finalAction: resourceFinalActionSchema.default('none'),
    })
    .prefault({}),
  deactivation: z
    .strictObject({
      retryCount: count(0, 99).default(0),
      finalAction: deactivationFinalActionSchema.default('shutdown'),
    })
    .prefault({}),
});

const paramsRecord = z.record(z.string(), z.unknown());

export const resourceSchema = z.strictObject({
  name: objectName,
  type: resourceTypeId,
  comment: comment.default(''),
  dependency: dependencySchema.default({ mode: 'default' }),
  recovery: resourceRecoverySchema.prefault({}),
  /** Activation / deactivation timeouts; filled from the type's defaults when left out. */
  timeouts: z.strictObject({ activateS: seconds(1, 99999).optional(), deactivateS: seconds(1, 99999).optional() }).prefault({}),
  params: paramsRecord.default({}),
  /** The "Set up individually" tab of each server: values that override `params` on that server. */
  perServer: z.record(serverName, paramsRecord).default({}),
});

export const groupSchema = z.strictObject({
  name: objectName,
  comment: comment.default(''),
  type: z.literal('failover').default('failover'),
  /** Ordered; empty means "Failover is possible on all servers", in server order. */
  startupServers: z.array(serverName).default([]),
  attributes: z
    .strictObject({
      startup: z.enum(['auto', 'manual']).default('auto'),
      failover: z.enum(['auto', 'manual']).default('auto'),
      failback: z.enum(['manual', 'auto']).default('manual'),
    })
    .prefault({}),
  resources: z.array(resourceSchema).default([]),
});

export const monitorFinalActionSchema = z.enum(['none', 'stop-group', 'stop-service', 'shutdown', 'reboot', 'stop-resource']);

/** Where a monitor's recovery acts: a resource, a group, or LocalServer (the server itself). */
export const recoveryTargetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('resource'), name: objectName }),
  z.strictObject({ kind: z.literal('group'), name: objectName }),
  z.strictObject({ kind: z.literal('local-server') }),
]);

export const monitorSchema = z.strictObject({
  name: objectName,
  type: monitorTypeId,
  comment: comment.default(''),
  /** Monitor (common); missing values come from the type's defaults in validate.ts. */
  common: z
    .strictObject({
      intervalS: seconds(0.1, 999).optional(),
      timeoutS: seconds(0.1, 999).optional(),
      retryCount: count(0, 999).optional(),
      waitStartS: seconds(0, 9999).optional(),
      timing: z.enum(['always', 'active']).optional(),
      /** The resource whose activity gates an "active" monitor. */
      target: objectName.optional(),
      /** Servers that run it; empty = all servers. */
      servers: z.array(serverName).default([]),
      /** CLUSTERPRO defaults both to on: a timeout is neither retried nor recovered. */
      noRetryOnTimeout: z.boolean({ error: 'msg:boolean' }).default(true),
      noRecoveryOnTimeout: z.boolean({ error: 'msg:boolean' }).default(true),
    })
    .prefault({}),
  /** Recovery Action: CLUSTERPRO's defaults are 3 reactivations, 1 failover, final action "No operation". */
  recovery: z.strictObject({
    target: recoveryTargetSchema,
    maxRestarts: count(0, 99).default(3),
    maxFailovers: count(0, 99).default(1),
    finalAction: monitorFinalActionSchema.default('none'),
  }),
  params: paramsRecord.default({}),
  perServer: z.record(serverName, paramsRecord).default({}),
});

export const clusterConfigSchema = z.strictObject({
  formatVersion: z.literal(CONFIG_FORMAT_VERSION).default(CONFIG_FORMAT_VERSION),
  cluster: clusterSectionSchema,
  servers: z.array(serverSchema).min(1).max(32),
  interconnects: z.array(interconnectSchema).min(1),
  groups: z.array(groupSchema).default([]),
  monitors: z.array(monitorSchema).default([]),
});

/** A config as a user may write it (defaults may be left out). */
export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;
/** A validated config with every default filled. */
export type ClusterConfig = z.output<typeof clusterConfigSchema>;
export type ServerConfig = ClusterConfig['servers'][number];
export type InterconnectConfig = ClusterConfig['interconnects'][number];
export type GroupConfig = ClusterConfig['groups'][number];
export type ResourceConfig = GroupConfig['resources'][number];
export type MonitorConfig = ClusterConfig['monitors'][number];
export type NpTarget = z.output<typeof npTargetSchema>;
export type RecoveryTarget = z.output<typeof recoveryTargetSchema>;
export type ResourceFinalAction = z.output<typeof resourceFinalActionSchema>;
export type MonitorFinalAction = z.output<typeof monitorFinalActionSchema>;
