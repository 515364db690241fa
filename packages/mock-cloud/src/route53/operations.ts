/**
 * Route 53 hosted zones and record sets. ChangeResourceRecordSets validates the whole batch the way
 * Route 53 does (sequentially, so DELETE then CREATE of one record replaces it) and applies it atomically;
 * the change is PENDING until the configured delay has passed, and only then served by the DNS server.
 *
 * ListResourceRecordSets order: by name with its labels reversed (`local.hz1.www`), then by type, which
 * is Route 53's documented order for simple records. Alias, weighted, latency, failover, geolocation and
 * multivalue records are not emulated (InvalidInput says so).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AwsError } from '../aws-error.js';
import type { Cloud } from '../cloud.js';
import { cloneRecords, recordKey, type HostedZoneModel, type RecordOp, type RecordSet } from '../state.js';
import { isInZone, normalizeDnsName, recordValueProblem, RECORD_TYPES, type RecordType } from '../topology.js';
import { XmlList, type XmlObject } from '../xml.js';
import { randomBytes } from 'node:crypto';

export interface Route53Call {
  cloud: Cloud;
  /** Hosted zone or change ID from the path, without `/hostedzone/` or `/change/`. */
  id: string;
  query: URLSearchParams;
  body: string;
}

type Route53Handler = (call: Route53Call) => XmlObject;

export function requireZone(cloud: Cloud, id: string): HostedZoneModel {
  const zone = cloud.state.zones.get(id);
  if (!zone) throw new AwsError('NoSuchHostedZone', `No hosted zone found with ID: ${id}`, 404);
  return zone;
}

function invalidInput(message: string): AwsError {
  return new AwsError('InvalidInput', message);
}

function maxItems(query: URLSearchParams, fallback: number, limit: number): number {
  const text = query.get('maxitems');
  if (text === null) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) throw invalidInput(`1 validation error detected: Value '${text}' at 'maxItems' failed to satisfy constraint: Member must be a positive integer`);
  return Math.min(Number(text), limit);
}

function zoneXml(zone: HostedZoneModel): XmlObject {
  return {
    Id: `/hostedzone/${zone.id}`,
    Name: zone.name,
    CallerReference: zone.callerReference,
    Config: { Comment: zone.comment, PrivateZone: zone.private },
    ResourceRecordSetCount: zone.records.size,
  };
}

function recordXml(record: RecordSet): XmlObject {
  return {
    Name: record.name,
    Type: record.type,
    TTL: record.ttl,
    ResourceRecords: new XmlList('ResourceRecord', record.values.map((Value) => ({ Value }))),
  };
}

function reversedName(name: string): string {
  return name.slice(0, -1).split('.').reverse().join('.');
}

function compareRecords(a: { name: string; type: string }, b: { name: string; type: string }): number {
  const x = reversedName(a.name);
  const y = reversedName(b.name);
  if (x !== y) return x < y ? -1 : 1;
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}

const listHostedZones: Route53Handler = ({ cloud, query }) => {
  const zones = [...cloud.state.zones.values()];
  const limit = maxItems(query, 100, 100);
  const marker = query.get('marker');
  const start = marker === null ? 0 : zones.findIndex((zone) => zone.id === marker);
  if (start < 0) throw invalidInput(`Invalid marker: ${marker ?? ''}`);
  const page = zones.slice(start, start + limit);
  const next = zones[start + limit];
  return {
    HostedZones: new XmlList('HostedZone', page.map(zoneXml)),
    Marker: marker ?? undefined,
    IsTruncated: next !== undefined,
    NextMarker: next?.id,
    MaxItems: limit,
  };
};

const listHostedZonesByName: Route53Handler = ({ cloud, query }) => {
  const dnsName = query.get('dnsname');
  const zoneId = query.get('hostedzoneid');
  if (zoneId !== null && dnsName === null) throw invalidInput('Hosted zone ID is specified but DNS name is not.');
  const limit = maxItems(query, 100, 100);
  const zones = [...cloud.state.zones.values()].sort((a, b) => compareRecords({ name: a.name, type: a.id }, { name: b.name, type: b.id }));
  const startName = dnsName === null ? undefined : normalizeDnsName(dnsName);
  const from = startName === undefined ? 0 : zones.findIndex((zone) => compareRecords({ name: zone.name, type: zone.id }, { name: startName, type: zoneId ?? '' }) >= 0);
  const start = from < 0 ? zones.length : from;
  const page = zones.slice(start, start + limit);
  const next = zones[start + limit];
  return {
    HostedZones: new XmlList('HostedZone', page.map(zoneXml)),
    DNSName: startName,
    HostedZoneId: zoneId ?? undefined,
    IsTruncated: next !== undefined,
    NextDNSName: next?.name,
    NextHostedZoneId: next?.id,
    MaxItems: limit,
  };
};

const getHostedZone: Route53Handler = ({ cloud, id }) => {
  const zone = requireZone(cloud, id);
  return {
    HostedZone: zoneXml(zone),
    DelegationSet: zone.private
      ? undefined
      : { NameServers: new XmlList('NameServer', (zone.records.get(recordKey(zone.name, 'NS'))?.values ?? []).map((ns) => ns.replace(/\.$/, ''))) },
    VPCs: zone.private
      ? new XmlList('VPC', zone.vpcIds.map((vpcId) => ({ VPCRegion: cloud.region, VPCId: vpcId })))
      : undefined,
  };
};

const listResourceRecordSets: Route53Handler = ({ cloud, id, query }) => {
  const zone = requireZone(cloud, id);
  const limit = maxItems(query, 300, 300);
  const name = query.get('name');
  const type = query.get('type');
  if (type !== null && name === null) throw invalidInput('The input is not valid: you specified a type without a name');
  if (type !== null && !isRecordType(type)) throw invalidInput(`Invalid type: ${type}`);
  const records = [...zone.records.values()].sort(compareRecords);
  const from = name === null ? 0 : records.findIndex((r) => compareRecords(r, { name: normalizeDnsName(name), type: type ?? '' }) >= 0);
  const start = from < 0 ? records.length : from;
  const page = records.slice(start, start + limit);
  const next = records[start + limit];
  return {
    ResourceRecordSets: new XmlList('ResourceRecordSet', page.map(recordXml)),
    IsTruncated: next !== undefined,
    NextRecordName: next?.name,
    NextRecordType: next?.type,
    MaxItems: limit,
  };
};

function changeInfo(change: { id: string; status: string; submittedAt: Date; comment: string | undefined }): XmlObject {
  return {
    Id: `/change/${change.id}`,
    Status: change.status,
    SubmittedAt: change.submittedAt.toISOString(),
    Comment: change.comment,
  };
}

const getChange: Route53Handler = ({ cloud, id }) => {
  const change = cloud.state.changes.get(id);
  if (!change) throw new AwsError('NoSuchChange', `A change with the specified change ID does not exist.`, 404);
  return { ChangeInfo: changeInfo(change) };
};

function isRecordType(type: string): type is RecordType {
  return (RECORD_TYPES as readonly string[]).includes(type);
}

// ---------------------------------------------------------------------------------------------------------
// ChangeResourceRecordSets

type ChangeAction = 'CREATE' | 'DELETE' | 'UPSERT';

interface ParsedChange {
  action: ChangeAction;
  record: RecordSet;
}

const xmlParser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  isArray: (tagName) => tagName === 'Change' || tagName === 'ResourceRecord',
});

function member(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown, key: string): string | undefined {
  const found = member(value, key);
  return typeof found === 'string' ? found : undefined;
}

const UNSUPPORTED_MEMBERS = ['AliasTarget', 'SetIdentifier', 'Weight', 'Region', 'GeoLocation', 'Failover', 'MultiValueAnswer', 'HealthCheckId', 'TrafficPolicyInstanceId', 'CidrRoutingConfig', 'GeoProximityLocation'];

function parseChangeBatch(body: string): { comment: string | undefined; changes: ParsedChange[] } {
  if (XMLValidator.validate(body) !== true) throw invalidInput('Invalid XML ; the request body is not well-formed XML');
  const doc: unknown = xmlParser.parse(body);
  const batch = member(member(doc, 'ChangeResourceRecordSetsRequest'), 'ChangeBatch');
  const list = member(member(batch, 'Changes'), 'Change');
  if (!Array.isArray(list) || list.length === 0) {
    throw invalidInput("1 validation error detected: Value null at 'changeBatch.changes' failed to satisfy constraint: Member must not be null");
  }
  const changes = list.map((change: unknown): ParsedChange => {
    const action = text(change, 'Action');
    if (action !== 'CREATE' && action !== 'DELETE' && action !== 'UPSERT') {
      throw invalidInput(`Invalid XML ; cvc-enumeration-valid: Value '${action ?? ''}' is not facet-valid with respect to enumeration '[CREATE, DELETE, UPSERT]'.`);
    }
    const set = member(change, 'ResourceRecordSet');
    const rawName = text(set, 'Name');
    const type = text(set, 'Type');
    if (rawName === undefined || rawName === '' || type === undefined) throw invalidInput('Invalid request: ResourceRecordSet needs a Name and a Type');
    if (!isRecordType(type)) throw invalidInput(`Invalid XML ; cvc-enumeration-valid: Value '${type}' is not facet-valid with respect to the record types kumo-mock-cloud emulates '[${RECORD_TYPES.join(', ')}]'.`);
    const name = normalizeDnsName(rawName);
    const unsupported = UNSUPPORTED_MEMBERS.find((key) => member(set, key) !== undefined);
    if (unsupported !== undefined) throw invalidInput(`kumo-mock-cloud does not emulate ${unsupported} in resource record sets`);
    const ttlText = text(set, 'TTL');
    const values = member(member(set, 'ResourceRecords'), 'ResourceRecord');
    if (ttlText === undefined || !Array.isArray(values) || values.length === 0) {
      throw invalidInput(
        `Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=${action}, Name=${name}, Type=${type}, SetIdentifier=null]`,
      );
    }
    if (!/^\d+$/.test(ttlText) || Number(ttlText) > 2147483647) throw invalidInput(`Invalid XML ; cvc-datatype-valid: '${ttlText}' is not a valid value for 'TTL'.`);
    return {
      action,
      record: { name, type, ttl: Number(ttlText), values: values.map((value: unknown) => text(value, 'Value') ?? '') },
    };
  });
  return { comment: text(batch, 'Comment'), changes };
}

/** The changes of a ChangeResourceRecordSets body, for the request log (the raw body when unreadable). */
export function summarizeChangeBatch(body: string): unknown {
  try {
    const { comment, changes } = parseChangeBatch(body);
    return { comment, changes: changes.map(({ action, record }) => ({ action, ...record })) };
  } catch {
    return body;
  }
}

function describeSet(record: { name: string; type: string }): string {
  return `resource record set [name='${record.name}', type='${record.type}']`;
}

function sameValues(a: RecordSet, b: RecordSet): boolean {
  const x = [...a.values].sort();
  const y = [...b.values].sort();
  return a.ttl === b.ttl && x.length === y.length && x.every((value, i) => value === y[i]);
}

/** Route 53's per-change checks against the records as they stand after the earlier changes of the batch. */
function changeProblems(zone: HostedZoneModel, records: Map<string, RecordSet>, change: ParsedChange): string[] {
  const { action, record } = change;
  const key = recordKey(record.name, record.type);
  const existing = records.get(key);
  if (!isInZone(record.name, zone.name)) return [`RRSet with DNS name ${record.name} is not permitted in zone ${zone.name}`];
  if (action === 'DELETE') {
    if (!existing) return [`Tried to delete ${describeSet(record)} but it was not found`];
    if (!sameValues(existing, record)) return [`Tried to delete ${describeSet(record)} but the values provided do not match the current values`];
    if (record.name === zone.name && record.type === 'SOA') return ['A HostedZone must contain exactly one SOA record.'];
    if (record.name === zone.name && record.type === 'NS') return ['A HostedZone must contain at least one NS record for the zone itself.'];
    return [];
  }
  if (action === 'CREATE' && existing) return [`Tried to create ${describeSet(record)} but it already exists`];
  const problems: string[] = [];
  for (const value of record.values) {
    const problem = recordValueProblem(record.type, value);
    if (problem !== undefined) problems.push(`Invalid Resource Record: 'FATAL problem: ${VALUE_PROBLEMS[record.type] ?? `${record.type}RRDATAIllegalValue (${problem})`} encountered with '${value}''`);
  }
  if ((record.type === 'CNAME' || record.type === 'SOA') && record.values.length > 1) {
    problems.push(`RRSet of type ${record.type} with DNS name ${record.name} has more than one resource record`);
  }
  if (record.type === 'CNAME' && record.name === zone.name) {
    problems.push(`RRSet of type CNAME with DNS name ${record.name} is not permitted at apex in zone ${zone.name}`);
  }
  for (const other of records.values()) {
    if (other.name !== record.name || other.type === record.type) continue;
    if (record.type === 'CNAME' || other.type === 'CNAME') {
      problems.push(
        `RRSet of type ${record.type} with DNS name ${record.name} is not permitted because a conflicting RRSet of type ${other.type} with the same DNS name already exists in zone ${zone.name}`,
      );
    }
  }
  return problems;
}

/** Route 53's wording for the commonest bad values. */
const VALUE_PROBLEMS: Partial<Record<RecordType, string>> = {
  A: 'ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address)',
  AAAA: 'AAAARRDATAIllegalIPv6Address (Value is not a valid IPv6 address)',
  TXT: 'InvalidCharacterString (Value should be enclosed in quotation marks)',
};

function changeId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  return `C${[...randomBytes(20)].map((byte) => alphabet[byte % alphabet.length]).join('')}`;
}

const changeResourceRecordSets: Route53Handler = ({ cloud, id, body }) => {
  const zone = requireZone(cloud, id);
  const { comment, changes } = parseChangeBatch(body);
  const working = cloneRecords(zone.records);
  const problems: string[] = [];
  const ops: RecordOp[] = [];
  for (const change of changes) {
    const found = changeProblems(zone, working, change);
    problems.push(...found);
    if (found.length > 0) continue;
    const op: RecordOp =
      change.action === 'DELETE' ? { op: 'delete', name: change.record.name, type: change.record.type } : { op: 'set', record: change.record };
    ops.push(op);
    if (op.op === 'delete') working.delete(recordKey(op.name, op.type));
    else working.set(recordKey(op.record.name, op.record.type), op.record);
  }
  if (problems.length > 0) throw new AwsError('InvalidChangeBatch', `[${problems.join(', ')}]`);
  zone.records = working;
  const change = { id: changeId(), zoneId: zone.id, status: 'PENDING' as const, submittedAt: new Date(), comment, ops };
  cloud.submitChange(change);
  return { ChangeInfo: changeInfo(change) };
};

export const ROUTE53_OPERATIONS: ReadonlyMap<string, Route53Handler> = new Map(
  Object.entries({
    ListHostedZones: listHostedZones,
    ListHostedZonesByName: listHostedZonesByName,
    GetHostedZone: getHostedZone,
    ListResourceRecordSets: listResourceRecordSets,
    ChangeResourceRecordSets: changeResourceRecordSets,
    GetChange: getChange,
  }),
);
