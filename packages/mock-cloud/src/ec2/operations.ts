/**
 * The EC2 actions the emulator serves. Each reads its Query parameters, checks them the way EC2 does
 * (with EC2's error codes and messages), changes the state and returns the members of its answer.
 * The write operations that an outsider can also perform (point a route, disassociate an address) are
 * exported for the tamper API, so both follow the same rules.
 */
import { AwsError } from '../aws-error.js';
import type { Cloud } from '../cloud.js';
import { parseCidr } from '../ip.js';
import {
  addressOn,
  INSTANCE_STATE_CODES,
  privateDnsName,
  randomId,
  type AddressModel,
  type CloudState,
  type EniModel,
  type InstanceModel,
  type RouteTableModel,
  type RouteTarget,
} from '../state.js';
import type { XmlObject } from '../xml.js';
import { applyFilters, type FilterFields } from './filters.js';
import type { QueryParams } from './query.js';
import {
  renderAddress,
  renderAz,
  renderNetworkInterface,
  renderReservation,
  renderRouteTable,
  renderSubnet,
  renderVpc,
  stateXml,
} from './render.js';

export interface Ec2Call {
  params: QueryParams;
  /** The region the request was signed for (another region is empty). */
  state: CloudState;
  cloud: Cloud;
}

type Ec2Handler = (call: Ec2Call) => XmlObject;

function notFound(code: string, noun: string, ids: readonly string[]): AwsError {
  return ids.length === 1
    ? new AwsError(code, `The ${noun} ID '${ids[0] ?? ''}' does not exist`)
    : new AwsError(code, `The ${noun} IDs '${ids.join(', ')}' do not exist`);
}

/** The items named by an ID list (all when the list is empty); unknown IDs are EC2's NotFound error. */
function selectByIds<T>(map: Map<string, T>, ids: readonly string[], code: string, noun: string): T[] {
  if (ids.length === 0) return [...map.values()];
  const missing = ids.filter((id) => !map.has(id));
  if (missing.length > 0) throw notFound(code, noun, missing);
  const wanted = new Set(ids);
  return [...map.entries()].filter(([id]) => wanted.has(id)).map(([, item]) => item);
}

function describe<T>(
  call: Ec2Call,
  map: Map<string, T>,
  idParam: string,
  code: string,
  noun: string,
  fields: FilterFields<T>,
  tags: (item: T) => Record<string, string>,
): T[] {
  const items = selectByIds(map, call.params.list(idParam), code, noun);
  return applyFilters(items, call.params.filters(), fields, tags);
}

function requireIn<T>(map: Map<string, T>, id: string, code: string, noun: string): T {
  const found = map.get(id);
  if (found === undefined) throw notFound(code, noun, [id]);
  return found;
}

export const requireRouteTable = (state: CloudState, id: string): RouteTableModel =>
  requireIn(state.routeTables, id, 'InvalidRouteTableID.NotFound', 'routeTable');
export const requireEni = (state: CloudState, id: string): EniModel =>
  requireIn(state.enis, id, 'InvalidNetworkInterfaceID.NotFound', 'networkInterface');
const requireInstance = (state: CloudState, id: string): InstanceModel =>
  requireIn(state.instances, id, 'InvalidInstanceID.NotFound', 'instance');
export const requireAllocation = (state: CloudState, id: string): AddressModel =>
  requireIn(state.addresses, id, 'InvalidAllocationID.NotFound', 'allocation');

/** An instance's only interface; EC2 refuses an instance target when it has several. */
function soleEni(state: CloudState, instance: InstanceModel): EniModel {
  if (instance.eniIds.length !== 1) {
    throw new AwsError(
      'InvalidInstanceID',
      `There are multiple interfaces attached to instance '${instance.id}'. Please specify an interface ID for the operation instead.`,
    );
  }
  return requireEni(state, instance.eniIds[0] ?? '');
}

function requireCidr(params: QueryParams, name: string): string {
  const value = params.required(name);
  if (!parseCidr(value)) {
    throw new AwsError('InvalidParameterValue', `Value (${value}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`);
  }
  return value;
}

function sameCidr(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x !== undefined && y !== undefined && x.base === y.base && x.prefix === y.prefix;
}

const TARGET_PARAMS = ['GatewayId', 'NatGatewayId', 'NetworkInterfaceId', 'InstanceId'] as const;
const UNSUPPORTED_TARGETS = [
  'VpcPeeringConnectionId',
  'TransitGatewayId',
  'EgressOnlyInternetGatewayId',
  'LocalGatewayId',
  'CarrierGatewayId',
  'VpcEndpointId',
  'CoreNetworkArn',
];

/** The target of CreateRoute/ReplaceRoute: exactly one of the target parameters, in the table's VPC. */
function routeTargetOf(call: Ec2Call, table: RouteTableModel): RouteTarget {
  const { params, state } = call;
  const unsupported = UNSUPPORTED_TARGETS.find((name) => params.string(name) !== undefined);
  if (unsupported) throw new AwsError('InvalidParameterValue', `kumo-mock-cloud does not emulate route targets of type ${unsupported}`);
  const given = TARGET_PARAMS.filter((name) => params.string(name) !== undefined);
  const eniParam = params.string('NetworkInterfaceId');
  const instanceParam = params.string('InstanceId');
  const onlyEniAndInstance = given.length === 2 && eniParam !== undefined && instanceParam !== undefined;
  if (given.length === 0 || (given.length > 1 && !onlyEniAndInstance)) {
    throw new AwsError(
      given.length === 0 ? 'MissingParameter' : 'InvalidParameterCombination',
      'The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId or instanceId',
    );
  }
  const differentNetworks = (what: string, id: string) =>
    new AwsError('InvalidParameterValue', `Route table ${table.id} and ${what} ${id} belong to different networks`);

  const gatewayId = params.string('GatewayId');
  if (gatewayId !== undefined) {
    if (gatewayId === 'local') return { kind: 'local' };
    const igw = state.internetGateways.get(gatewayId);
    if (!igw) throw notFound('InvalidGatewayID.NotFound', 'gateway', [gatewayId]);
    if (igw.vpcId !== table.vpcId) throw differentNetworks('network gateway', gatewayId);
    return { kind: 'gateway', id: gatewayId };
  }
  const natId = params.string('NatGatewayId');
  if (natId !== undefined) {
    const nat = state.natGateways.get(natId);
    if (!nat) throw notFound('InvalidNatGatewayID.NotFound', 'natGateway', [natId]);
    if (nat.vpcId !== table.vpcId) throw differentNetworks('NAT gateway', natId);
    return { kind: 'nat', id: natId };
  }
  let eni: EniModel;
  if (eniParam !== undefined) {
    eni = requireEni(state, eniParam);
    if (instanceParam !== undefined && eni.instanceId !== instanceParam) {
      throw new AwsError('InvalidParameterCombination', `The network interface '${eni.id}' is not attached to instance '${instanceParam}'`);
    }
  } else {
    eni = soleEni(state, requireInstance(state, instanceParam ?? ''));
  }
  if (eni.vpcId !== table.vpcId) throw differentNetworks('network interface', eni.id);
  return { kind: 'eni', id: eni.id };
}

/** ReplaceRoute's rules, shared with the tamper API. */
export function replaceRoute(table: RouteTableModel, destination: string, target: RouteTarget): void {
  const route = table.routes.find((r) => sameCidr(r.destination, destination));
  if (!route) {
    throw new AwsError('InvalidParameterValue', `There is no route defined for '${destination}' in the route table. Use CreateRoute instead.`);
  }
  if (route.target.kind === 'local' && target.kind !== 'local') {
    throw new AwsError('InvalidParameterValue', `The route identified by ${destination} is the local route and cannot be replaced with this target`);
  }
  route.target = target;
  route.origin = 'CreateRoute';
}

/** DisassociateAddress's effect, shared with the tamper API. */
export function disassociate(address: AddressModel): void {
  address.association = undefined;
}

const ok: XmlObject = { return: true };

const describeVpcs: Ec2Handler = (call) => {
  const vpcs = describe(call, call.state.vpcs, 'VpcId', 'InvalidVpcID.NotFound', 'vpc', {
    'vpc-id': (v) => [v.id],
    cidr: (v) => [v.cidr],
    'cidr-block-association.cidr-block': (v) => [v.cidr],
    state: () => ['available'],
    'is-default': () => ['false'],
    'owner-id': () => [call.state.accountId],
  }, (v) => v.tags);
  return { vpcSet: vpcs.map((vpc) => renderVpc(call.state, vpc)) };
};

const describeSubnets: Ec2Handler = (call) => {
  const { state } = call;
  const subnets = describe(call, state.subnets, 'SubnetId', 'InvalidSubnetID.NotFound', 'subnet', {
    'subnet-id': (s) => [s.id],
    'vpc-id': (s) => [s.vpcId],
    'availability-zone': (s) => [s.az],
    'availability-zone-id': (s) => [state.azs.get(s.az)?.zoneId],
    'cidr-block': (s) => [s.cidr],
    cidr: (s) => [s.cidr],
    'cidrBlock': (s) => [s.cidr],
    state: () => ['available'],
    'default-for-az': () => ['false'],
    'map-public-ip-on-launch': (s) => [String(s.mapPublicIpOnLaunch)],
    'owner-id': () => [state.accountId],
  }, (s) => s.tags);
  return { subnetSet: subnets.map((subnet) => renderSubnet(state, subnet)) };
};

const describeRouteTables: Ec2Handler = (call) => {
  const { state } = call;
  const targetIds = (t: RouteTableModel, kind: RouteTarget['kind']) =>
    t.routes.map((r) => (r.target.kind === kind && r.target.kind !== 'local' ? r.target.id : undefined));
  const tables = describe(call, state.routeTables, 'RouteTableId', 'InvalidRouteTableID.NotFound', 'routeTable', {
    'route-table-id': (t) => [t.id],
    'vpc-id': (t) => [t.vpcId],
    'association.subnet-id': (t) => t.associations.map((a) => a.subnetId),
    'association.route-table-association-id': (t) => [t.mainAssociationId, ...t.associations.map((a) => a.id)],
    'association.route-table-id': (t) => (t.mainAssociationId !== undefined || t.associations.length > 0 ? [t.id] : []),
    'association.main': (t) => [String(t.mainAssociationId !== undefined)],
    'route.destination-cidr-block': (t) => t.routes.map((r) => r.destination),
    'route.gateway-id': (t) => t.routes.map((r) => (r.target.kind === 'local' ? 'local' : r.target.kind === 'gateway' ? r.target.id : undefined)),
    'route.nat-gateway-id': (t) => targetIds(t, 'nat'),
    'route.network-interface-id': (t) => targetIds(t, 'eni'),
    'route.instance-id': (t) => targetIds(t, 'eni').map((id) => (id === undefined ? undefined : state.enis.get(id)?.instanceId)),
    'route.origin': (t) => t.routes.map((r) => r.origin),
    'owner-id': () => [state.accountId],
  }, (t) => t.tags);
  return { routeTableSet: tables.map((table) => renderRouteTable(state, table)) };
};

const createRoute: Ec2Handler = (call) => {
  const { params, state } = call;
  const table = requireRouteTable(state, params.required('RouteTableId'));
  const destination = requireCidr(params, 'DestinationCidrBlock');
  const target = routeTargetOf(call, table);
  if (table.routes.some((r) => sameCidr(r.destination, destination))) {
    throw new AwsError('RouteAlreadyExists', `The route identified by ${destination} already exists.`);
  }
  table.routes.push({ destination, target, origin: 'CreateRoute' });
  return ok;
};

const replaceRouteAction: Ec2Handler = (call) => {
  const { params, state } = call;
  const table = requireRouteTable(state, params.required('RouteTableId'));
  const destination = requireCidr(params, 'DestinationCidrBlock');
  replaceRoute(table, destination, routeTargetOf(call, table));
  return ok;
};

const deleteRoute: Ec2Handler = (call) => {
  const { params, state } = call;
  const table = requireRouteTable(state, params.required('RouteTableId'));
  const destination = requireCidr(params, 'DestinationCidrBlock');
  const index = table.routes.findIndex((r) => sameCidr(r.destination, destination));
  const route = table.routes[index];
  if (!route) throw new AwsError('InvalidRoute.NotFound', `There is no route defined for '${destination}' in the route table.`);
  if (route.target.kind === 'local') {
    throw new AwsError('InvalidParameterValue', `cannot remove local route ${destination} in route table ${table.id}`);
  }
  table.routes.splice(index, 1);
  return ok;
};

const describeNetworkInterfaces: Ec2Handler = (call) => {
  const { state } = call;
  const ips = (e: EniModel) => [e.privateIp, ...e.secondaryPrivateIps];
  const addresses = (e: EniModel) => ips(e).map((ip) => addressOn(state, e.id, ip)).filter((a) => a !== undefined);
  const enis = describe(call, state.enis, 'NetworkInterfaceId', 'InvalidNetworkInterfaceID.NotFound', 'networkInterface', {
    'network-interface-id': (e) => [e.id],
    'vpc-id': (e) => [e.vpcId],
    'subnet-id': (e) => [e.subnetId],
    'availability-zone': (e) => [e.az],
    'attachment.instance-id': (e) => [e.instanceId],
    'attachment.attachment-id': (e) => [e.instanceId === undefined ? undefined : e.attachmentId],
    'attachment.device-index': (e) => [e.instanceId === undefined ? undefined : e.deviceIndex],
    'attachment.status': (e) => [e.instanceId === undefined ? undefined : 'attached'],
    'private-ip-address': (e) => ips(e),
    'addresses.private-ip-address': (e) => ips(e),
    'mac-address': (e) => [e.mac],
    status: (e) => [e.instanceId === undefined ? 'available' : 'in-use'],
    'source-dest-check': (e) => [String(e.sourceDestCheck)],
    description: (e) => [e.description],
    'association.allocation-id': (e) => addresses(e).map((a) => a.allocationId),
    'association.association-id': (e) => addresses(e).map((a) => a.association?.id),
    'association.public-ip': (e) => addresses(e).map((a) => a.publicIp),
    'owner-id': () => [state.accountId],
    'interface-type': () => ['interface'],
  }, () => ({}));
  return { networkInterfaceSet: enis.map((eni) => renderNetworkInterface(state, eni)) };
};

const describeInstances: Ec2Handler = (call) => {
  const { state } = call;
  const enis = (i: InstanceModel) => i.eniIds.map((id) => state.enis.get(id)).filter((e) => e !== undefined);
  const primary = (i: InstanceModel) => enis(i)[0];
  const instances = describe(call, state.instances, 'InstanceId', 'InvalidInstanceID.NotFound', 'instance', {
    'instance-id': (i) => [i.id],
    'vpc-id': (i) => [primary(i)?.vpcId],
    'subnet-id': (i) => [primary(i)?.subnetId],
    'availability-zone': (i) => [i.az],
    'instance-state-name': (i) => [i.state],
    'instance-state-code': (i) => [INSTANCE_STATE_CODES[i.state]],
    'instance-type': (i) => [i.instanceType],
    'image-id': (i) => [i.imageId],
    'private-ip-address': (i) => [primary(i)?.privateIp],
    'private-dns-name': (i) => enis(i).map((e) => privateDnsName(state, e.privateIp)),
    'ip-address': (i) => {
      const eni = primary(i);
      return [eni && addressOn(state, eni.id, eni.privateIp)?.publicIp];
    },
    'network-interface.network-interface-id': (i) => i.eniIds,
    'network-interface.mac-address': (i) => enis(i).map((e) => e.mac),
    'network-interface.addresses.private-ip-address': (i) => enis(i).flatMap((e) => [e.privateIp, ...e.secondaryPrivateIps]),
    'network-interface.subnet-id': (i) => enis(i).map((e) => e.subnetId),
    'network-interface.vpc-id': (i) => enis(i).map((e) => e.vpcId),
    'iam-instance-profile.arn': (i) =>
      [i.iamRole === undefined ? undefined : `arn:aws:iam::${state.accountId}:instance-profile/${i.iamRole}`],
    'owner-id': () => [state.accountId],
    'reservation-id': (i) => [i.reservationId],
  }, (i) => i.tags);
  return { reservationSet: instances.map((instance) => renderReservation(state, instance)) };
};

const describeAddresses: Ec2Handler = (call) => {
  const { params, state } = call;
  const publicIps = params.list('PublicIp');
  const unknownIp = publicIps.find((ip) => ![...state.addresses.values()].some((a) => a.publicIp === ip));
  if (unknownIp !== undefined) throw new AwsError('InvalidAddress.NotFound', `Address '${unknownIp}' not found.`);
  const fields: FilterFields<AddressModel> = {
    'allocation-id': (a) => [a.allocationId],
    'association-id': (a) => [a.association?.id],
    'public-ip': (a) => [a.publicIp],
    'network-interface-id': (a) => [a.association?.eniId],
    'network-interface-owner-id': (a) => [a.association && state.accountId],
    'private-ip-address': (a) => [a.association?.privateIp],
    'instance-id': (a) => [a.association && state.enis.get(a.association.eniId)?.instanceId],
    domain: () => ['vpc'],
    'network-border-group': () => [state.region],
    'public-ipv4-pool': () => ['amazon'],
  };
  let addresses = describe(call, state.addresses, 'AllocationId', 'InvalidAllocationID.NotFound', 'allocation', fields, (a) => a.tags);
  if (publicIps.length > 0) addresses = addresses.filter((a) => publicIps.includes(a.publicIp));
  return { addressesSet: addresses.map((address) => renderAddress(state, address)) };
};

const associateAddress: Ec2Handler = (call) => {
  const { params, state } = call;
  const allocationId = params.string('AllocationId');
  const publicIp = params.string('PublicIp');
  let address: AddressModel | undefined;
  if (allocationId !== undefined) address = requireAllocation(state, allocationId);
  else if (publicIp !== undefined) {
    address = [...state.addresses.values()].find((a) => a.publicIp === publicIp);
    if (!address) throw new AwsError('AuthFailure', `The address '${publicIp}' does not belong to you.`);
  } else {
    throw new AwsError('MissingParameter', 'The request must contain the parameter AllocationId');
  }

  const eniId = params.string('NetworkInterfaceId');
  const instanceId = params.string('InstanceId');
  let eni: EniModel;
  if (eniId !== undefined) {
    eni = requireEni(state, eniId);
    if (instanceId !== undefined && eni.instanceId !== instanceId) {
      throw new AwsError('InvalidParameterCombination', `The network interface '${eni.id}' is not attached to instance '${instanceId}'`);
    }
  } else if (instanceId !== undefined) {
    eni = soleEni(state, requireInstance(state, instanceId));
  } else {
    throw new AwsError('MissingParameter', 'Either an instance ID or a network interface ID must be specified');
  }
  if (![...state.internetGateways.values()].some((igw) => igw.vpcId === eni.vpcId)) {
    throw new AwsError('Gateway.NotAttached', `Network ${eni.vpcId} is not attached to any internet gateway`);
  }
  const privateIp = params.string('PrivateIpAddress') ?? eni.privateIp;
  if (privateIp !== eni.privateIp && !eni.secondaryPrivateIps.includes(privateIp)) {
    throw new AwsError('InvalidParameterValue', `The specified private IP address '${privateIp}' is not assigned to the network interface '${eni.id}'`);
  }
  // In a VPC, reassociation is automatic; AllowReassociation=false makes an associated address fail instead.
  if (params.boolean('AllowReassociation') === false && address.association) {
    throw new AwsError('Resource.AlreadyAssociated', `resource ${address.allocationId} is already associated with associate-id ${address.association.id}`);
  }
  const displaced = addressOn(state, eni.id, privateIp);
  if (displaced && displaced !== address) disassociate(displaced);
  const associationId = randomId('eipassoc');
  address.association = { id: associationId, eniId: eni.id, privateIp };
  return { return: true, associationId };
};

const disassociateAddress: Ec2Handler = (call) => {
  const { params, state } = call;
  const associationId = params.string('AssociationId');
  const publicIp = params.string('PublicIp');
  if (associationId !== undefined) {
    const address = [...state.addresses.values()].find((a) => a.association?.id === associationId);
    if (!address) throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
    disassociate(address);
  } else if (publicIp !== undefined) {
    const address = [...state.addresses.values()].find((a) => a.publicIp === publicIp);
    if (!address) throw new AwsError('AuthFailure', `The address '${publicIp}' does not belong to you.`);
    disassociate(address);
  } else {
    throw new AwsError('MissingParameter', 'The request must contain the parameter AssociationId');
  }
  return ok;
};

const describeAvailabilityZones: Ec2Handler = (call) => {
  const { params, state } = call;
  const names = params.list('ZoneName');
  const ids = params.list('ZoneId');
  const unknownName = names.find((name) => !state.azs.has(name));
  if (unknownName !== undefined) {
    throw new AwsError('InvalidParameterValue', `The zone '${unknownName}' does not exist in the region '${state.region}'`);
  }
  const zones = [...state.azs.values()];
  const unknownId = ids.find((id) => !zones.some((az) => az.zoneId === id));
  if (unknownId !== undefined) {
    throw new AwsError('InvalidParameterValue', `The zone ID '${unknownId}' does not exist in the region '${state.region}'`);
  }
  const selected = zones.filter((az) => (names.length === 0 && ids.length === 0) || names.includes(az.name) || ids.includes(az.zoneId));
  const filtered = applyFilters(selected, params.filters(), {
    'zone-name': (az) => [az.name],
    'zone-id': (az) => [az.zoneId],
    state: (az) => [az.state],
    'region-name': () => [state.region],
    'zone-type': () => ['availability-zone'],
    'group-name': () => [`${state.region}-zg-1`],
    'opt-in-status': () => ['opt-in-not-required'],
    message: (az) => az.messages,
  }, () => ({}));
  return { availabilityZoneInfo: filtered.map((az) => renderAz(state, az)) };
};

function instancesParam(call: Ec2Call): InstanceModel[] {
  const ids = call.params.list('InstanceId');
  if (ids.length === 0) throw new AwsError('MissingParameter', 'The request must contain the parameter InstanceId');
  return selectByIds(call.state.instances, ids, 'InvalidInstanceID.NotFound', 'instance');
}

function transitionsXml(transitions: ReturnType<Cloud['stopInstances']>): XmlObject {
  return {
    instancesSet: transitions.map((t) => ({
      currentState: stateXml(t.currentState),
      instanceId: t.instanceId,
      previousState: stateXml(t.previousState),
    })),
  };
}

const stopInstances: Ec2Handler = (call) => {
  const instances = instancesParam(call);
  call.params.boolean('Force');
  const stuck = instances.find((i) => i.state === 'pending' || i.state === 'shutting-down' || i.state === 'terminated');
  if (stuck) throw new AwsError('IncorrectInstanceState', `The instance '${stuck.id}' is not in a state from which it can be stopped.`);
  return transitionsXml(call.cloud.stopInstances(instances));
};

const startInstances: Ec2Handler = (call) => {
  const instances = instancesParam(call);
  const stuck = instances.find((i) => i.state === 'stopping' || i.state === 'shutting-down' || i.state === 'terminated');
  if (stuck) throw new AwsError('IncorrectInstanceState', `The instance '${stuck.id}' is not in a state from which it can be started.`);
  return transitionsXml(call.cloud.startInstances(instances));
};

export const EC2_ACTIONS: ReadonlyMap<string, Ec2Handler> = new Map(Object.entries({
  DescribeVpcs: describeVpcs,
  DescribeSubnets: describeSubnets,
  DescribeRouteTables: describeRouteTables,
  CreateRoute: createRoute,
  ReplaceRoute: replaceRouteAction,
  DeleteRoute: deleteRoute,
  DescribeNetworkInterfaces: describeNetworkInterfaces,
  DescribeInstances: describeInstances,
  DescribeAddresses: describeAddresses,
  AssociateAddress: associateAddress,
  DisassociateAddress: disassociateAddress,
  DescribeAvailabilityZones: describeAvailabilityZones,
  StopInstances: stopInstances,
  StartInstances: startInstances,
}));
