/**
 * The audits run after every fault scenario, in the way Pacemaker's CTS audits a cluster after each test
 * (peers.md §2.5): not "did the expected thing happen" alone, but "is the cluster sane", from independent
 * witnesses:
 *
 *  - ownership over time, from the emulator's request log: every successful ReplaceRoute, AssociateAddress and
 *    Route 53 UPSERT claims the group's address for the server whose ENI / IP it names; the sequence of owners
 *    must be the expected one (a split brain shows as server1, server2, server1…), a server only ever points at
 *    itself, and nobody releases (DisassociateAddress, DELETE) what another server holds;
 *  - the cloud's end state (routes in the three tables, the EIP, the record) points at the expected server;
 *  - every running agent's own status: at most one server says it runs the group, at most one mirror primary,
 *    at most one simulated host holds the VIP on its NIC, and every agent's view names the same server;
 *  - acknowledged mirror writes read back from the new active server's export;
 *  - the same config hash on every running server;
 *  - the expected alerts present (from every running agent's alert log), and no "bad news" in any agent's
 *    output (uncaught exceptions, type errors).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AlertEntry, ClusterStatus } from '@kumo/shared';
import type { RequestLogEntry } from '@kumo/mock-cloud';
import { ENIS, ROUTE_TABLES } from '../../harness/cluster.js';
import type { ClusterUnderTest } from './clusters.js';
import type { MirrorData } from './mirror-data.js';

export const VIP = '10.1.0.20';
export const VIP_CIDR = `${VIP}/32`;
export const EIP_ALLOCATION = 'eipalloc-0a1b2c3d4e5f60001';
export const ZONE = 'Z0KUMOHZ1LOCAL00001A';
export const RECORD = 'srv.hz1.local.';
/** The awsdns IP of each server (its private IP), in server order. */
export const RECORD_IPS = ['10.0.110.10', '10.0.120.10'] as const;

export interface AuditLine {
  check: string;
  ok: boolean;
  detail: string;
}

export interface AuditSpec {
  title: string;
  group?: string;
  /** Request-log mark (`seq`) and wall time the scenario started at. */
  since: Mark;
  /** The owners the group's addresses must have had, in order, from `since` (repeats collapsed). */
  owners?: string[];
  /** The server the group must end on (null: on none). */
  active: string | null;
  /** Checks of the cloud's end state (off when the scenario leaves it on purpose, e.g. IAM revoked). */
  cloudEndState?: boolean;
  mirror?: { data: MirrorData; on: string };
  /** Alert messages (substrings or patterns) that must be present. */
  alerts?: (string | RegExp)[];
  /** Alert messages that must not appear. */
  noAlerts?: (string | RegExp)[];
  /** A server on which the group may be left partly active (online-failure, as a final action "none" leaves it). */
  partialOn?: string;
  /** Servers whose agent must be running at the end. */
  running?: string[];
}

const BAD_NEWS = /Unhandled|uncaught|TypeError|ReferenceError|RangeError|SyntaxError|FATAL|ERR_INTERNAL|heap out of memory/;

export interface Mark {
  seq: number;
  time: number;
  /** How much each agent had printed. */
  out: Record<string, number>;
}

export function mark(c: ClusterUnderTest): Mark {
  const all = c.cloud.requests();
  return { seq: all.at(-1)?.seq ?? 0, time: Date.now(), out: Object.fromEntries(c.names.map((n) => [n, c.output(n).length])) };
}

export async function statusOf(c: ClusterUnderTest, name: string, timeoutMs = 5000): Promise<ClusterStatus | null> {
  if (!c.running(name)) return null;
  try {
    return await c.client(name).then((x) => x.call('status.get', {}, timeoutMs));
  } catch {
    return null;
  }
}

export async function alertsOf(c: ClusterUnderTest, since: number): Promise<AlertEntry[]> {
  const seen = new Map<string, AlertEntry>();
  for (const name of c.names) {
    if (!c.running(name)) continue;
    try {
      const r = await c.client(name).then((x) => x.call('alerts.query', { limit: 1000 }, 10_000));
      for (const e of r.entries) if (e.time >= since) seen.set(`${e.server}|${e.time}|${e.key}|${e.message}`, e);
    } catch {
      /* an agent that cannot answer is reported by the other checks */
    }
  }
  return [...seen.values()].sort((a, b) => a.time - b.time);
}

interface Claim {
  seq: number;
  what: string;
  by: string | undefined;
  kind: 'claim' | 'release';
  for: string | undefined;
}

/** Who the group's addresses belonged to, request by request. */
export function claims(c: ClusterUnderTest, requests: RequestLogEntry[]): Claim[] {
  const byInstance = (id: string | undefined) => c.names.find((n) => c.instanceOf(n) === id);
  const byEni = (eni: unknown) => c.names[ENIS.indexOf(eni as (typeof ENIS)[number])];
  const byIp = (ip: unknown) => c.names[RECORD_IPS.indexOf(ip as (typeof RECORD_IPS)[number])];
  const out: Claim[] = [];
  for (const r of requests) {
    if (r.status !== 200) continue;
    const p = r.params;
    const by = byInstance(r.instanceId) ?? (r.instanceId ? r.instanceId : 'outsider');
    switch (r.operation) {
      case 'ReplaceRoute':
      case 'CreateRoute':
        if (p['DestinationCidrBlock'] === VIP_CIDR) out.push({ seq: r.seq, what: `route ${String(p['RouteTableId'])}`, by, kind: 'claim', for: byEni(p['NetworkInterfaceId']) });
        break;
      case 'AssociateAddress':
        out.push({ seq: r.seq, what: 'eip', by, kind: 'claim', for: byEni(p['NetworkInterfaceId']) });
        break;
      case 'DisassociateAddress':
        out.push({ seq: r.seq, what: 'eip', by, kind: 'release', for: undefined });
        break;
      case 'ChangeResourceRecordSets': {
        const batch = p['changeBatch'] as { changes?: { action: string; name: string; values?: string[] }[] } | undefined;
        for (const ch of batch?.changes ?? []) {
          if (ch.name !== RECORD) continue;
          out.push({ seq: r.seq, what: 'record', by, kind: ch.action === 'DELETE' ? 'release' : 'claim', for: ch.action === 'DELETE' ? undefined : byIp(ch.values?.[0]) });
        }
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function compress(xs: (string | undefined)[]): string[] {
  const out: string[] = [];
  for (const x of xs) if (x !== undefined && out.at(-1) !== x) out.push(x);
  return out;
}

interface CloudDump {
  routeTables: { id: string; routes: { destination: string; target: string }[] }[];
  addresses: { allocationId: string; association?: { eniId: string } | null }[];
  hostedZones: { id: string; records: { name: string; type: string; values: string[] }[] }[];
}

/** Where the cloud points the group's addresses now: server names (or what else it is) per object. */
export function cloudOwners(c: ClusterUnderTest): Record<string, string | null> {
  const dump = c.cloud.state() as CloudDump;
  const eniOwner = (eni: string | null | undefined) => (eni ? (c.names[ENIS.indexOf(eni as (typeof ENIS)[number])] ?? eni) : null);
  const out: Record<string, string | null> = {};
  for (const id of ROUTE_TABLES) {
    const t = dump.routeTables.find((x) => x.id === id);
    out[`route ${id}`] = eniOwner(t?.routes.find((r) => r.destination === VIP_CIDR)?.target);
  }
  out['eip'] = eniOwner(dump.addresses.find((a) => a.allocationId === EIP_ALLOCATION)?.association?.eniId);
  const rec = dump.hostedZones.find((z) => z.id === ZONE)?.records.find((r) => r.name === RECORD && r.type === 'A');
  out['record'] = rec ? (c.names[RECORD_IPS.indexOf(rec.values[0] as (typeof RECORD_IPS)[number])] ?? rec.values.join(',')) : null;
  return out;
}

function simulatedVip(dataDir: string): boolean {
  try {
    const s = JSON.parse(readFileSync(path.join(dataDir, 'simulated-host.json'), 'utf8')) as { addresses?: { ip: string }[] };
    return (s.addresses ?? []).some((a) => a.ip === VIP);
  } catch {
    return false;
  }
}

/** Running servers whose (simulated) NIC holds the VIP. */
export function vipHolders(c: ClusterUnderTest): string[] {
  return c.names.filter((n) => c.running(n) && simulatedVip(c.dataDir(n)));
}

/**
 * Removes the VIP from the NIC of every server but `active`, as an operator's `ip addr del` would: a server that
 * was killed while active and came back keeps it (see the stale-VIP scenario); later scenarios start clean.
 * Returns the servers it was removed from.
 */
export function clearStaleVip(c: ClusterUnderTest, active: string | null): string[] {
  const cleared: string[] = [];
  for (const n of c.names) {
    if (n === active) continue;
    const file = path.join(c.dataDir(n), 'simulated-host.json');
    try {
      const s = JSON.parse(readFileSync(file, 'utf8')) as { addresses?: { ip: string }[] };
      if (!(s.addresses ?? []).some((a) => a.ip === VIP)) continue;
      s.addresses = (s.addresses ?? []).filter((a) => a.ip !== VIP);
      writeFileSync(file, JSON.stringify(s, null, 1));
      cleared.push(n);
    } catch {
      /* no host file yet */
    }
  }
  return cleared;
}

function matches(message: string, p: string | RegExp): boolean {
  return typeof p === 'string' ? message.includes(p) : p.test(message);
}

export async function audit(c: ClusterUnderTest, spec: AuditSpec): Promise<AuditLine[]> {
  const group = spec.group ?? 'failover1';
  const lines: AuditLine[] = [];
  const add = (check: string, ok: boolean, detail: string) => lines.push({ check, ok, detail });

  // 1. Ownership over time, from the request log.
  const cl = claims(c, c.cloud.requests({ since: spec.since.seq }));
  const owners = compress(cl.filter((x) => x.kind === 'claim').map((x) => x.by));
  if (spec.owners) add('owners over time (request log)', JSON.stringify(owners) === JSON.stringify(spec.owners), `${owners.join(' → ') || '(no claim)'}; expected ${spec.owners.join(' → ') || '(no claim)'}`);
  else add('owners over time (request log)', owners.length <= 1, owners.join(' → ') || '(no claim)');
  const foreign = cl.filter((x) => x.kind === 'claim' && x.for !== x.by);
  add('each server points only at itself', foreign.length === 0, foreign.length === 0 ? `${cl.filter((x) => x.kind === 'claim').length} claims` : foreign.map((x) => `#${x.seq} ${x.by} pointed ${x.what} at ${x.for ?? '?'}`).join('; '));
  const holder = new Map<string, string | undefined>();
  const badRelease: string[] = [];
  for (const x of cl) {
    if (x.kind === 'claim') holder.set(x.what, x.by);
    else {
      const h = holder.get(x.what);
      if (h !== undefined && h !== x.by) badRelease.push(`#${x.seq} ${x.by} released ${x.what} held by ${h}`);
      holder.set(x.what, undefined);
    }
  }
  add('nobody releases what another holds', badRelease.length === 0, badRelease.join('; ') || `${cl.filter((x) => x.kind === 'release').length} releases`);

  // 2. The cloud's end state.
  if (spec.cloudEndState !== false) {
    const now = cloudOwners(c);
    // With the group nowhere, the addresses may still name its last server (routes are not deleted), but never two.
    const distinct = new Set(Object.values(now).filter((v) => v !== null));
    const ok = spec.active === null ? distinct.size <= 1 : Object.values(now).every((v) => v === spec.active);
    add('cloud end state', ok, Object.entries(now).map(([k, v]) => `${k.replace('route rtb-0a1b2c3d4e5f6', 'rtb…')}=${v ?? '-'}`).join(' '));
  }

  // 3. Every running agent's own view.
  const statuses = new Map<string, ClusterStatus | null>();
  for (const n of c.names) statuses.set(n, await statusOf(c, n));
  const selfActive: string[] = [];
  const primaries: string[] = [];
  const holders: string[] = [];
  const views: string[] = [];
  for (const [n, s] of statuses) {
    if (!s) continue;
    const g = s.groups.find((x) => x.name === group);
    if (g?.activeOn.includes(n)) selfActive.push(n);
    if (s.mirrors.some((m) => m.perServer[n]?.role === 'primary')) primaries.push(n);
    if (simulatedVip(c.dataDir(n))) holders.push(n);
    const me = s.servers.find((x) => x.name === n);
    views.push(`${n}[${me?.state ?? '?'}]: ${g?.state ?? '?'}@${g?.current ?? '-'} activeOn=${(g?.activeOn ?? []).join(',') || '-'}`);
  }
  const want = spec.active === null ? [] : [spec.active];
  // A partly active group is allowed only where the spec says, and only while that server's agent reports it as not online.
  const partial = (x: string) => x === spec.partialOn && statuses.get(x)?.groups.find((g) => g.name === group)?.state !== 'online';
  const fits = (xs: string[]) => JSON.stringify(xs) === JSON.stringify(want) || (spec.partialOn !== undefined && xs.every(partial));
  add('at most one server runs the group (agents)', selfActive.length <= 1 && fits(selfActive), `${views.join(' | ')}`);
  add('at most one mirror primary', primaries.length <= 1 && (spec.mirror === undefined || JSON.stringify(primaries) === JSON.stringify(want)), primaries.join(',') || '(none)');
  add('only the active host holds the VIP', holders.length <= 1 && fits(holders), holders.join(',') || '(none)');
  const onlineViews = [...statuses.entries()].filter(([n, s]) => s && s.servers.find((x) => x.name === n)?.state === 'online');
  const currents = new Set(onlineViews.map(([, s]) => s!.groups.find((g) => g.name === group)?.current ?? null));
  add('online agents agree where the group runs', currents.size <= 1, [...currents].join(' vs ') || '(no online agent)');

  // 4. Mirror data.
  if (spec.mirror) {
    const problems = await spec.mirror.data.verify(c.dataDir(spec.mirror.on));
    add('acknowledged mirror writes readable on the new active', problems.length === 0, problems.length === 0 ? `${spec.mirror.data.acknowledged.length} writes verified on ${spec.mirror.on} (${spec.mirror.data.failed.length} not acknowledged)` : problems.join('; '));
  }

  // 5. Config hash.
  const hashes = new Map<string, string | null>();
  for (const [n, s] of statuses) if (s) hashes.set(n, s.cluster.configHash);
  add('same config hash on every running server', new Set(hashes.values()).size <= 1, [...hashes].map(([n, h]) => `${n}=${(h ?? 'none').slice(0, 12)}`).join(' '));

  // 6. Alerts and processes.
  const alerts = await alertsOf(c, spec.since.time);
  const missing = (spec.alerts ?? []).filter((p) => !alerts.some((a) => matches(a.message, p)));
  add('expected alerts present', missing.length === 0, missing.length === 0 ? `${spec.alerts?.length ?? 0} expected, ${alerts.length} alerts since the fault` : `missing: ${missing.map(String).join(' | ')}`);
  const unwanted = alerts.filter((a) => (spec.noAlerts ?? []).some((p) => matches(a.message, p)));
  if (spec.noAlerts) add('no unwanted alerts', unwanted.length === 0, unwanted.map((a) => `${a.server}: ${a.message}`).join(' | ') || '-');
  const notRunning = (spec.running ?? []).filter((n) => !c.running(n));
  if (spec.running) add('agents running', notRunning.length === 0, notRunning.length === 0 ? spec.running.join(',') : `down: ${notRunning.join(',')}`);
  const bad = c.names.flatMap((n) => c.output(n).slice(spec.since.out[n] ?? 0).split('\n').filter((l) => BAD_NEWS.test(l)).map((l) => `${n}: ${l.slice(0, 200)}`));
  add('no bad news in agent output', bad.length === 0, bad.slice(0, 3).join(' | ') || '-');

  printAudit(spec.title, lines, alerts);
  return lines;
}

/** Every agent's view and the latest alerts, for the message of a wait that timed out. */
export async function describeCluster(c: ClusterUnderTest, lastAlerts = 25): Promise<string> {
  const out: string[] = [];
  for (const n of c.names) {
    const s = await statusOf(c, n);
    if (!s) {
      out.push(`${n}: ${c.running(n) ? 'no answer' : 'not running'}`);
      continue;
    }
    const g = s.groups.map((x) => `${x.name} ${x.state}@${x.current ?? '-'} [${x.resources.map((r) => `${r.name}=${r.state}${r.message ? ` (${r.message})` : ''}`).join(', ')}]`);
    out.push(`${n}: servers ${s.servers.map((x) => `${x.name}=${x.state}`).join(',')}; ${g.join('; ')}; mirror ${s.mirrors.map((m) => `${m.status} ${JSON.stringify(m.perServer)}`).join(',')}`);
  }
  const alerts = await alertsOf(c, 0);
  out.push(...alerts.slice(-lastAlerts).map((a) => `  ${new Date(a.time).toISOString().slice(11, 23)} ${a.server} ${a.message}`));
  return out.join('\n');
}

export function printAudit(title: string, lines: AuditLine[], alerts: AlertEntry[] = []): void {
  const width = Math.max(...lines.map((l) => l.check.length));
  const text = [
    `\n── audit: ${title} ${'─'.repeat(Math.max(0, 100 - title.length))}`,
    ...lines.map((l) => `  ${l.ok ? 'PASS' : 'FAIL'}  ${l.check.padEnd(width)}  ${l.detail}`),
    ...(process.env['KUMO_FAULTS_VERBOSE'] ? alerts.map((a) => `        ${new Date(a.time).toISOString().slice(11, 23)} ${a.server} ${a.message}`) : []),
  ].join('\n');
  console.log(text);
}

/** The failed lines (for `expect(...).toEqual([])`, which then prints them). */
export function failures(lines: AuditLine[]): string[] {
  return lines.filter((l) => !l.ok).map((l) => `${l.check}: ${l.detail}`);
}
