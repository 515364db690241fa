/**
 * The emulated AWS world in memory: what a topology becomes when the emulator starts or resets, and what
 * the EC2 and Route 53 operations read and change. Plain data in Maps (insertion order = topology order, so
 * Describe answers are stable); no I/O here.
 *
 * Route 53 keeps two views of every zone: `records`, what the API shows as soon as a change is accepted,
 * and `served`, what the DNS server answers, which only catches up when the change is INSYNC.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  normalizeDnsName,
  type AzStateName,
  type RecordType,
  type Tags,
  type Topology,
  type TopologyRoute,
} from './topology.js';

export const INSTANCE_STATE_CODES = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
} as const;
export type InstanceStateName = keyof typeof INSTANCE_STATE_CODES;

export interface AzModel {
  name: string;
  zoneId: string;
  state: AzStateName;
  messages: string[];
}

export interface VpcModel {
  id: string;
  cidr: string;
  tags: Tags;
  cidrAssociationId: string;
  dhcpOptionsId: string;
  securityGroupId: string;
}

export interface SubnetModel {
  id: string;
  vpcId: string;
  cidr: string;
  az: string;
  tags: Tags;
  mapPublicIpOnLaunch: boolean;
}

export interface GatewayModel {
  id: string;
  vpcId: string;
  tags: Tags;
}

export interface NatGatewayModel extends GatewayModel {
  subnetId: string;
}

export type RouteTarget =
  | { kind: 'local' }
  | { kind: 'gateway'; id: string }
  | { kind: 'nat'; id: string }
  | { kind: 'eni'; id: string };

export interface RouteModel {
  destination: string;
  target: RouteTarget;
  origin: 'CreateRouteTable' | 'CreateRoute';
}

export interface RouteTableModel {
  id: string;
  vpcId: string;
  tags: Tags;
  /** The main association's ID when this is the VPC's main route table. */
  mainAssociationId: string | undefined;
  associations: { id: string; subnetId: string }[];
  routes: RouteModel[];
}

export interface EniModel {
  id: string;
  subnetId: string;
  vpcId: string;
  az: string;
  mac: string;
  privateIp: string;
  secondaryPrivateIps: string[];
  sourceDestCheck: boolean;
  description: string;
  instanceId: string | undefined;
  deviceIndex: number;
  attachmentId: string;
  attachTime: Date;
}

export interface InstanceModel {
  id: string;
  tags: Tags;
  az: string;
  instanceType: string;
  imageId: string;
  iamRole: string | undefined;
  imdsV1: boolean;
  state: InstanceStateName;
  launchTime: Date;
  /** EC2's StateTransitionReason, e.g. `User initiated (2025-01-01 10:00:00 GMT)`. */
  stateTransitionReason: string;
  stateReason: { code: string; message: string } | undefined;
  eniIds: string[];
  reservationId: string;
}

export interface AddressModel {
  allocationId: string;
  publicIp: string;
  tags: Tags;
  association: { id: string; eniId: string; privateIp: string } | undefined;
}

export interface RecordSet {
  /** Lower case, trailing dot. */
  name: string;
  type: RecordType;
  ttl: number;
  values: string[];
}

export interface HostedZoneModel {
  id: string;
  name: string;
  private: boolean;
  vpcIds: string[];
  comment: string | undefined;
  callerReference: string;
  /** What the Route 53 API shows. Keyed by `recordKey`. */
  records: Map<string, RecordSet>;
  /** What the DNS server answers: the records of every INSYNC change. */
  served: Map<string, RecordSet>;
}

export type RecordOp = { op: 'set'; record: RecordSet } | { op: 'delete'; name: string; type: RecordType };

export interface ChangeModel {
  id: string;
  zoneId: string;
  status: 'PENDING' | 'INSYNC';
  submittedAt: Date;
  comment: string | undefined;
  ops: RecordOp[];
}

export interface CloudState {
  region: string;
  accountId: string;
  azs: Map<string, AzModel>;
  vpcs: Map<string, VpcModel>;
  subnets: Map<string, SubnetModel>;
  internetGateways: Map<string, GatewayModel>;
  natGateways: Map<string, NatGatewayModel>;
  routeTables: Map<string, RouteTableModel>;
  enis: Map<string, EniModel>;
  instances: Map<string, InstanceModel>;
  addresses: Map<string, AddressModel>;
  zones: Map<string, HostedZoneModel>;
  /** Route 53 changes in submission order. */
  changes: Map<string, ChangeModel>;
}

const DEFAULT_ACCOUNT_ID = '123456789012';
/** Route 53's default delegation set style; private zones get the same SOA and NS shape. */
export const DEFAULT_NAME_SERVERS = [
  'ns-1536.awsdns-00.co.uk.',
  'ns-0.awsdns-00.com.',
  'ns-1024.awsdns-00.org.',
  'ns-512.awsdns-00.net.',
];

export function recordKey(name: string, type: string): string {
  return `${name}|${type}`;
}

/** A stable AWS-shaped ID derived from a seed (`prefix-0` + 16 hex digits). */
function derivedId(prefix: string, seed: string): string {
  return `${prefix}-0${createHash('sha256').update(seed).digest('hex').slice(0, 16)}`;
}

export function randomId(prefix: string): string {
  return `${prefix}-0${randomBytes(8).toString('hex')}`;
}

function tagsOf(name: string | undefined, tags: Tags | undefined): Tags {
  return { ...(name === undefined ? {} : { Name: name }), ...tags };
}

function routeTarget(target: string): RouteTarget {
  if (target === 'local') return { kind: 'local' };
  if (target.startsWith('igw-')) return { kind: 'gateway', id: target };
  if (target.startsWith('nat-')) return { kind: 'nat', id: target };
  return { kind: 'eni', id: target };
}

export function buildState(t: Topology): CloudState {
  const state: CloudState = {
    region: t.region,
    accountId: t.accountId ?? DEFAULT_ACCOUNT_ID,
    azs: new Map(),
    vpcs: new Map(),
    subnets: new Map(),
    internetGateways: new Map(),
    natGateways: new Map(),
    routeTables: new Map(),
    enis: new Map(),
    instances: new Map(),
    addresses: new Map(),
    zones: new Map(),
    changes: new Map(),
  };
  for (const az of t.availabilityZones) {
    state.azs.set(az.name, { name: az.name, zoneId: az.zoneId, state: az.state ?? 'available', messages: [...(az.messages ?? [])] });
  }
  for (const vpc of t.vpcs) {
    state.vpcs.set(vpc.id, {
      id: vpc.id,
      cidr: vpc.cidr,
      tags: tagsOf(vpc.name, vpc.tags),
      cidrAssociationId: derivedId('vpc-cidr-assoc', vpc.id),
      dhcpOptionsId: derivedId('dopt', vpc.id),
      securityGroupId: derivedId('sg', vpc.id),
    });
  }
  for (const subnet of t.subnets) {
    state.subnets.set(subnet.id, {
      id: subnet.id,
      vpcId: subnet.vpc,
      cidr: subnet.cidr,
      az: subnet.az,
      tags: tagsOf(subnet.name, subnet.tags),
      mapPublicIpOnLaunch: subnet.public ?? false,
    });
  }
  for (const igw of t.internetGateways ?? []) {
    state.internetGateways.set(igw.id, { id: igw.id, vpcId: igw.vpc, tags: tagsOf(igw.name, igw.tags) });
  }
  for (const nat of t.natGateways ?? []) {
    const vpcId = state.subnets.get(nat.subnet)?.vpcId ?? '';
    state.natGateways.set(nat.id, { id: nat.id, vpcId, subnetId: nat.subnet, tags: tagsOf(nat.name, nat.tags) });
  }
  const bootTime = new Date();
  for (const instance of t.instances ?? []) {
    const primarySubnet = state.subnets.get(instance.networkInterfaces[0]?.subnet ?? '');
    const running = (instance.state ?? 'running') === 'running';
    state.instances.set(instance.id, {
      id: instance.id,
      tags: tagsOf(instance.name, instance.tags),
      az: instance.az ?? primarySubnet?.az ?? '',
      instanceType: instance.instanceType ?? 't3.small',
      imageId: instance.imageId ?? 'ami-0abcdef1234567890',
      iamRole: instance.iamRole,
      imdsV1: instance.imdsV1 ?? false,
      state: running ? 'running' : 'stopped',
      launchTime: bootTime,
      stateTransitionReason: running ? '' : 'User initiated',
      stateReason: running ? undefined : USER_SHUTDOWN,
      eniIds: instance.networkInterfaces.map((eni) => eni.id),
      reservationId: derivedId('r', instance.id),
    });
    instance.networkInterfaces.forEach((eni, index) => {
      const subnet = state.subnets.get(eni.subnet);
      state.enis.set(eni.id, {
        id: eni.id,
        subnetId: eni.subnet,
        vpcId: subnet?.vpcId ?? '',
        az: subnet?.az ?? '',
        mac: eni.mac,
        privateIp: eni.privateIp,
        secondaryPrivateIps: [...(eni.secondaryPrivateIps ?? [])],
        sourceDestCheck: eni.sourceDestCheck ?? true,
        description: eni.description ?? '',
        instanceId: instance.id,
        deviceIndex: index,
        attachmentId: derivedId('eni-attach', eni.id),
        attachTime: bootTime,
      });
    });
  }
  for (const table of t.routeTables ?? []) {
    const vpc = state.vpcs.get(table.vpc);
    const routes = (table.routes ?? []).map((route) => topologyRoute(state, route));
    if (vpc && !routes.some((route) => route.target.kind === 'local')) {
      routes.unshift({ destination: vpc.cidr, target: { kind: 'local' }, origin: 'CreateRouteTable' });
    }
    state.routeTables.set(table.id, {
      id: table.id,
      vpcId: table.vpc,
      tags: tagsOf(table.name, table.tags),
      mainAssociationId: table.main === true ? derivedId('rtbassoc', `${table.id}/main`) : undefined,
      associations: (table.subnets ?? []).map((subnetId) => ({ id: derivedId('rtbassoc', `${table.id}/${subnetId}`), subnetId })),
      routes,
    });
  }
  for (const eip of t.elasticIps ?? []) {
    const eni = eip.networkInterface === undefined ? undefined : state.enis.get(eip.networkInterface);
    state.addresses.set(eip.allocationId, {
      allocationId: eip.allocationId,
      publicIp: eip.publicIp,
      tags: tagsOf(eip.name, eip.tags),
      association: eni && { id: derivedId('eipassoc', eip.allocationId), eniId: eni.id, privateIp: eip.privateIp ?? eni.privateIp },
    });
  }
  for (const zone of t.hostedZones ?? []) {
    const name = normalizeDnsName(zone.name);
    const records = new Map<string, RecordSet>();
    const put = (record: RecordSet) => records.set(recordKey(record.name, record.type), record);
    put({ name, type: 'NS', ttl: 172800, values: [...DEFAULT_NAME_SERVERS] });
    put({ name, type: 'SOA', ttl: 900, values: [`${DEFAULT_NAME_SERVERS[0] ?? ''} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400`] });
    for (const record of zone.records ?? []) {
      put({ name: normalizeDnsName(record.name), type: record.type, ttl: record.ttl, values: [...record.values] });
    }
    state.zones.set(zone.id, {
      id: zone.id,
      name,
      private: zone.private ?? false,
      vpcIds: [...(zone.vpcs ?? [])],
      comment: zone.comment,
      callerReference: `kumo-mock-cloud-${zone.id}`,
      records,
      served: cloneRecords(records),
    });
  }
  return state;
}

export const USER_SHUTDOWN = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' };

function topologyRoute(state: CloudState, route: TopologyRoute): RouteModel {
  // An instance target means its primary ENI, as EC2 records it.
  const target = route.target.startsWith('i-') ? (state.instances.get(route.target)?.eniIds[0] ?? route.target) : route.target;
  return { destination: route.destination, target: routeTarget(target), origin: 'CreateRouteTable' };
}

export function cloneRecords(records: Map<string, RecordSet>): Map<string, RecordSet> {
  return new Map([...records].map(([key, record]) => [key, { ...record, values: [...record.values] }]));
}

export function applyRecordOps(records: Map<string, RecordSet>, ops: readonly RecordOp[]): void {
  for (const op of ops) {
    if (op.op === 'set') records.set(recordKey(op.record.name, op.record.type), { ...op.record, values: [...op.record.values] });
    else records.delete(recordKey(op.name, op.type));
  }
}

/** The public IP on a given private IP of an ENI, if an Elastic IP is associated there. */
export function addressOn(state: CloudState, eniId: string, privateIp: string): AddressModel | undefined {
  for (const address of state.addresses.values()) {
    if (address.association?.eniId === eniId && address.association.privateIp === privateIp) return address;
  }
  return undefined;
}

export function privateDnsName(state: CloudState, ip: string): string {
  const host = `ip-${ip.replaceAll('.', '-')}`;
  return state.region === 'us-east-1' ? `${host}.ec2.internal` : `${host}.${state.region}.compute.internal`;
}

/** A JSON-able snapshot for tests, the admin API and humans. */
export function dumpState(state: CloudState): unknown {
  const records = (map: Map<string, RecordSet>) => [...map.values()];
  return {
    region: state.region,
    accountId: state.accountId,
    availabilityZones: [...state.azs.values()],
    vpcs: [...state.vpcs.values()],
    subnets: [...state.subnets.values()],
    internetGateways: [...state.internetGateways.values()],
    natGateways: [...state.natGateways.values()],
    routeTables: [...state.routeTables.values()].map((table) => ({
      ...table,
      routes: table.routes.map((route) => ({
        destination: route.destination,
        target: route.target.kind === 'local' ? 'local' : route.target.id,
        origin: route.origin,
      })),
    })),
    instances: [...state.instances.values()],
    networkInterfaces: [...state.enis.values()],
    addresses: [...state.addresses.values()],
    hostedZones: [...state.zones.values()].map((zone) => ({ ...zone, records: records(zone.records), served: records(zone.served) })),
    changes: [...state.changes.values()],
  };
}
