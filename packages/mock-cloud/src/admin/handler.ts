/**
 * The admin HTTP API under `/_admin/`: the programmatic MockCloud handle over JSON, for the demo, for
 * tests running in other processes and for humans with curl. Inputs are parsed and checked here; a bad
 * input is a 400 `{ error, message }`, an unknown target a 404.
 *
 *   GET    /_admin/info                      url, region, dns, imds
 *   GET    /_admin/state                     state dump (with active faults and denials)
 *   POST   /_admin/reset                     back to the topology
 *   GET    /_admin/requests?service=&operation=&instanceId=&since=
 *   DELETE /_admin/requests                  clear the request log
 *   GET    /_admin/faults                    active faults and denials
 *   POST   /_admin/faults                    FaultSpec → { id }
 *   DELETE /_admin/faults                    clear every fault and denial
 *   DELETE /_admin/faults/{id}               remove one fault
 *   POST   /_admin/faults/deny               { action, instanceId? }
 *   POST   /_admin/faults/allow              { action, instanceId? }
 *   POST   /_admin/az                        { zoneName, state }
 *   POST   /_admin/tamper/point-route        { routeTableId, cidr, eniId }
 *   POST   /_admin/tamper/disassociate-address { allocationId }
 *   POST   /_admin/tamper/delete-record      { zoneId, name, type }
 *   POST   /_admin/tamper/change-record      { zoneId, name, type, values, ttl? }
 *   POST   /_admin/tamper/set-az-state       { zoneName, state }
 *   POST   /_admin/tamper/stop-instance      { instanceId }
 *   POST   /_admin/tamper/start-instance     { instanceId }
 *   GET    /_admin/events                    Server-Sent Events (instance-state, tamper, fault, change-insync, reset)
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsError } from '../aws-error.js';
import type { Cloud } from '../cloud.js';
import type { CloudEvent } from '../events.js';
import { FAULT_KINDS, faultSpecProblem, type FaultSpec } from '../faults.js';
import { sendJson } from '../http-util.js';
import type { RequestFilter, ServiceName } from '../request-log.js';
import type { TamperApi } from '../tamper.js';
import { AZ_STATES } from '../topology.js';

export interface AdminContext {
  cloud: Cloud;
  tamper: TamperApi;
  info: () => unknown;
  state: () => unknown;
}

class BadRequest extends Error {}

type Json = Record<string, unknown>;

function parseObject(body: string): Json {
  let value: unknown;
  try {
    value = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new BadRequest('the body is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new BadRequest('the body must be a JSON object');
  return value as Json;
}

function str(o: Json, key: string): string {
  const value = o[key];
  if (typeof value !== 'string' || value === '') throw new BadRequest(`${key} is required (a string)`);
  return value;
}

function optStr(o: Json, key: string): string | undefined {
  const value = o[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new BadRequest(`${key} must be a string`);
  return value;
}

function optNum(o: Json, key: string): number | undefined {
  const value = o[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new BadRequest(`${key} must be a number`);
  return value;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], key: string): T | undefined {
  if (value === undefined) return undefined;
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw new BadRequest(`${key} must be one of ${allowed.join(', ')}`);
  return found;
}

const SERVICES: readonly ServiceName[] = ['ec2', 'route53', 'imds'];

function faultSpec(o: Json): FaultSpec {
  const spec: FaultSpec = {
    operation: str(o, 'operation'),
    kind: oneOf(str(o, 'kind'), FAULT_KINDS, 'kind') ?? 'error',
  };
  const service = oneOf(optStr(o, 'service'), SERVICES, 'service');
  if (service !== undefined) spec.service = service;
  for (const key of ['code', 'message', 'instanceId'] as const) {
    const value = optStr(o, key);
    if (value !== undefined) spec[key] = value;
  }
  for (const key of ['status', 'count', 'delayMs'] as const) {
    const value = optNum(o, key);
    if (value !== undefined) spec[key] = value;
  }
  const problem = faultSpecProblem(spec);
  if (problem !== undefined) throw new BadRequest(problem);
  return spec;
}

function requestFilter(query: URLSearchParams): RequestFilter {
  const filter: RequestFilter = {};
  const service = oneOf(query.get('service') ?? undefined, SERVICES, 'service');
  if (service !== undefined) filter.service = service;
  const operation = query.get('operation');
  if (operation !== null) filter.operation = operation;
  const instanceId = query.get('instanceId');
  if (instanceId !== null) filter.instanceId = instanceId;
  const since = query.get('since');
  if (since !== null) {
    if (!/^\d+$/.test(since)) throw new BadRequest('since must be a request sequence number');
    filter.since = Number(since);
  }
  return filter;
}

function stringList(o: Json, key: string): string[] {
  const value = o[key];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) throw new BadRequest(`${key} must be a list of strings`);
  return value;
}

type Route = (o: Json, ctx: AdminContext, query: URLSearchParams) => unknown;

const ok = { ok: true };

const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['GET info', (_o, ctx) => ctx.info()],
  ['GET state', (_o, ctx) => ctx.state()],
  ['POST reset', (_o, ctx) => (ctx.cloud.reset(), ok)],
  ['GET requests', (_o, ctx, query) => ctx.cloud.log.list(requestFilter(query))],
  ['DELETE requests', (_o, ctx) => (ctx.cloud.log.clear(), ok)],
  ['GET faults', (_o, ctx) => ctx.cloud.faults.list()],
  ['POST faults', (o, ctx) => ({ id: ctx.cloud.faults.inject(faultSpec(o)) })],
  ['DELETE faults', (_o, ctx) => (ctx.cloud.faults.clear(), ok)],
  ['POST faults/deny', (o, ctx) => (ctx.cloud.faults.denyAction(str(o, 'action'), optStr(o, 'instanceId')), ok)],
  ['POST faults/allow', (o, ctx) => (ctx.cloud.faults.allowAction(str(o, 'action'), optStr(o, 'instanceId')), ok)],
  ['POST tamper/point-route', (o, ctx) => (ctx.tamper.pointRoute(str(o, 'routeTableId'), str(o, 'cidr'), str(o, 'eniId')), ok)],
  ['POST tamper/disassociate-address', (o, ctx) => (ctx.tamper.disassociateAddress(str(o, 'allocationId')), ok)],
  ['POST tamper/delete-record', (o, ctx) => (ctx.tamper.deleteRecord(str(o, 'zoneId'), str(o, 'name'), str(o, 'type')), ok)],
  [
    'POST tamper/change-record',
    (o, ctx) => (ctx.tamper.changeRecord(str(o, 'zoneId'), str(o, 'name'), str(o, 'type'), stringList(o, 'values'), optNum(o, 'ttl')), ok),
  ],
  ['POST tamper/set-az-state', (o, ctx) => setAz(o, ctx)],
  ['POST az', (o, ctx) => setAz(o, ctx)],
  ['POST tamper/stop-instance', (o, ctx) => (ctx.tamper.stopInstance(str(o, 'instanceId')), ok)],
  ['POST tamper/start-instance', (o, ctx) => (ctx.tamper.startInstance(str(o, 'instanceId')), ok)],
]);

function setAz(o: Json, ctx: AdminContext) {
  ctx.tamper.setAzState(str(o, 'zoneName'), oneOf(str(o, 'state'), AZ_STATES, 'state') ?? 'available');
  return ok;
}

/** Server-Sent Events: one `event: <type>` / `data: <json>` message per cloud event. */
export class EventStreams {
  private readonly streams = new Set<ServerResponse>();
  private readonly unsubscribe: () => void;

  constructor(cloud: Cloud) {
    this.unsubscribe = cloud.events.on((event: CloudEvent) => {
      const message = `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
      for (const stream of this.streams) stream.write(message);
    });
  }

  open(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(': kumo-mock-cloud events\n\n');
    this.streams.add(res);
    req.on('close', () => this.streams.delete(res));
  }

  close(): void {
    this.unsubscribe();
    for (const stream of this.streams) stream.end();
    this.streams.clear();
  }
}

export function handleAdmin(ctx: AdminContext, method: string, path: string, query: URLSearchParams, body: string, res: ServerResponse): void {
  const faultId = /^faults\/(fault-\d+)$/.exec(path)?.[1];
  try {
    if (method === 'DELETE' && faultId !== undefined) {
      sendJson(res, ctx.cloud.faults.remove(faultId) ? 200 : 404, ctx.cloud.faults.list());
      return;
    }
    const route = ROUTES.get(`${method} ${path}`);
    if (!route) {
      sendJson(res, 404, { error: 'NotFound', message: `no admin endpoint ${method} /_admin/${path}` });
      return;
    }
    sendJson(res, 200, route(method === 'POST' ? parseObject(body) : {}, ctx, query));
  } catch (error) {
    if (error instanceof BadRequest) sendJson(res, 400, { error: 'BadRequest', message: error.message });
    else if (error instanceof AwsError) sendJson(res, error.code.endsWith('NotFound') || error.code.startsWith('NoSuch') ? 404 : 400, { error: error.code, message: error.message });
    else throw error;
  }
}
