import {
  AssociateAddressCommand,
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeKeyPairsCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  DisassociateAddressCommand,
  EC2Client,
  ReplaceRouteCommand,
  StartInstancesCommand,
  StopInstancesCommand,
  type EC2Client as Ec2ClientType,
} from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceStateChange } from '../cloud.js';
import type { MockCloud } from '../index.js';
import { ec2Client, expectAwsError, GUIDE, startGuide, waitFor } from '../testing.js';

let cloud: MockCloud;
let ec2: Ec2ClientType;
const changes: InstanceStateChange[] = [];

beforeAll(async () => {
  // A stop takes 300 ms so that the calls made while an instance is stopping land in time on a loaded machine.
  cloud = await startGuide({ instanceStopDelayMs: 300, onInstanceStateChange: (change) => changes.push(change) });
  ec2 = ec2Client(cloud);
});
afterEach(() => {
  cloud.reset();
  changes.length = 0;
});
afterAll(async () => {
  ec2.destroy();
  await cloud.stop();
});

async function vipTargets(): Promise<(string | undefined)[]> {
  const out = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.destination-cidr-block', Values: ['10.1.0.20/32'] }] }));
  return (out.RouteTables ?? []).map((t) => t.Routes?.find((r) => r.DestinationCidrBlock === '10.1.0.20/32')?.NetworkInterfaceId);
}

describe('EC2 VPCs and subnets', () => {
  it('describes the VPC, with its Name tag, and filters by tag', async () => {
    const out = await ec2.send(new DescribeVpcsCommand({}));
    expect(out.Vpcs).toHaveLength(1);
    expect(out.Vpcs?.[0]).toMatchObject({ VpcId: GUIDE.vpc, CidrBlock: '10.0.0.0/16', State: 'available', IsDefault: false });
    expect(out.Vpcs?.[0]?.Tags).toEqual([{ Key: 'Name', Value: 'kumo-guide' }]);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    const byTag = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: ['kumo-*'] }] }));
    expect(byTag.Vpcs).toHaveLength(1);
    const none = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'cidr', Values: ['172.16.0.0/16'] }] }));
    expect(none.Vpcs).toEqual([]);
  });

  it('answers InvalidVpcID.NotFound for an unknown VPC ID', async () => {
    await expectAwsError(ec2.send(new DescribeVpcsCommand({ VpcIds: ['vpc-0000000000000dead'] })), 'InvalidVpcID.NotFound', "The vpc ID 'vpc-0000000000000dead' does not exist", 400);
  });

  it('describes subnets filtered by VPC and AZ', async () => {
    const all = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [GUIDE.vpc] }] }));
    expect(all.Subnets?.map((s) => s.CidrBlock)).toEqual(['10.0.10.0/24', '10.0.20.0/24', '10.0.110.0/24', '10.0.120.0/24']);
    const inA = await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'availability-zone', Values: ['ap-northeast-1a'] }] }));
    expect(inA.Subnets?.map((s) => s.SubnetId)).toEqual([GUIDE.subnet1A, GUIDE.subnet2A]);
    expect(inA.Subnets?.[1]).toMatchObject({ AvailabilityZoneId: 'apne1-az4', MapPublicIpOnLaunch: false, AvailableIpAddressCount: 250 });
    expect(inA.Subnets?.[0]?.Tags).toEqual([{ Key: 'Name', Value: 'Subnet-1A' }]);
    await expectAwsError(ec2.send(new DescribeSubnetsCommand({ SubnetIds: ['subnet-0nope'] })), 'InvalidSubnetID.NotFound', "The subnet ID 'subnet-0nope' does not exist");
  });

  it('rejects an unknown filter name as EC2 does', async () => {
    await expectAwsError(ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'bogus', Values: ['x'] }] })), 'InvalidParameterValue', "The filter 'bogus' is invalid");
  });
});

describe('EC2 route tables', () => {
  it('describes the three guide tables with their routes and associations', async () => {
    const out = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [GUIDE.vpc] }] }));
    const tables = out.RouteTables ?? [];
    expect(tables.map((t) => t.Tags?.find((tag) => tag.Key === 'Name')?.Value)).toEqual(['Public-AB', 'Private-A', 'Private-B']);
    const publicAB = tables[0];
    expect(publicAB?.Associations?.map((a) => a.SubnetId)).toEqual([GUIDE.subnet1A, GUIDE.subnet1B]);
    expect(publicAB?.Routes).toEqual([
      { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active', Origin: 'CreateRouteTable' },
      { DestinationCidrBlock: '0.0.0.0/0', GatewayId: GUIDE.igw, State: 'active', Origin: 'CreateRouteTable' },
      {
        DestinationCidrBlock: '10.1.0.20/32',
        InstanceId: GUIDE.server1,
        InstanceOwnerId: '123456789012',
        NetworkInterfaceId: GUIDE.eni1,
        State: 'active',
        Origin: 'CreateRouteTable',
      },
    ]);
    expect(tables[1]?.Routes?.[1]).toMatchObject({ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: GUIDE.nat1 });
    expect(tables[2]?.Routes?.[1]).toMatchObject({ NatGatewayId: GUIDE.nat2 });
  });

  it('filters by route-table-id, association.subnet-id and route.destination-cidr-block', async () => {
    const byId = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route-table-id', Values: [GUIDE.privateB] }] }));
    expect(byId.RouteTables?.map((t) => t.RouteTableId)).toEqual([GUIDE.privateB]);
    const bySubnet = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.subnet-id', Values: [GUIDE.subnet2A] }] }));
    expect(bySubnet.RouteTables?.map((t) => t.RouteTableId)).toEqual([GUIDE.privateA]);
    expect(await vipTargets()).toEqual([GUIDE.eni1, GUIDE.eni1, GUIDE.eni1]);
    const none = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'route.destination-cidr-block', Values: ['10.9.9.9/32'] }] }));
    expect(none.RouteTables).toEqual([]);
  });

  it('answers InvalidRouteTableID.NotFound for an unknown table in an ID list', async () => {
    await expectAwsError(
      ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [GUIDE.publicAB, 'rtb-0000000000000dead'] })),
      'InvalidRouteTableID.NotFound',
      "The routeTable ID 'rtb-0000000000000dead' does not exist",
    );
  });

  it('replaces the VIP route in every table', async () => {
    for (const table of [GUIDE.publicAB, GUIDE.privateA, GUIDE.privateB]) {
      const out = await ec2.send(new ReplaceRouteCommand({ RouteTableId: table, DestinationCidrBlock: '10.1.0.20/32', NetworkInterfaceId: GUIDE.eni2 }));
      expect(out.$metadata.httpStatusCode).toBe(200);
    }
    expect(await vipTargets()).toEqual([GUIDE.eni2, GUIDE.eni2, GUIDE.eni2]);
    const log = cloud.requests({ operation: 'ReplaceRoute' });
    expect(log).toHaveLength(3);
    expect(log[0]?.params).toEqual({ RouteTableId: GUIDE.publicAB, DestinationCidrBlock: '10.1.0.20/32', NetworkInterfaceId: GUIDE.eni2 });
    expect(log[0]).toMatchObject({ service: 'ec2', status: 200, accessKeyId: 'AKIDTEST' });
    expect(log[0]?.instanceId).toBeUndefined();
  });

  it('gives ReplaceRoute the errors EC2 gives', async () => {
    await expectAwsError(
      ec2.send(new ReplaceRouteCommand({ RouteTableId: GUIDE.publicAB, DestinationCidrBlock: '10.1.0.21/32', NetworkInterfaceId: GUIDE.eni2 })),
      'InvalidParameterValue',
      "There is no route defined for '10.1.0.21/32' in the route table. Use CreateRoute instead.",
    );
    await expectAwsError(
      ec2.send(new ReplaceRouteCommand({ RouteTableId: 'rtb-0000000000000dead', DestinationCidrBlock: '10.1.0.20/32', NetworkInterfaceId: GUIDE.eni2 })),
      'InvalidRouteTableID.NotFound',
      "The routeTable ID 'rtb-0000000000000dead' does not exist",
    );
    await expectAwsError(
      ec2.send(new ReplaceRouteCommand({ RouteTableId: GUIDE.publicAB, DestinationCidrBlock: '10.1.0.20/32', NetworkInterfaceId: 'eni-0000000000000dead' })),
      'InvalidNetworkInterfaceID.NotFound',
      "The networkInterface ID 'eni-0000000000000dead' does not exist",
    );
    await expectAwsError(
      ec2.send(new ReplaceRouteCommand({ RouteTableId: GUIDE.publicAB, DestinationCidrBlock: '10.1.0.20/32' })),
      'MissingParameter',
    );
    expect(await vipTargets()).toEqual([GUIDE.eni1, GUIDE.eni1, GUIDE.eni1]);
  });

  it('creates a route by instance ID, refuses a duplicate and deletes it', async () => {
    await ec2.send(new CreateRouteCommand({ RouteTableId: GUIDE.privateA, DestinationCidrBlock: '10.1.0.30/32', InstanceId: GUIDE.server2 }));
    const out = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [GUIDE.privateA] }));
    expect(out.RouteTables?.[0]?.Routes?.at(-1)).toMatchObject({
      DestinationCidrBlock: '10.1.0.30/32',
      NetworkInterfaceId: GUIDE.eni2,
      InstanceId: GUIDE.server2,
      Origin: 'CreateRoute',
    });
    await expectAwsError(
      ec2.send(new CreateRouteCommand({ RouteTableId: GUIDE.privateA, DestinationCidrBlock: '10.1.0.30/32', NetworkInterfaceId: GUIDE.eni1 })),
      'RouteAlreadyExists',
      'The route identified by 10.1.0.30/32 already exists.',
    );
    await ec2.send(new DeleteRouteCommand({ RouteTableId: GUIDE.privateA, DestinationCidrBlock: '10.1.0.30/32' }));
    await expectAwsError(ec2.send(new DeleteRouteCommand({ RouteTableId: GUIDE.privateA, DestinationCidrBlock: '10.1.0.30/32' })), 'InvalidRoute.NotFound');
  });

  it('shows a route to a stopped instance as a blackhole', async () => {
    await ec2.send(new StopInstancesCommand({ InstanceIds: [GUIDE.server1], Force: true }));
    await waitFor(() => changes.some((c) => c.state === 'stopped'));
    const out = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [GUIDE.privateA] }));
    expect(out.RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === '10.1.0.20/32')?.State).toBe('blackhole');
  });
});

describe('EC2 network interfaces and instances', () => {
  it('describes an ENI with its attachment, MAC and source/dest check', async () => {
    const out = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [GUIDE.eni1] }));
    expect(out.NetworkInterfaces?.[0]).toMatchObject({
      NetworkInterfaceId: GUIDE.eni1,
      SubnetId: GUIDE.subnet2A,
      VpcId: GUIDE.vpc,
      AvailabilityZone: 'ap-northeast-1a',
      MacAddress: '0a:1b:2c:3d:4e:01',
      PrivateIpAddress: '10.0.110.10',
      PrivateDnsName: 'ip-10-0-110-10.ap-northeast-1.compute.internal',
      SourceDestCheck: false,
      Status: 'in-use',
      Attachment: { InstanceId: GUIDE.server1, DeviceIndex: 0, Status: 'attached' },
    });
    expect(out.NetworkInterfaces?.[0]?.PrivateIpAddresses).toEqual([
      { PrivateIpAddress: '10.0.110.10', Primary: true, PrivateDnsName: 'ip-10-0-110-10.ap-northeast-1.compute.internal' },
    ]);
  });

  it('filters ENIs and answers InvalidNetworkInterfaceID.NotFound', async () => {
    const filter = async (Name: string, value: string) =>
      (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name, Values: [value] }] }))).NetworkInterfaces?.map((e) => e.NetworkInterfaceId);
    expect(await filter('vpc-id', GUIDE.vpc)).toEqual([GUIDE.eni1, GUIDE.eni2]);
    expect(await filter('attachment.instance-id', GUIDE.server2)).toEqual([GUIDE.eni2]);
    expect(await filter('private-ip-address', '10.0.120.10')).toEqual([GUIDE.eni2]);
    expect(await filter('addresses.private-ip-address', '10.0.110.10')).toEqual([GUIDE.eni1]);
    expect(await filter('network-interface-id', GUIDE.eni1)).toEqual([GUIDE.eni1]);
    await expectAwsError(
      ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0000000000000dead'] })),
      'InvalidNetworkInterfaceID.NotFound',
      "The networkInterface ID 'eni-0000000000000dead' does not exist",
    );
  });

  it('describes both instances running in their AZs', async () => {
    const out = await ec2.send(new DescribeInstancesCommand({}));
    const instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    expect(instances.map((i) => [i.InstanceId, i.State?.Name, i.State?.Code, i.Placement?.AvailabilityZone])).toEqual([
      [GUIDE.server1, 'running', 16, 'ap-northeast-1a'],
      [GUIDE.server2, 'running', 16, 'ap-northeast-1c'],
    ]);
    expect(instances[0]).toMatchObject({
      PrivateIpAddress: '10.0.110.10',
      SubnetId: GUIDE.subnet2A,
      VpcId: GUIDE.vpc,
      SourceDestCheck: false,
      InstanceType: 't3.small',
      IamInstanceProfile: { Arn: 'arn:aws:iam::123456789012:instance-profile/kumo-cluster-role' },
    });
    expect(instances[0]?.Tags).toEqual([{ Key: 'Name', Value: 'server1' }]);
    expect(instances[0]?.NetworkInterfaces?.[0]).toMatchObject({ NetworkInterfaceId: GUIDE.eni1, MacAddress: '0a:1b:2c:3d:4e:01' });
    expect(instances[0]?.LaunchTime).toBeInstanceOf(Date);
  });

  it('filters instances and answers InvalidInstanceID.NotFound', async () => {
    const ids = async (Name: string, value: string) =>
      (await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name, Values: [value] }] }))).Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId));
    expect(await ids('instance-id', GUIDE.server2)).toEqual([GUIDE.server2]);
    expect(await ids('vpc-id', GUIDE.vpc)).toEqual([GUIDE.server1, GUIDE.server2]);
    expect(await ids('instance-state-name', 'stopped')).toEqual([]);
    expect(await ids('network-interface.network-interface-id', GUIDE.eni1)).toEqual([GUIDE.server1]);
    expect(await ids('private-ip-address', '10.0.120.10')).toEqual([GUIDE.server2]);
    expect(await ids('tag:Name', 'server1')).toEqual([GUIDE.server1]);
    await expectAwsError(
      ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead', 'i-0000000000000beef'] })),
      'InvalidInstanceID.NotFound',
      "The instance IDs 'i-0000000000000dead, i-0000000000000beef' do not exist",
    );
  });
});

describe('EC2 Elastic IPs', () => {
  const describeEip = async () => (await ec2.send(new DescribeAddressesCommand({ AllocationIds: [GUIDE.eip] }))).Addresses?.[0];

  it('starts unassociated', async () => {
    expect(await describeEip()).toEqual({
      AllocationId: GUIDE.eip,
      Domain: 'vpc',
      Tags: [{ Key: 'Name', Value: 'kumo-guide-eip' }],
      PublicIpv4Pool: 'amazon',
      NetworkBorderGroup: 'ap-northeast-1',
      PublicIp: '203.0.113.10',
    });
  });

  it('associates, reassociates automatically with a new association ID, and disassociates', async () => {
    const first = await ec2.send(new AssociateAddressCommand({ AllocationId: GUIDE.eip, NetworkInterfaceId: GUIDE.eni1 }));
    expect(first.AssociationId).toMatch(/^eipassoc-/);
    expect(await describeEip()).toMatchObject({
      AssociationId: first.AssociationId,
      NetworkInterfaceId: GUIDE.eni1,
      InstanceId: GUIDE.server1,
      PrivateIpAddress: '10.0.110.10',
      NetworkInterfaceOwnerId: '123456789012',
    });
    const instance = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [GUIDE.server1] }));
    expect(instance.Reservations?.[0]?.Instances?.[0]?.PublicIpAddress).toBe('203.0.113.10');
    const eni = await ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [GUIDE.eni1] }));
    expect(eni.NetworkInterfaces?.[0]?.Association).toMatchObject({ PublicIp: '203.0.113.10', AllocationId: GUIDE.eip });

    const second = await ec2.send(new AssociateAddressCommand({ AllocationId: GUIDE.eip, NetworkInterfaceId: GUIDE.eni2, AllowReassociation: true }));
    expect(second.AssociationId).not.toBe(first.AssociationId);
    expect(await describeEip()).toMatchObject({ NetworkInterfaceId: GUIDE.eni2, InstanceId: GUIDE.server2, PrivateIpAddress: '10.0.120.10' });
    const third = await ec2.send(new AssociateAddressCommand({ AllocationId: GUIDE.eip, InstanceId: GUIDE.server1 }));
    expect(await describeEip()).toMatchObject({ AssociationId: third.AssociationId, NetworkInterfaceId: GUIDE.eni1 });

    await expectAwsError(
      ec2.send(new DisassociateAddressCommand({ AssociationId: second.AssociationId! })),
      'InvalidAssociationID.NotFound',
      `The association ID '${second.AssociationId!}' does not exist`,
    );
    await ec2.send(new DisassociateAddressCommand({ AssociationId: third.AssociationId! }));
    expect((await describeEip())?.AssociationId).toBeUndefined();
  });

  it('refuses a reassociation when AllowReassociation is false', async () => {
    const first = await ec2.send(new AssociateAddressCommand({ AllocationId: GUIDE.eip, NetworkInterfaceId: GUIDE.eni1 }));
    await expectAwsError(
      ec2.send(new AssociateAddressCommand({ AllocationId: GUIDE.eip, NetworkInterfaceId: GUIDE.eni2, AllowReassociation: false })),
      'Resource.AlreadyAssociated',
      `resource ${GUIDE.eip} is already associated with associate-id ${first.AssociationId!}`,
    );
  });

  it('disassociates by public IP and filters addresses', async () => {
    await ec2.send(new AssociateAddressCommand({ AllocationId: GUIDE.eip, NetworkInterfaceId: GUIDE.eni2 }));
    const byEni = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'network-interface-id', Values: [GUIDE.eni2] }] }));
    expect(byEni.Addresses?.map((a) => a.AllocationId)).toEqual([GUIDE.eip]);
    const byIp = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'public-ip', Values: ['203.0.113.10'] }] }));
    expect(byIp.Addresses).toHaveLength(1);
    await ec2.send(new DisassociateAddressCommand({ PublicIp: '203.0.113.10' }));
    const after = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'network-interface-id', Values: [GUIDE.eni2] }] }));
    expect(after.Addresses).toEqual([]);
  });

  it('answers InvalidAllocationID.NotFound', async () => {
    await expectAwsError(
      ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0000000000000dead'] })),
      'InvalidAllocationID.NotFound',
      "The allocation ID 'eipalloc-0000000000000dead' does not exist",
    );
    await expectAwsError(
      ec2.send(new AssociateAddressCommand({ AllocationId: 'eipalloc-0000000000000dead', NetworkInterfaceId: GUIDE.eni1 })),
      'InvalidAllocationID.NotFound',
      "The allocation ID 'eipalloc-0000000000000dead' does not exist",
    );
    await expectAwsError(
      ec2.send(new AssociateAddressCommand({ AllocationId: GUIDE.eip, NetworkInterfaceId: 'eni-0000000000000dead' })),
      'InvalidNetworkInterfaceID.NotFound',
    );
  });
});

describe('EC2 availability zones', () => {
  it('describes the three zones and their states', async () => {
    const out = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(out.AvailabilityZones?.map((az) => [az.ZoneName, az.ZoneId, az.State, az.RegionName])).toEqual([
      ['ap-northeast-1a', 'apne1-az4', 'available', 'ap-northeast-1'],
      ['ap-northeast-1c', 'apne1-az1', 'available', 'ap-northeast-1'],
      ['ap-northeast-1d', 'apne1-az2', 'available', 'ap-northeast-1'],
    ]);
    cloud.tamper.setAzState('ap-northeast-1c', 'impaired');
    const one = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['ap-northeast-1c'] }));
    expect(one.AvailabilityZones?.map((az) => az.State)).toEqual(['impaired']);
    const filtered = await ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }] }));
    expect(filtered.AvailabilityZones?.map((az) => az.ZoneName)).toEqual(['ap-northeast-1a', 'ap-northeast-1d']);
    const byZone = await ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'zone-name', Values: ['ap-northeast-1d'] }] }));
    expect(byZone.AvailabilityZones?.map((az) => az.ZoneId)).toEqual(['apne1-az2']);
  });

  it('answers InvalidParameterValue for an unknown zone', async () => {
    await expectAwsError(
      ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['ap-northeast-1x'] })),
      'InvalidParameterValue',
      "The zone 'ap-northeast-1x' does not exist in the region 'ap-northeast-1'",
    );
  });
});

describe('EC2 instance stop and start', () => {
  it('stops with Force through stopping to stopped, announcing each state', async () => {
    const out = await ec2.send(new StopInstancesCommand({ InstanceIds: [GUIDE.server1], Force: true }));
    expect(out.StoppingInstances).toEqual([
      { InstanceId: GUIDE.server1, CurrentState: { Code: 64, Name: 'stopping' }, PreviousState: { Code: 16, Name: 'running' } },
    ]);
    expect(changes).toEqual([{ instanceId: GUIDE.server1, name: 'server1', state: 'stopping', previousState: 'running' }]);
    await waitFor(() => changes.length === 2);
    expect(changes[1]).toEqual({ instanceId: GUIDE.server1, name: 'server1', state: 'stopped', previousState: 'stopping' });
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [GUIDE.server1] }));
    const instance = described.Reservations?.[0]?.Instances?.[0];
    expect(instance?.State).toEqual({ Code: 80, Name: 'stopped' });
    expect(instance?.StateReason?.Code).toBe('Client.UserInitiatedShutdown');
    expect(instance?.StateTransitionReason).toMatch(/^User initiated \(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT\)$/);

    const again = await ec2.send(new StopInstancesCommand({ InstanceIds: [GUIDE.server1] }));
    expect(again.StoppingInstances?.[0]?.CurrentState?.Name).toBe('stopped');

    const started = await ec2.send(new StartInstancesCommand({ InstanceIds: [GUIDE.server1] }));
    expect(started.StartingInstances).toEqual([
      { InstanceId: GUIDE.server1, CurrentState: { Code: 0, Name: 'pending' }, PreviousState: { Code: 80, Name: 'stopped' } },
    ]);
    await waitFor(() => changes.length === 4);
    expect(changes.slice(2).map((c) => [c.previousState, c.state])).toEqual([
      ['stopped', 'pending'],
      ['pending', 'running'],
    ]);
  });

  it('refuses to start a stopping instance and to stop a pending one', async () => {
    await ec2.send(new StopInstancesCommand({ InstanceIds: [GUIDE.server2] }));
    await expectAwsError(
      ec2.send(new StartInstancesCommand({ InstanceIds: [GUIDE.server2] })),
      'IncorrectInstanceState',
      `The instance '${GUIDE.server2}' is not in a state from which it can be started.`,
    );
    await waitFor(() => changes.some((c) => c.state === 'stopped'));
    await ec2.send(new StartInstancesCommand({ InstanceIds: [GUIDE.server2] }));
    await expectAwsError(
      ec2.send(new StopInstancesCommand({ InstanceIds: [GUIDE.server2] })),
      'IncorrectInstanceState',
      `The instance '${GUIDE.server2}' is not in a state from which it can be stopped.`,
    );
  });

  it('answers InvalidInstanceID.NotFound and changes nothing', async () => {
    await expectAwsError(
      ec2.send(new StopInstancesCommand({ InstanceIds: [GUIDE.server1, 'i-0000000000000dead'] })),
      'InvalidInstanceID.NotFound',
      "The instance ID 'i-0000000000000dead' does not exist",
    );
    expect(changes).toEqual([]);
  });

  it('brings stopped instances back on reset and announces it', async () => {
    await ec2.send(new StopInstancesCommand({ InstanceIds: [GUIDE.server2], Force: true }));
    await waitFor(() => changes.length === 2);
    cloud.reset();
    expect(changes.at(-1)).toEqual({ instanceId: GUIDE.server2, name: 'server2', state: 'running', previousState: 'stopped' });
  });
});

describe('EC2 protocol details', () => {
  it('answers DryRunOperation for a permitted dry run', async () => {
    await expectAwsError(
      ec2.send(new StopInstancesCommand({ InstanceIds: [GUIDE.server1], DryRun: true })),
      'DryRunOperation',
      'Request would have succeeded, but DryRun flag is set.',
      412,
    );
    expect(changes).toEqual([]);
  });

  it('answers InvalidAction for an action it does not emulate', async () => {
    await expectAwsError(ec2.send(new DescribeKeyPairsCommand({})), 'InvalidAction', 'The action DescribeKeyPairs is not valid for this web service.');
  });

  it('shows another region as empty', async () => {
    const other = new EC2Client({ region: 'us-west-2', endpoint: cloud.url, credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' }, maxAttempts: 1 });
    expect((await other.send(new DescribeVpcsCommand({}))).Vpcs).toEqual([]);
    expect((await other.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones).toEqual([]);
    await expectAwsError(other.send(new DescribeRouteTablesCommand({ RouteTableIds: [GUIDE.publicAB] })), 'InvalidRouteTableID.NotFound');
    other.destroy();
  });

  it('refuses an unsigned request with AuthFailure', async () => {
    const res = await fetch(cloud.url, { method: 'POST', body: 'Action=DescribeVpcs&Version=2016-11-15', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.text()).toMatch(/<Response><Errors><Error><Code>AuthFailure<\/Code>.*<RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/);
  });
});
