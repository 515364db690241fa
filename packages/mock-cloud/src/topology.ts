/**
 * The topology file: the AWS world the emulator starts from (and returns to on reset). It is plain JSON
 * written by people, so the types below are the documentation and `parseTopology` is the gate: it checks
 * shapes, ID formats, addresses, and that every reference points at something declared, and reports every
 * problem at once with its path (`guide.json: subnets[2].cidr: 10.0.3.0/24 is not inside vpc-… 10.0.0.0/16`).
 *
 * Conventions: IDs are AWS-shaped (`vpc-…`, `subnet-…`, `rtb-…`, `igw-…`, `nat-…`, `i-…`, `eni-…`,
 * `eipalloc-…`, hosted zones `Z…`); references are by ID; `name` is shorthand for the `Name` tag; any key
 * starting with `$` (e.g. `"$comment"`) is ignored, so files can carry notes.
 */
import { readFileSync } from 'node:fs';
import { cidrContainsIp, cidrInside, isIpv4, isIpv6, parseCidr, parseIpv4 } from './ip.js';

export const AZ_STATES = ['available', 'information', 'impaired', 'unavailable'] as const;
export type AzStateName = (typeof AZ_STATES)[number];

/** Record types the emulated Route 53 accepts and the DNS server answers. */
export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'TXT', 'MX', 'SRV', 'PTR', 'NS', 'SOA'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

export type Tags = Record<string, string>;

export interface Topology {
  /** Free text for humans. */
  description?: string;
  /** The one region the emulator serves, e.g. `ap-northeast-1`. Requests signed for another region see an empty region. */
  region: string;
  /** 12 digits; default `123456789012`. Shows up as `ownerId` and in ARNs. */
  accountId?: string;
  availabilityZones: TopologyAvailabilityZone[];
  vpcs: TopologyVpc[];
  subnets: TopologySubnet[];
  internetGateways?: TopologyInternetGateway[];
  natGateways?: TopologyNatGateway[];
  routeTables?: TopologyRouteTable[];
  instances?: TopologyInstance[];
  elasticIps?: TopologyElasticIp[];
  hostedZones?: TopologyHostedZone[];
}

export interface TopologyAvailabilityZone {
  /** e.g. `ap-northeast-1a`; must start with the region name. */
  name: string;
  /** e.g. `apne1-az4`. */
  zoneId: string;
  /** Default `available`. */
  state?: AzStateName;
  /** Messages DescribeAvailabilityZones shows in `Messages`. */
  messages?: string[];
}

export interface TopologyVpc {
  id: string;
  /** IPv4 block with zero host bits, /16 to /28. */
  cidr: string;
  name?: string;
  tags?: Tags;
}

export interface TopologySubnet {
  id: string;
  vpc: string;
  /** Inside the VPC's block, not overlapping another subnet. */
  cidr: string;
  /** Availability Zone name. */
  az: string;
  name?: string;
  tags?: Tags;
  /** MapPublicIpOnLaunch; default false. */
  public?: boolean;
}

export interface TopologyInternetGateway {
  id: string;
  /** The VPC it is attached to. */
  vpc: string;
  name?: string;
  tags?: Tags;
}

export interface TopologyNatGateway {
  id: string;
  subnet: string;
  name?: string;
  tags?: Tags;
}

export interface TopologyRouteTable {
  id: string;
  vpc: string;
  name?: string;
  tags?: Tags;
  /** The VPC's main route table (implicitly associated with subnets that have no explicit association). */
  main?: boolean;
  /** Subnets explicitly associated with this table. */
  subnets?: string[];
  /**
   * Routes. The local route (VPC CIDR → `local`) is added when it is not listed. `target` is `local` or the
   * ID of an internet gateway, NAT gateway, network interface or instance (an instance means its primary ENI).
   */
  routes?: TopologyRoute[];
}

export interface TopologyRoute {
  destination: string;
  target: string;
}

export interface TopologyInstance {
  id: string;
  /** Shorthand for the `Name` tag. */
  name?: string;
  tags?: Tags;
  /** Checked against the primary interface's subnet; taken from it when left out. */
  az?: string;
  /** Default `running`. */
  state?: 'running' | 'stopped';
  /** Default `t3.small`. */
  instanceType?: string;
  /** Default `ami-0abcdef1234567890`. */
  imageId?: string;
  /** IAM role of the instance profile; IMDS serves credentials for it. Without it, no credentials. */
  iamRole?: string;
  /** Allow IMDSv1 (no token); default false: IMDSv2 required, as on current AMIs. */
  imdsV1?: boolean;
  /** At least one; the first is the primary (device index 0). */
  networkInterfaces: TopologyNetworkInterface[];
}

export interface TopologyNetworkInterface {
  id: string;
  subnet: string;
  /** Primary private IPv4 address, inside the subnet. */
  privateIp: string;
  secondaryPrivateIps?: string[];
  /** `0a:1b:2c:3d:4e:01` form, lower case. */
  mac: string;
  /** Default true (AWS's default); an HA virtual IP by route table needs false. */
  sourceDestCheck?: boolean;
  description?: string;
}

export interface TopologyElasticIp {
  allocationId: string;
  publicIp: string;
  name?: string;
  tags?: Tags;
  /** Associated with this ENI at start; default unassociated. */
  networkInterface?: string;
  /** With `networkInterface`: which of its private IPs; default the primary. */
  privateIp?: string;
}

export interface TopologyHostedZone {
  /** e.g. `Z0KUMOHZ1LOCAL00001A` (without `/hostedzone/`). */
  id: string;
  /** Domain name; the trailing dot is optional. */
  name: string;
  /** Default false. A private zone needs at least one VPC. */
  private?: boolean;
  vpcs?: string[];
  comment?: string;
  /** Records; SOA and NS at the apex are generated like Route 53's when not given. */
  records?: TopologyRecord[];
}

export interface TopologyRecord {
  /** Fully qualified (the trailing dot is optional), inside the zone. */
  name: string;
  type: RecordType;
  ttl: number;
  /** Route 53 value syntax: TXT values in double quotes, MX `10 mail.example.`, SRV `1 10 5060 sip.example.`. */
  values: string[];
}

export class TopologyError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`${source}: invalid topology:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'TopologyError';
  }
}

/** Reads and validates a topology file. Errors name the file. */
export function loadTopology(path: string): Topology {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TopologyError(path, [`cannot read the file (${error instanceof Error ? error.message : String(error)})`]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TopologyError(path, [`not valid JSON (${error instanceof Error ? error.message : String(error)})`]);
  }
  return parseTopology(json, path);
}

/** Validates an already parsed value. `source` names it in errors (a file path, or `topology`). */
export function parseTopology(value: unknown, source = 'topology'): Topology {
  const c = new Checker();
  const topology = readTopology(c, value);
  if (topology !== undefined && c.issues.length === 0) crossCheck(c, topology);
  if (topology === undefined || c.issues.length > 0) throw new TopologyError(source, c.issues);
  return topology;
}

/** Lower case with one trailing dot: how Route 53 stores and returns names. */
export function normalizeDnsName(name: string): string {
  const lower = name.trim().toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

export function isInZone(name: string, zoneName: string): boolean {
  return name === zoneName || name.endsWith(`.${zoneName}`);
}

// ---------------------------------------------------------------------------------------------------------
// Shape reading

type Json = Record<string, unknown>;

const idPattern = (prefix: string): RegExp => new RegExp(`^${prefix}-[0-9a-zA-Z]+$`);
const PATTERNS = {
  vpc: idPattern('vpc'),
  subnet: idPattern('subnet'),
  igw: idPattern('igw'),
  nat: idPattern('nat'),
  rtb: idPattern('rtb'),
  instance: idPattern('i'),
  eni: idPattern('eni'),
  eipalloc: idPattern('eipalloc'),
  zone: /^Z[0-9A-Z]+$/,
  mac: /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/,
  region: /^[a-z]{2}(-[a-z]+)+-[0-9]+$/,
  account: /^[0-9]{12}$/,
} as const;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${value}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** Collects issues while reading; each reader returns undefined for a value it could not accept. */
class Checker {
  readonly issues: string[] = [];

  fail(path: string, message: string): undefined {
    this.issues.push(`${path}: ${message}`);
    return undefined;
  }

  record(value: unknown, path: string, fields: readonly string[]): Json | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.fail(path, `must be an object, found ${describe(value)}`);
    }
    const object = value as Json;
    for (const key of Object.keys(object)) {
      if (!key.startsWith('$') && !fields.includes(key)) {
        this.fail(`${path}.${key}`, `unknown field (expected one of: ${fields.join(', ')})`);
      }
    }
    return object;
  }

  list<T>(object: Json, key: string, path: string, required: boolean, read: (v: unknown, p: string) => T | undefined) {
    const value = object[key];
    if (value === undefined) return required ? this.fail(`${path}.${key}`, 'is required (a list)') : undefined;
    if (!Array.isArray(value)) return this.fail(`${path}.${key}`, `must be a list, found ${describe(value)}`);
    const out: T[] = [];
    value.forEach((item: unknown, index) => {
      const read1 = read(item, `${path}.${key}[${index}]`);
      if (read1 !== undefined) out.push(read1);
    });
    return out;
  }

  /** A list of objects with the given fields, each read by `read`. */
  items<T>(object: Json, key: string, path: string, required: boolean, fields: readonly string[], read: (x: Json, p: string) => T) {
    return this.list(object, key, path, required, (value, where) => {
      const record = this.record(value, where, fields);
      return record && read(record, where);
    });
  }

  string(object: Json, key: string, path: string, required: boolean, check?: (s: string) => string | undefined) {
    const value = object[key];
    const where = `${path}.${key}`;
    if (value === undefined) return required ? this.fail(where, 'is required') : undefined;
    if (typeof value !== 'string') return this.fail(where, `must be a string, found ${describe(value)}`);
    const problem = check?.(value);
    return problem === undefined ? value : this.fail(where, problem);
  }

  boolean(object: Json, key: string, path: string): boolean | undefined {
    const value = object[key];
    if (value === undefined || typeof value === 'boolean') return value;
    return this.fail(`${path}.${key}`, `must be true or false, found ${describe(value)}`);
  }

  integer(object: Json, key: string, path: string, min: number, max: number): number | undefined {
    const value = object[key];
    if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
    return this.fail(`${path}.${key}`, `must be a whole number from ${min} to ${max}, found ${describe(value)}`);
  }

  choice<T extends string>(object: Json, key: string, path: string, values: readonly T[], required = false): T | undefined {
    const value = this.string(object, key, path, required);
    if (value === undefined) return undefined;
    const found = values.find((v) => v === value);
    return found ?? this.fail(`${path}.${key}`, `${JSON.stringify(value)} is not one of ${values.join(', ')}`);
  }

  tags(object: Json, path: string): Tags | undefined {
    const value = object['tags'];
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return this.fail(`${path}.tags`, `must be an object of strings, found ${describe(value)}`);
    }
    const tags: Tags = {};
    for (const [key, tag] of Object.entries(value)) {
      if (typeof tag === 'string') tags[key] = tag;
      else this.fail(`${path}.tags.${key}`, `must be a string, found ${describe(tag)}`);
    }
    return tags;
  }

  stringList(object: Json, key: string, path: string, check?: (s: string) => string | undefined) {
    return this.list(object, key, path, false, (item, where) => {
      if (typeof item !== 'string') return this.fail(where, `must be a string, found ${describe(item)}`);
      const problem = check?.(item);
      return problem === undefined ? item : this.fail(where, problem);
    });
  }
}

const matches = (pattern: RegExp, what: string) => (s: string) =>
  pattern.test(s) ? undefined : `${JSON.stringify(s)} is not ${what}`;
const ipv4 = (s: string) => (isIpv4(s) ? undefined : `${JSON.stringify(s)} is not an IPv4 address`);
const strictCidr = (s: string) =>
  parseCidr(s, true) ? undefined : `${JSON.stringify(s)} is not a CIDR block with zero host bits (e.g. 10.0.0.0/16)`;
const anyCidr = (s: string) => (parseCidr(s) ? undefined : `${JSON.stringify(s)} is not a CIDR block`);
/** `{ key: value }` when the value is present, `{}` otherwise (exactOptionalPropertyTypes). */
function opt<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}

const INSTANCE_FIELDS = ['id', 'name', 'tags', 'az', 'state', 'instanceType', 'imageId', 'iamRole', 'imdsV1', 'networkInterfaces'];

function readTopology(c: Checker, value: unknown): Topology | undefined {
  const fields = [
    'description',
    'region',
    'accountId',
    'availabilityZones',
    'vpcs',
    'subnets',
    'internetGateways',
    'natGateways',
    'routeTables',
    'instances',
    'elasticIps',
    'hostedZones',
  ];
  const o = c.record(value, '(root)', fields);
  if (o === undefined) return undefined;
  const p = '(root)';
  const region = c.string(o, 'region', p, true, matches(PATTERNS.region, 'a region name like ap-northeast-1')) ?? '';
  const named = (x: Json, path: string) => ({
    ...opt('name', c.string(x, 'name', path, false)),
    ...opt('tags', c.tags(x, path)),
  });
  const id = (x: Json, path: string, pattern: RegExp, what: string) =>
    c.string(x, 'id', path, true, matches(pattern, what)) ?? '';

  return {
    ...opt('description', c.string(o, 'description', p, false)),
    region,
    ...opt('accountId', c.string(o, 'accountId', p, false, matches(PATTERNS.account, 'a 12-digit account ID'))),
    availabilityZones:
      c.items(o, 'availabilityZones', p, true, ['name', 'zoneId', 'state', 'messages'], (x, path) => ({
        name: c.string(x, 'name', path, true) ?? '',
        zoneId: c.string(x, 'zoneId', path, true) ?? '',
        ...opt('state', c.choice(x, 'state', path, AZ_STATES)),
        ...opt('messages', c.stringList(x, 'messages', path)),
      })) ?? [],
    vpcs:
      c.items(o, 'vpcs', p, true, ['id', 'cidr', 'name', 'tags'], (x, path) => ({
        id: id(x, path, PATTERNS.vpc, 'a VPC ID (vpc-…)'),
        cidr: c.string(x, 'cidr', path, true, strictCidr) ?? '',
        ...named(x, path),
      })) ?? [],
    subnets:
      c.items(o, 'subnets', p, true, ['id', 'vpc', 'cidr', 'az', 'name', 'tags', 'public'], (x, path) => ({
        id: id(x, path, PATTERNS.subnet, 'a subnet ID (subnet-…)'),
        vpc: c.string(x, 'vpc', path, true) ?? '',
        cidr: c.string(x, 'cidr', path, true, strictCidr) ?? '',
        az: c.string(x, 'az', path, true) ?? '',
        ...named(x, path),
        ...opt('public', c.boolean(x, 'public', path)),
      })) ?? [],
    ...opt(
      'internetGateways',
      c.items(o, 'internetGateways', p, false, ['id', 'vpc', 'name', 'tags'], (x, path) => ({
        id: id(x, path, PATTERNS.igw, 'an internet gateway ID (igw-…)'),
        vpc: c.string(x, 'vpc', path, true) ?? '',
        ...named(x, path),
      })),
    ),
    ...opt(
      'natGateways',
      c.items(o, 'natGateways', p, false, ['id', 'subnet', 'name', 'tags'], (x, path) => ({
        id: id(x, path, PATTERNS.nat, 'a NAT gateway ID (nat-…)'),
        subnet: c.string(x, 'subnet', path, true) ?? '',
        ...named(x, path),
      })),
    ),
    ...opt(
      'routeTables',
      c.items(o, 'routeTables', p, false, ['id', 'vpc', 'name', 'tags', 'main', 'subnets', 'routes'], (x, path) => ({
        id: id(x, path, PATTERNS.rtb, 'a route table ID (rtb-…)'),
        vpc: c.string(x, 'vpc', path, true) ?? '',
        ...named(x, path),
        ...opt('main', c.boolean(x, 'main', path)),
        ...opt('subnets', c.stringList(x, 'subnets', path)),
        ...opt(
          'routes',
          c.items(x, 'routes', path, false, ['destination', 'target'], (r, rpath) => ({
            destination: c.string(r, 'destination', rpath, true, anyCidr) ?? '',
            target: c.string(r, 'target', rpath, true) ?? '',
          })),
        ),
      })),
    ),
    ...opt(
      'instances',
      c.items(o, 'instances', p, false, INSTANCE_FIELDS, (x, path) => ({
        id: id(x, path, PATTERNS.instance, 'an instance ID (i-…)'),
        ...named(x, path),
        ...opt('az', c.string(x, 'az', path, false)),
        ...opt('state', c.choice(x, 'state', path, ['running', 'stopped'] as const)),
        ...opt('instanceType', c.string(x, 'instanceType', path, false)),
        ...opt('imageId', c.string(x, 'imageId', path, false, matches(/^ami-[0-9a-zA-Z]+$/, 'an AMI ID (ami-…)'))),
        ...opt('iamRole', c.string(x, 'iamRole', path, false, matches(/^[\w+=,.@-]{1,64}$/, 'an IAM role name'))),
        ...opt('imdsV1', c.boolean(x, 'imdsV1', path)),
        networkInterfaces:
          c.items(x, 'networkInterfaces', path, true, ['id', 'subnet', 'privateIp', 'secondaryPrivateIps', 'mac', 'sourceDestCheck', 'description'], (n, npath) => ({
            id: id(n, npath, PATTERNS.eni, 'a network interface ID (eni-…)'),
            subnet: c.string(n, 'subnet', npath, true) ?? '',
            privateIp: c.string(n, 'privateIp', npath, true, ipv4) ?? '',
            ...opt('secondaryPrivateIps', c.stringList(n, 'secondaryPrivateIps', npath, ipv4)),
            mac: c.string(n, 'mac', npath, true, matches(PATTERNS.mac, 'a lower-case MAC address (0a:1b:2c:3d:4e:5f)')) ?? '',
            ...opt('sourceDestCheck', c.boolean(n, 'sourceDestCheck', npath)),
            ...opt('description', c.string(n, 'description', npath, false)),
          })) ?? [],
      })),
    ),
    ...opt(
      'elasticIps',
      c.items(o, 'elasticIps', p, false, ['allocationId', 'publicIp', 'name', 'tags', 'networkInterface', 'privateIp'], (x, path) => ({
        allocationId: c.string(x, 'allocationId', path, true, matches(PATTERNS.eipalloc, 'an allocation ID (eipalloc-…)')) ?? '',
        publicIp: c.string(x, 'publicIp', path, true, ipv4) ?? '',
        ...named(x, path),
        ...opt('networkInterface', c.string(x, 'networkInterface', path, false)),
        ...opt('privateIp', c.string(x, 'privateIp', path, false, ipv4)),
      })),
    ),
    ...opt(
      'hostedZones',
      c.items(o, 'hostedZones', p, false, ['id', 'name', 'private', 'vpcs', 'comment', 'records'], (x, path) => ({
        id: id(x, path, PATTERNS.zone, 'a hosted zone ID (Z followed by upper-case letters and digits)'),
        name: c.string(x, 'name', path, true, dnsNameProblem) ?? '',
        ...opt('private', c.boolean(x, 'private', path)),
        ...opt('vpcs', c.stringList(x, 'vpcs', path)),
        ...opt('comment', c.string(x, 'comment', path, false)),
        ...opt(
          'records',
          c.items(x, 'records', path, false, ['name', 'type', 'ttl', 'values'], (r, rpath) => ({
            name: c.string(r, 'name', rpath, true, dnsNameProblem) ?? '',
            type: c.choice(r, 'type', rpath, RECORD_TYPES, true) ?? 'A',
            ttl: c.integer(r, 'ttl', rpath, 0, 2147483647) ?? 0,
            values: c.stringList(r, 'values', rpath) ?? c.fail(`${rpath}.values`, 'is required (a list)') ?? [],
          })),
        ),
      })),
    ),
  };
}

function dnsNameProblem(name: string): string | undefined {
  const labels = normalizeDnsName(name).slice(0, -1).split('.');
  const ok = labels.every((label) => /^(\*|[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)$/.test(label));
  return ok && name.length <= 254 ? undefined : `${JSON.stringify(name)} is not a DNS name`;
}

// ---------------------------------------------------------------------------------------------------------
// References and addresses

function crossCheck(c: Checker, t: Topology): void {
  const seen = new Map<string, string>();
  const unique = (id: string, path: string) => {
    const first = seen.get(id);
    if (first !== undefined) c.fail(path, `ID ${id} is already used at ${first}`);
    else seen.set(id, path);
  };

  const azs = new Set<string>();
  t.availabilityZones.forEach((az, i) => {
    const path = `availabilityZones[${i}]`;
    if (!az.name.startsWith(t.region)) c.fail(`${path}.name`, `${az.name} is not a zone of region ${t.region}`);
    if (azs.has(az.name)) c.fail(`${path}.name`, `${az.name} is listed twice`);
    azs.add(az.name);
  });

  const vpcs = new Map(t.vpcs.map((vpc) => [vpc.id, vpc]));
  t.vpcs.forEach((vpc, i) => unique(vpc.id, `vpcs[${i}]`));
  const vpcRef = (id: string, path: string) => {
    const vpc = vpcs.get(id);
    if (!vpc) c.fail(path, `no VPC ${id} is declared in vpcs`);
    return vpc;
  };

  const subnets = new Map(t.subnets.map((subnet) => [subnet.id, subnet]));
  t.subnets.forEach((subnet, i) => {
    const path = `subnets[${i}]`;
    unique(subnet.id, path);
    if (!azs.has(subnet.az)) c.fail(`${path}.az`, `no availability zone ${subnet.az} is declared`);
    const vpc = vpcRef(subnet.vpc, `${path}.vpc`);
    const cidr = parseCidr(subnet.cidr);
    const vpcCidr = vpc && parseCidr(vpc.cidr);
    if (cidr && vpcCidr && !cidrInside(cidr, vpcCidr)) {
      c.fail(`${path}.cidr`, `${subnet.cidr} is not inside ${subnet.vpc} ${vpc.cidr}`);
    }
    t.subnets.slice(0, i).forEach((other, j) => {
      const otherCidr = parseCidr(other.cidr);
      if (cidr && otherCidr && other.vpc === subnet.vpc && (cidrInside(cidr, otherCidr) || cidrInside(otherCidr, cidr))) {
        c.fail(`${path}.cidr`, `${subnet.cidr} overlaps subnets[${j}] ${other.cidr}`);
      }
    });
  });
  const subnetRef = (id: string, path: string) => {
    const subnet = subnets.get(id);
    if (!subnet) c.fail(path, `no subnet ${id} is declared in subnets`);
    return subnet;
  };

  t.internetGateways?.forEach((igw, i) => {
    unique(igw.id, `internetGateways[${i}]`);
    vpcRef(igw.vpc, `internetGateways[${i}].vpc`);
  });
  t.natGateways?.forEach((nat, i) => {
    unique(nat.id, `natGateways[${i}]`);
    subnetRef(nat.subnet, `natGateways[${i}].subnet`);
  });

  const enis = new Map<string, { vpc: string | undefined; ips: string[] }>();
  const usedIps = new Map<string, string>();
  t.instances?.forEach((instance, i) => {
    const path = `instances[${i}]`;
    unique(instance.id, path);
    if (instance.networkInterfaces.length === 0) c.fail(`${path}.networkInterfaces`, 'needs at least one interface');
    instance.networkInterfaces.forEach((eni, k) => {
      const npath = `${path}.networkInterfaces[${k}]`;
      unique(eni.id, npath);
      unique(eni.mac, `${npath}.mac`);
      const subnet = subnetRef(eni.subnet, `${npath}.subnet`);
      if (subnet && k === 0 && instance.az !== undefined && instance.az !== subnet.az) {
        c.fail(`${path}.az`, `${instance.az} differs from the primary interface's subnet zone ${subnet.az}`);
      }
      if (subnet && k > 0 && subnet.az !== subnets.get(instance.networkInterfaces[0]?.subnet ?? '')?.az) {
        c.fail(`${npath}.subnet`, `${eni.subnet} is in another availability zone than the primary interface`);
      }
      const ips = [eni.privateIp, ...(eni.secondaryPrivateIps ?? [])];
      const subnetCidr = subnet && parseCidr(subnet.cidr);
      for (const ip of ips) {
        const value = parseIpv4(ip);
        if (subnetCidr && value !== undefined && !cidrContainsIp(subnetCidr, value)) {
          c.fail(`${npath}`, `private IP ${ip} is not inside ${eni.subnet} ${subnet.cidr}`);
        }
        const owner = usedIps.get(`${subnet?.vpc ?? ''}/${ip}`);
        if (owner) c.fail(npath, `private IP ${ip} is already used by ${owner}`);
        usedIps.set(`${subnet?.vpc ?? ''}/${ip}`, eni.id);
      }
      enis.set(eni.id, { vpc: subnet?.vpc, ips });
    });
  });

  t.routeTables?.forEach((table, i) => {
    const path = `routeTables[${i}]`;
    unique(table.id, path);
    const vpc = vpcRef(table.vpc, `${path}.vpc`);
    table.subnets?.forEach((subnetId, k) => {
      const subnet = subnetRef(subnetId, `${path}.subnets[${k}]`);
      if (subnet && subnet.vpc !== table.vpc) c.fail(`${path}.subnets[${k}]`, `${subnetId} is in another VPC`);
      t.routeTables?.slice(0, i).forEach((other, j) => {
        if (other.subnets?.includes(subnetId)) c.fail(`${path}.subnets[${k}]`, `${subnetId} is already associated with routeTables[${j}]`);
      });
    });
    const destinations = new Set<string>();
    table.routes?.forEach((route, k) => {
      const rpath = `${path}.routes[${k}]`;
      const key = parseCidr(route.destination);
      const canonical = key ? `${route.destination.split('/')[0]}/${key.prefix}` : route.destination;
      if (destinations.has(canonical)) c.fail(`${rpath}.destination`, `${route.destination} is listed twice`);
      destinations.add(canonical);
      checkRouteTarget(c, t, route, `${rpath}.target`, table.vpc, vpc?.cidr, enis);
    });
  });
  if (t.routeTables) {
    for (const vpc of t.vpcs) {
      const mains = t.routeTables.filter((table) => table.vpc === vpc.id && table.main === true);
      if (mains.length > 1) c.fail('routeTables', `${vpc.id} has more than one main route table`);
    }
  }

  t.elasticIps?.forEach((eip, i) => {
    const path = `elasticIps[${i}]`;
    unique(eip.allocationId, path);
    unique(eip.publicIp, `${path}.publicIp`);
    if (eip.privateIp !== undefined && eip.networkInterface === undefined) {
      c.fail(`${path}.privateIp`, 'needs networkInterface');
    }
    if (eip.networkInterface !== undefined) {
      const eni = enis.get(eip.networkInterface);
      if (!eni) c.fail(`${path}.networkInterface`, `no network interface ${eip.networkInterface} is declared in instances`);
      else if (eip.privateIp !== undefined && !eni.ips.includes(eip.privateIp)) {
        c.fail(`${path}.privateIp`, `${eip.privateIp} is not an address of ${eip.networkInterface}`);
      }
    }
  });

  t.hostedZones?.forEach((zone, i) => {
    const path = `hostedZones[${i}]`;
    unique(zone.id, path);
    const zoneName = normalizeDnsName(zone.name);
    zone.vpcs?.forEach((vpcId, k) => vpcRef(vpcId, `${path}.vpcs[${k}]`));
    if (zone.private === true && (zone.vpcs ?? []).length === 0) c.fail(`${path}.vpcs`, 'a private zone needs at least one VPC');
    if (zone.private !== true && zone.vpcs !== undefined) c.fail(`${path}.vpcs`, 'only a private zone is associated with VPCs');
    const keys = new Set<string>();
    zone.records?.forEach((record, k) => {
      const rpath = `${path}.records[${k}]`;
      const name = normalizeDnsName(record.name);
      if (!isInZone(name, zoneName)) c.fail(`${rpath}.name`, `${name} is not inside the zone ${zoneName}`);
      const key = `${name} ${record.type}`;
      if (keys.has(key)) c.fail(rpath, `${record.type} ${name} is listed twice; put every value in one record's values`);
      keys.add(key);
      if (record.values.length === 0) c.fail(`${rpath}.values`, 'needs at least one value');
      for (const value of record.values) {
        const problem = recordValueProblem(record.type, value);
        if (problem !== undefined) c.fail(`${rpath}.values`, problem);
      }
    });
  });
}

function checkRouteTarget(
  c: Checker,
  t: Topology,
  route: TopologyRoute,
  path: string,
  vpcId: string,
  vpcCidr: string | undefined,
  enis: Map<string, { vpc: string | undefined }>,
): void {
  const target = route.target;
  const inVpc = (found: string | undefined, what: string) => {
    if (found === undefined) c.fail(path, `no ${what} ${target} is declared`);
    else if (found !== vpcId) c.fail(path, `${what} ${target} is in another VPC`);
  };
  if (target === 'local') {
    if (vpcCidr !== undefined && route.destination !== vpcCidr) {
      c.fail(path, `the local route must have the VPC's CIDR ${vpcCidr} as its destination`);
    }
  } else if (target.startsWith('igw-')) {
    inVpc(t.internetGateways?.find((igw) => igw.id === target)?.vpc, 'internet gateway');
  } else if (target.startsWith('nat-')) {
    const nat = t.natGateways?.find((n) => n.id === target);
    inVpc(nat && t.subnets.find((s) => s.id === nat.subnet)?.vpc, 'NAT gateway');
  } else if (target.startsWith('eni-')) {
    inVpc(enis.has(target) ? (enis.get(target)?.vpc ?? '') : undefined, 'network interface');
  } else if (target.startsWith('i-')) {
    const eni = t.instances?.find((instance) => instance.id === target)?.networkInterfaces[0];
    inVpc(eni ? enis.get(eni.id)?.vpc : undefined, 'instance');
  } else {
    c.fail(path, `${JSON.stringify(target)} is not local or an igw-, nat-, eni- or i- ID`);
  }
}

/** Route 53's value syntax for each type; undefined when the value is acceptable. */
export function recordValueProblem(type: RecordType, value: string): string | undefined {
  const bad = (what: string) => `${JSON.stringify(value)} is not ${what}`;
  switch (type) {
    case 'A':
      return isIpv4(value) ? undefined : bad('an IPv4 address');
    case 'AAAA':
      return isIpv6(value) ? undefined : bad('an IPv6 address');
    case 'CNAME':
    case 'PTR':
    case 'NS':
      return dnsNameProblem(value);
    case 'TXT':
      return parseTxtValue(value) ? undefined : bad('one or more strings in double quotes');
    case 'MX':
      return /^\d{1,5} \S+$/.test(value) ? undefined : bad('"PRIORITY HOST"');
    case 'SRV':
      return /^\d{1,5} \d{1,5} \d{1,5} \S+$/.test(value) ? undefined : bad('"PRIORITY WEIGHT PORT HOST"');
    case 'SOA':
      return /^\S+ \S+ \d+ \d+ \d+ \d+ \d+$/.test(value) ? undefined : bad('"MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM"');
    default: {
      const unreachable: never = type;
      return unreachable;
    }
  }
}

/** Splits a Route 53 TXT value (`"a" "b c"`, with `\"` and `\\` escapes) into its strings. */
export function parseTxtValue(value: string): string[] | undefined {
  const strings: string[] = [];
  const pattern = /\s*"((?:[^"\\]|\\.)*)"\s*/y;
  let index = 0;
  while (index < value.length) {
    pattern.lastIndex = index;
    const match = pattern.exec(value);
    if (!match) return undefined;
    strings.push((match[1] ?? '').replace(/\\(.)/g, '$1'));
    index = pattern.lastIndex;
  }
  return strings.length > 0 ? strings : undefined;
}
