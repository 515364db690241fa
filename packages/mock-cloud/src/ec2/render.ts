/**
 * EC2 resources in their XML answer shapes (lowerCamel members, `<xSet><item>` lists), as the SDK's
 * ec2Query deserializer reads them. Field names follow the EC2 API reference; values that the topology does
 * not describe (security group, AMI details, …) are fixed and plausible.
 */
import { cidrSize, parseCidr } from '../ip.js';
import {
  addressOn,
  INSTANCE_STATE_CODES,
  privateDnsName,
  type AddressModel,
  type AzModel,
  type CloudState,
  type EniModel,
  type InstanceModel,
  type InstanceStateName,
  type RouteModel,
  type RouteTableModel,
  type SubnetModel,
  type VpcModel,
} from '../state.js';
import type { Tags } from '../topology.js';
import type { XmlObject, XmlValue } from '../xml.js';

export function tagSet(tags: Tags): XmlValue[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

export function stateXml(state: InstanceStateName): XmlObject {
  return { code: INSTANCE_STATE_CODES[state], name: state };
}

export function renderAz(state: CloudState, az: AzModel): XmlObject {
  return {
    optInStatus: 'opt-in-not-required',
    messageSet: az.messages.map((message) => ({ message })),
    regionName: state.region,
    zoneName: az.name,
    zoneId: az.zoneId,
    groupName: `${state.region}-zg-1`,
    networkBorderGroup: state.region,
    zoneType: 'availability-zone',
    zoneState: az.state,
  };
}

export function renderVpc(state: CloudState, vpc: VpcModel): XmlObject {
  return {
    ownerId: state.accountId,
    instanceTenancy: 'default',
    ipv6CidrBlockAssociationSet: [],
    cidrBlockAssociationSet: [{ associationId: vpc.cidrAssociationId, cidrBlock: vpc.cidr, cidrBlockState: { state: 'associated' } }],
    isDefault: false,
    tagSet: tagSet(vpc.tags),
    vpcId: vpc.id,
    state: 'available',
    cidrBlock: vpc.cidr,
    dhcpOptionsId: vpc.dhcpOptionsId,
  };
}

export function renderSubnet(state: CloudState, subnet: SubnetModel): XmlObject {
  const cidr = parseCidr(subnet.cidr);
  const used = [...state.enis.values()]
    .filter((eni) => eni.subnetId === subnet.id)
    .reduce((sum, eni) => sum + 1 + eni.secondaryPrivateIps.length, 0);
  return {
    availabilityZoneId: state.azs.get(subnet.az)?.zoneId,
    mapCustomerOwnedIpOnLaunch: false,
    ownerId: state.accountId,
    assignIpv6AddressOnCreation: false,
    ipv6CidrBlockAssociationSet: [],
    tagSet: tagSet(subnet.tags),
    subnetArn: `arn:aws:ec2:${state.region}:${state.accountId}:subnet/${subnet.id}`,
    enableDns64: false,
    ipv6Native: false,
    privateDnsNameOptionsOnLaunch: { hostnameType: 'ip-name', enableResourceNameDnsARecord: false, enableResourceNameDnsAAAARecord: false },
    subnetId: subnet.id,
    state: 'available',
    vpcId: subnet.vpcId,
    cidrBlock: subnet.cidr,
    availableIpAddressCount: cidr ? Math.max(0, cidrSize(cidr) - 5 - used) : 0,
    availabilityZone: subnet.az,
    defaultForAz: false,
    mapPublicIpOnLaunch: subnet.mapPublicIpOnLaunch,
  };
}

/** `blackhole` when the target is gone or is the ENI of a stopped instance, as EC2 shows it. */
function routeState(state: CloudState, route: RouteModel): string {
  switch (route.target.kind) {
    case 'local':
      return 'active';
    case 'gateway':
      return state.internetGateways.has(route.target.id) ? 'active' : 'blackhole';
    case 'nat':
      return state.natGateways.has(route.target.id) ? 'active' : 'blackhole';
    case 'eni': {
      const eni = state.enis.get(route.target.id);
      if (!eni) return 'blackhole';
      const instance = eni.instanceId === undefined ? undefined : state.instances.get(eni.instanceId);
      return instance && (instance.state === 'stopped' || instance.state === 'terminated') ? 'blackhole' : 'active';
    }
    default: {
      const unreachable: never = route.target;
      return unreachable;
    }
  }
}

export function renderRoute(state: CloudState, route: RouteModel): XmlObject {
  const target = route.target;
  const eni = target.kind === 'eni' ? state.enis.get(target.id) : undefined;
  return {
    destinationCidrBlock: route.destination,
    gatewayId: target.kind === 'local' ? 'local' : target.kind === 'gateway' ? target.id : undefined,
    natGatewayId: target.kind === 'nat' ? target.id : undefined,
    instanceId: eni?.instanceId,
    instanceOwnerId: eni?.instanceId === undefined ? undefined : state.accountId,
    networkInterfaceId: target.kind === 'eni' ? target.id : undefined,
    state: routeState(state, route),
    origin: route.origin,
  };
}

export function renderRouteTable(state: CloudState, table: RouteTableModel): XmlObject {
  const associated = { state: 'associated' };
  return {
    associationSet: [
      ...(table.mainAssociationId === undefined
        ? []
        : [{ main: true, routeTableAssociationId: table.mainAssociationId, routeTableId: table.id, associationState: associated }]),
      ...table.associations.map((association) => ({
        main: false,
        routeTableAssociationId: association.id,
        routeTableId: table.id,
        subnetId: association.subnetId,
        associationState: associated,
      })),
    ],
    propagatingVgwSet: [],
    routeTableId: table.id,
    routeSet: table.routes.map((route) => renderRoute(state, route)),
    tagSet: tagSet(table.tags),
    vpcId: table.vpcId,
    ownerId: state.accountId,
  };
}

function eipAssociation(state: CloudState, eni: EniModel, ip: string): XmlObject | undefined {
  const address = addressOn(state, eni.id, ip);
  if (!address?.association) return undefined;
  return {
    allocationId: address.allocationId,
    associationId: address.association.id,
    ipOwnerId: state.accountId,
    publicDnsName: '',
    publicIp: address.publicIp,
  };
}

function groupSet(state: CloudState, eni: EniModel): XmlValue[] {
  return [{ groupId: state.vpcs.get(eni.vpcId)?.securityGroupId, groupName: 'default' }];
}

function privateIpSet(state: CloudState, eni: EniModel): XmlValue[] {
  return [eni.privateIp, ...eni.secondaryPrivateIps].map((ip, index) => ({
    association: eipAssociation(state, eni, ip),
    primary: index === 0,
    privateIpAddress: ip,
    privateDnsName: privateDnsName(state, ip),
  }));
}

/** Members an ENI has both in DescribeNetworkInterfaces and inside an instance's networkInterfaceSet. */
function eniCommon(state: CloudState, eni: EniModel): XmlObject {
  return {
    description: eni.description,
    groupSet: groupSet(state, eni),
    interfaceType: 'interface',
    ipv6AddressesSet: [],
    macAddress: eni.mac,
    networkInterfaceId: eni.id,
    ownerId: state.accountId,
    privateDnsName: privateDnsName(state, eni.privateIp),
    privateIpAddress: eni.privateIp,
    privateIpAddressesSet: privateIpSet(state, eni),
    sourceDestCheck: eni.sourceDestCheck,
    status: eni.instanceId !== undefined ? 'in-use' : 'available',
    subnetId: eni.subnetId,
    vpcId: eni.vpcId,
  };
}

function attachment(eni: EniModel): XmlObject {
  return {
    attachTime: eni.attachTime.toISOString(),
    attachmentId: eni.attachmentId,
    deleteOnTermination: eni.deviceIndex === 0,
    deviceIndex: eni.deviceIndex,
    networkCardIndex: 0,
    status: 'attached',
  };
}

export function renderNetworkInterface(state: CloudState, eni: EniModel): XmlObject {
  return {
    ...eniCommon(state, eni),
    association: eipAssociation(state, eni, eni.privateIp),
    attachment:
      eni.instanceId === undefined ? undefined : { ...attachment(eni), instanceId: eni.instanceId, instanceOwnerId: state.accountId },
    availabilityZone: eni.az,
    availabilityZoneId: state.azs.get(eni.az)?.zoneId,
    requesterManaged: false,
    tagSet: [],
  };
}

function renderInstanceEni(state: CloudState, eni: EniModel): XmlObject {
  const association = eipAssociation(state, eni, eni.privateIp);
  return {
    ...eniCommon(state, eni),
    association: association && { ipOwnerId: state.accountId, publicDnsName: '', publicIp: association['publicIp'] },
    attachment: attachment(eni),
  };
}

export function renderInstance(state: CloudState, instance: InstanceModel): XmlObject {
  const enis = instance.eniIds.map((id) => state.enis.get(id)).filter((eni): eni is EniModel => eni !== undefined);
  const primary = enis[0];
  const publicIp = primary && addressOn(state, primary.id, primary.privateIp)?.publicIp;
  return {
    instanceId: instance.id,
    imageId: instance.imageId,
    instanceState: stateXml(instance.state),
    privateDnsName: primary && privateDnsName(state, primary.privateIp),
    dnsName: '',
    reason: instance.stateTransitionReason,
    amiLaunchIndex: 0,
    productCodes: [],
    instanceType: instance.instanceType,
    launchTime: instance.launchTime.toISOString(),
    placement: { availabilityZone: instance.az, groupName: '', tenancy: 'default' },
    monitoring: { state: 'disabled' },
    subnetId: primary?.subnetId,
    vpcId: primary?.vpcId,
    privateIpAddress: primary?.privateIp,
    ipAddress: publicIp,
    sourceDestCheck: primary?.sourceDestCheck,
    groupSet: primary ? groupSet(state, primary) : [],
    stateReason: instance.stateReason,
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    blockDeviceMapping: [],
    virtualizationType: 'hvm',
    tagSet: tagSet(instance.tags),
    hypervisor: 'xen',
    networkInterfaceSet: enis.map((eni) => renderInstanceEni(state, eni)),
    iamInstanceProfile:
      instance.iamRole === undefined
        ? undefined
        : { arn: `arn:aws:iam::${state.accountId}:instance-profile/${instance.iamRole}`, id: `AIPAKUMO${instance.iamRole.length}` },
    ebsOptimized: false,
    enaSupport: true,
    metadataOptions: {
      state: 'applied',
      httpTokens: instance.imdsV1 ? 'optional' : 'required',
      httpPutResponseHopLimit: 2,
      httpEndpoint: 'enabled',
    },
  };
}

export function renderReservation(state: CloudState, instance: InstanceModel): XmlObject {
  return {
    reservationId: instance.reservationId,
    ownerId: state.accountId,
    groupSet: [],
    instancesSet: [renderInstance(state, instance)],
  };
}

export function renderAddress(state: CloudState, address: AddressModel): XmlObject {
  const association = address.association;
  const eni = association && state.enis.get(association.eniId);
  return {
    allocationId: address.allocationId,
    associationId: association?.id,
    domain: 'vpc',
    networkInterfaceId: association?.eniId,
    networkInterfaceOwnerId: association && state.accountId,
    privateIpAddress: association?.privateIp,
    tagSet: tagSet(address.tags),
    publicIpv4Pool: 'amazon',
    networkBorderGroup: state.region,
    instanceId: eni?.instanceId,
    publicIp: address.publicIp,
  };
}
