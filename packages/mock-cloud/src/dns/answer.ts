/**
 * The authoritative answer to one DNS query from the served view of the hosted zones (what is INSYNC).
 * Pure: packet in, packet out. Behaviour follows an authoritative server such as Route 53's:
 * AA set; CNAME answered for any type at its name and followed inside the zones; NXDOMAIN with the SOA
 * in the authority section for a name that does not exist; NODATA (NOERROR, no answers, SOA) for a name
 * that exists (or has names below it) without the asked type; wildcards (`*.zone.`) for names that do not
 * exist; REFUSED for names outside every zone; FORMERR/NOTIMP for what is not a plain query.
 * Delegations (NS below the apex) are answered as ordinary records, not referrals.
 */
import dnsPacket from 'dns-packet';
import type { Answer, Packet, Question } from 'dns-packet';
import type { RecordSet } from '../state.js';
import { parseTxtValue } from '../topology.js';

export interface ServedZone {
  name: string;
  served: Map<string, RecordSet>;
}

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

function normalize(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

function withoutDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function toAnswer(owner: string, record: RecordSet, value: string): Answer | undefined {
  const base = { name: owner, ttl: record.ttl, class: 'IN' as const };
  const fields = value.trim().split(/\s+/);
  const num = (i: number) => Number(fields[i] ?? 0);
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return { ...base, type: record.type, data: value };
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { ...base, type: record.type, data: withoutDot(value) };
    case 'TXT': {
      const strings = parseTxtValue(value);
      return strings && { ...base, type: 'TXT', data: strings };
    }
    case 'MX':
      return { ...base, type: 'MX', data: { preference: num(0), exchange: withoutDot(fields[1] ?? '') } };
    case 'SRV':
      return { ...base, type: 'SRV', data: { priority: num(0), weight: num(1), port: num(2), target: withoutDot(fields[3] ?? '') } };
    case 'SOA':
      return {
        ...base,
        type: 'SOA',
        data: {
          mname: withoutDot(fields[0] ?? ''),
          rname: withoutDot(fields[1] ?? ''),
          serial: num(2),
          refresh: num(3),
          retry: num(4),
          expire: num(5),
          minimum: num(6),
        },
      };
    default: {
      const unreachable: never = record.type;
      return unreachable;
    }
  }
}

function answersOf(owner: string, record: RecordSet): Answer[] {
  return record.values.map((value) => toAnswer(owner, record, value)).filter((answer) => answer !== undefined);
}

function recordsAt(zone: ServedZone, name: string): RecordSet[] {
  return [...zone.served.values()].filter((record) => record.name === name);
}

function nameExists(zone: ServedZone, name: string): boolean {
  for (const record of zone.served.values()) if (record.name === name || record.name.endsWith(`.${name}`)) return true;
  return false;
}

function findZone(zones: Iterable<ServedZone>, name: string): ServedZone | undefined {
  let best: ServedZone | undefined;
  for (const zone of zones) {
    if ((name === zone.name || name.endsWith(`.${zone.name}`)) && (!best || zone.name.length > best.name.length)) best = zone;
  }
  return best;
}

/** The records that answer `name`: its own, or those of the wildcard below its closest existing ancestor. */
function recordsFor(zone: ServedZone, name: string): { exists: boolean; records: RecordSet[] } {
  if (nameExists(zone, name)) return { exists: true, records: recordsAt(zone, name) };
  let encloser = name;
  while (encloser !== zone.name && !nameExists(zone, encloser)) encloser = encloser.slice(encloser.indexOf('.') + 1);
  const wildcard = recordsAt(zone, `*.${encloser}`);
  return { exists: wildcard.length > 0, records: wildcard };
}

function soaAuthority(zone: ServedZone): Answer[] {
  const soa = zone.served.get(`${zone.name}|SOA`);
  if (!soa) return [];
  const answer = toAnswer(zone.name, soa, soa.values[0] ?? '');
  if (answer?.type !== 'SOA') return [];
  // RFC 2308: a negative answer is cached for min(SOA TTL, SOA MINIMUM).
  return [{ ...answer, ttl: Math.min(soa.ttl, answer.data.minimum ?? soa.ttl) }];
}

export interface QueryHeader {
  id: number;
  flags: number;
  questions: Question[];
  ednsPayload: number | undefined;
}

export function response(query: QueryHeader, rcode: number, sections: Pick<Packet, 'answers' | 'authorities'> = {}): Packet {
  const recursionDesired = query.flags & dnsPacket.RECURSION_DESIRED;
  return {
    id: query.id,
    type: 'response',
    flags: dnsPacket.AUTHORITATIVE_ANSWER | recursionDesired | rcode,
    questions: query.questions,
    answers: sections.answers ?? [],
    authorities: sections.authorities ?? [],
    additionals:
      query.ednsPayload === undefined
        ? []
        : [{ type: 'OPT', name: '.', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }],
  };
}

export function answerQuery(zones: Iterable<ServedZone>, query: QueryHeader): Packet {
  const opcode = (query.flags >> 11) & 0xf;
  if (opcode !== 0) return response(query, RCODE.NOTIMP);
  const question = query.questions[0];
  if (query.questions.length !== 1 || !question) return response(query, RCODE.FORMERR);
  if (question.class !== undefined && question.class !== 'IN' && question.class !== 'ANY') return response(query, RCODE.REFUSED);
  // dns-packet decodes type 255 as 'ANY', which its typings omit.
  const qtype: string = question.type;
  if (qtype === 'AXFR' || qtype === 'IXFR') return response(query, RCODE.REFUSED);

  const zoneList = [...zones];
  let name = normalize(question.name);
  let zone = findZone(zoneList, name);
  if (!zone) return response(query, RCODE.REFUSED);

  const answers: Answer[] = [];
  let owner = question.name;
  for (let hops = 0; hops < 8; hops++) {
    const found = recordsFor(zone, name);
    if (!found.exists) {
      return answers.length > 0 ? response(query, RCODE.NOERROR, { answers }) : response(query, RCODE.NXDOMAIN, { authorities: soaAuthority(zone) });
    }
    const matching = found.records.filter((record) => qtype === 'ANY' || record.type === qtype);
    if (matching.length > 0) {
      answers.push(...matching.flatMap((record) => answersOf(owner, record)));
      return response(query, RCODE.NOERROR, { answers });
    }
    const cname = found.records.find((record) => record.type === 'CNAME');
    if (!cname) return response(query, RCODE.NOERROR, { answers, authorities: answers.length > 0 ? [] : soaAuthority(zone) });
    answers.push(...answersOf(owner, cname));
    // Follow the alias while it stays inside the zones this server is authoritative for.
    const target = normalize(cname.values[0] ?? '');
    const targetZone = findZone(zoneList, target);
    if (!targetZone) return response(query, RCODE.NOERROR, { answers });
    zone = targetZone;
    name = target;
    owner = withoutDot(target);
  }
  return response(query, RCODE.SERVFAIL);
}
