/**
 * The WebUI ↔ agent protocol over the `/api/ws` WebSocket (the `kumo` CLI speaks it too). The browser sends
 * requests `{kind:'request', id, method, params}`; the agent answers `{kind:'response', id, ok, result | error}`
 * and pushes events (`status`, `alert`, `session`). Every method is declared once here with its params, its
 * result and the access it needs; both ends parse with these schemas.
 */
import { z } from 'zod';
import { alertEntrySchema } from '../alerts/catalogue.js';
import { clusterStatusSchema } from '../status/cluster-status.js';
import { ERROR_CODE_LIST } from './error-codes.js';
import type { ErrorCode } from './error-codes.js';

/** `reference` may read; `operate` may change the cluster; `public` needs no login. */
export type Access = 'public' | 'reference' | 'operate';

interface MethodDef<P extends z.ZodType, R extends z.ZodType> {
  readonly params: P;
  readonly result: R;
  readonly access: Access;
}

function method<P extends z.ZodType, R extends z.ZodType>(access: Access, params: P, result: R): MethodDef<P, R> {
  return { access, params, result };
}

const none = z.object({}).strict();
const ok = z.object({ ok: z.literal(true) });
const name = z.string().min(1);
const configErrorSchema = z.object({
  path: z.array(z.union([z.string(), z.number()])),
  where: z.string(),
  message: z.object({ en: z.string(), ja: z.string() }),
});

/** Per-server outcome of an apply: what each server answered. */
const perServerAnswer = z.object({ server: z.string(), ok: z.boolean(), message: z.string() });

export const applyResultSchema = z.object({
  outcome: z.enum(['applied', 'unchanged']),
  version: z.number(),
  hash: z.string(),
  /** What the change needs, as CLUSTERPRO tells: nothing, suspend/resume, stop/start groups, restart the cluster. */
  requires: z.enum(['nothing', 'suspend-resume', 'restart-groups', 'restart-cluster']),
  servers: z.array(perServerAnswer),
});

export const configDocSchema = z.object({
  config: z.unknown().nullable(),
  version: z.number().nullable(),
  hash: z.string().nullable(),
  appliedBy: z.string().nullable(),
  appliedAt: z.number().nullable(),
});

const serverProbeResult = z.object({
  name: z.string(),
  address: z.string(),
  version: z.string(),
  clusterName: z.string().nullable(),
  configHash: z.string().nullable(),
  instanceId: z.string().nullable(),
  availabilityZone: z.string().nullable(),
});

const discoveryItem = z.object({ id: z.string(), label: z.string(), detail: z.record(z.string(), z.unknown()).optional() });

const preflightCheck = z.object({
  subject: z.string(),
  check: z.string(),
  ok: z.boolean(),
  message: z.string(),
  fix: z.string().optional(),
});

const whatIfFault = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('server'), name }),
  z.object({ kind: z.literal('interconnect'), server: name }),
  z.object({ kind: z.literal('monitor'), name, server: name.optional() }),
]);

export const METHODS = {
  /**
   * Log in with a password, resume with a session token (valid on every server of the cluster), or — for the
   * `kumo` CLI on the server itself — with the local token file only root can read.
   */
  'session.login': method(
    'public',
    z.object({ password: z.string().max(1024).optional(), token: z.string().max(2048).optional(), localToken: z.string().max(256).optional() }),
    z.object({ role: z.enum(['operate', 'reference']), expiresAt: z.number(), token: z.string() }),
  ),
  'session.logout': method('public', none, ok),
  'session.info': method(
    'public',
    none,
    z.object({
      server: z.string(),
      version: z.string(),
      role: z.enum(['operate', 'reference']).nullable(),
      passwordRequired: z.boolean(),
      configured: z.boolean(),
      peers: z.array(z.object({ name: z.string(), address: z.string(), port: z.number() })),
    }),
  ),
  'status.get': method('reference', none, clusterStatusSchema),
  'config.get': method('reference', none, configDocSchema),
  'config.validate': method('reference', z.object({ config: z.unknown() }), z.object({ ok: z.boolean(), errors: z.array(configErrorSchema) })),
  'config.apply': method(
    'operate',
    z.object({
      config: z.unknown(),
      /** New passwords to hash and store (null removes one); the config itself never carries them in clear. */
      passwords: z.object({ operation: z.string().nullable().optional(), reference: z.string().nullable().optional() }).optional(),
    }),
    applyResultSchema,
  ),
  'servers.probe': method('operate', z.object({ address: z.string(), port: z.number().int().optional() }), serverProbeResult),
  'aws.discover': method(
    'operate',
    z.object({
      what: z.enum(['self', 'vpcs', 'routeTables', 'networkInterfaces', 'eipAllocations', 'hostedZones', 'availabilityZones', 'instances']),
      vpcId: z.string().optional(),
    }),
    z.object({ items: z.array(discoveryItem) }),
  ),
  'aws.iamPolicy': method('reference', z.object({ config: z.unknown() }), z.object({ policy: z.unknown(), text: z.string() })),
  'aws.preflight': method('operate', z.object({ config: z.unknown() }), z.object({ checks: z.array(preflightCheck) })),
  'cluster.start': method('operate', z.object({ servers: z.array(name).optional() }), ok),
  'cluster.stop': method('operate', z.object({ servers: z.array(name).optional() }), ok),
  'cluster.suspend': method('operate', none, ok),
  'cluster.resume': method('operate', none, ok),
  'group.start': method('operate', z.object({ group: name, server: name.optional() }), ok),
  'group.stop': method('operate', z.object({ group: name }), ok),
  'group.move': method('operate', z.object({ group: name, server: name.optional() }), ok),
  'resource.start': method('operate', z.object({ resource: name, server: name.optional() }), ok),
  'resource.stop': method('operate', z.object({ resource: name }), ok),
  'monitor.suspend': method('operate', z.object({ monitor: name.optional() }), ok),
  'monitor.resume': method('operate', z.object({ monitor: name.optional() }), ok),
  'monitor.dummyFailure': method('operate', z.object({ monitor: name, server: name.optional(), enabled: z.boolean() }), ok),
  'md.recover': method('operate', z.object({ name }), ok),
  'md.force': method('operate', z.object({ name, server: name }), ok),
  'md.break': method('operate', z.object({ name, server: name.optional() }), ok),
  'alerts.query': method(
    'reference',
    z.object({
      limit: z.number().int().min(1).max(10000).default(200),
      beforeId: z.number().int().optional(),
      server: z.string().optional(),
      level: z.enum(['info', 'warning', 'error']).optional(),
      module: z.string().optional(),
    }),
    z.object({ entries: z.array(alertEntrySchema) }),
  ),
  'whatif.simulate': method(
    'reference',
    z.object({ fault: whatIfFault, lang: z.enum(['en', 'ja']).optional() }),
    z.object({ steps: z.array(z.object({ server: z.string(), action: z.string(), detail: z.string() })), summary: z.string() }),
  ),
} as const;

export type MethodName = keyof typeof METHODS;
export type MethodParams<M extends MethodName> = z.input<(typeof METHODS)[M]['params']>;
export type MethodResult<M extends MethodName> = z.output<(typeof METHODS)[M]['result']>;
export const METHOD_NAMES = Object.keys(METHODS) as MethodName[];

/**
 * The largest request the agent's WebSocket takes. The agent cannot tell which request an oversized message was
 * (it does not parse it), so the clients refuse to send one and say why, rather than wait for an answer.
 */
export const MAX_UI_MESSAGE_BYTES = 8 * 1024 * 1024;

/** The refusal of an oversized request, in the clients and the agent alike. */
export function tooLargeMessage(bytes: number): string {
  return `the request is ${(bytes / 1024 / 1024).toFixed(1)} MiB; the agent takes messages of up to ${MAX_UI_MESSAGE_BYTES / 1024 / 1024} MiB (a 32-server configuration is about 15 KB): remove what does not belong in it`;
}

export const uiRequestSchema = z.object({
  kind: z.literal('request'),
  id: z.string().min(1).max(64),
  method: z.enum(METHOD_NAMES as [MethodName, ...MethodName[]]),
  params: z.unknown(),
});

export const errorBodySchema = z.object({
  code: z.enum(ERROR_CODE_LIST as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
  details: z.unknown().optional(),
});

export const uiResponseSchema = z.discriminatedUnion('ok', [
  z.object({ kind: z.literal('response'), id: z.string(), ok: z.literal(true), result: z.unknown() }),
  z.object({ kind: z.literal('response'), id: z.string(), ok: z.literal(false), error: errorBodySchema }),
]);

export const uiEventSchema = z.discriminatedUnion('event', [
  z.object({ kind: z.literal('event'), event: z.literal('status'), data: clusterStatusSchema }),
  z.object({ kind: z.literal('event'), event: z.literal('alert'), data: alertEntrySchema }),
  z.object({
    kind: z.literal('event'),
    event: z.literal('session'),
    data: z.object({ role: z.enum(['operate', 'reference']).nullable(), reason: z.string().optional() }),
  }),
]);

export const uiServerMessageSchema = z.union([uiResponseSchema, uiEventSchema]);

export type UiRequest = z.infer<typeof uiRequestSchema>;
export type UiResponse = z.infer<typeof uiResponseSchema>;
export type UiEvent = z.infer<typeof uiEventSchema>;
export type UiServerMessage = z.infer<typeof uiServerMessageSchema>;
export type ApplyResult = z.infer<typeof applyResultSchema>;
export type ConfigDoc = z.infer<typeof configDocSchema>;
export type WhatIfFault = z.infer<typeof whatIfFault>;
