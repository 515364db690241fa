import {
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  ReplaceRouteCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { ChangeResourceRecordSetsCommand, ListHostedZonesCommand, ListResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent } from './events.js';
import { instanceCredentials, type MockCloud } from './index.js';
import { ec2Client, expectAwsError, GUIDE, route53Client, startGuide } from './testing.js';

let cloud: MockCloud;
let ec2: EC2Client;
let r53: Route53Client;
const events: CloudEvent[] = [];

beforeAll(async () => {
  cloud = await startGuide();
  cloud.onEvent((event) => events.push(event));
  ec2 = ec2Client(cloud);
  r53 = route53Client(cloud);
});
afterEach(() => {
  cloud.reset();
  events.length = 0;
});
afterAll(async () => {
  ec2.destroy();
  r53.destroy();
  await cloud.stop();
});

const replaceVip = (client: EC2Client, table: string = GUIDE.privateA) =>
  client.send(new ReplaceRouteCommand({ RouteTableId: table, DestinationCidrBlock: '10.1.0.20/32', NetworkInterfaceId: GUIDE.eni2 }));

function asInstance(instanceId: string): EC2Client {
  return ec2Client(cloud, instanceCredentials(instanceId));
}

describe('injected faults', () => {
  it('delays an answer by the injected latency, once when counted', async () => {
    cloud.faults.inject({ operation: 'DescribeVpcs', kind: 'latency', delayMs: 400, count: 1 });
    let start = Date.now();
    await ec2.send(new DescribeVpcsCommand({}));
    expect(Date.now() - start).toBeGreaterThanOrEqual(390);
    start = Date.now();
    await ec2.send(new DescribeVpcsCommand({}));
    expect(Date.now() - start).toBeLessThan(390);
  });

  it('hangs until the client gives up, logging the call as unanswered', async () => {
    cloud.faults.inject({ operation: 'ReplaceRoute', kind: 'hang' });
    const error = await ec2
      .send(new ReplaceRouteCommand({ RouteTableId: GUIDE.privateA, DestinationCidrBlock: '10.1.0.20/32', NetworkInterfaceId: GUIDE.eni2 }), {
        abortSignal: AbortSignal.timeout(200),
      })
      .then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    expect(error?.name).toMatch(/Abort|Timeout/);
    expect(cloud.requests({ operation: 'ReplaceRoute' })).toMatchObject([{ status: 0 }]);
    const tables = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [GUIDE.privateA] }));
    expect(tables.RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === '10.1.0.20/32')?.NetworkInterfaceId).toBe(GUIDE.eni1);
  });

  it('drops the connection without an answer: the client sees ECONNRESET and nothing changed', async () => {
    cloud.faults.inject({ operation: 'ReplaceRoute', kind: 'reset', count: 1 });
    const error = await replaceVip(ec2).then(
      () => undefined,
      (e: unknown) => e as Error & { code?: string },
    );
    expect(error?.code).toBe('ECONNRESET');
    expect(cloud.requests({ operation: 'ReplaceRoute' })).toMatchObject([{ status: 0 }]);
    const tables = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [GUIDE.privateA] }));
    expect(tables.RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === '10.1.0.20/32')?.NetworkInterfaceId).toBe(GUIDE.eni1);
  });

  it('answers an error for the next N calls, then recovers', async () => {
    cloud.faults.inject({ operation: 'DescribeRouteTables', kind: 'error', code: 'InternalError', count: 2 });
    for (let i = 0; i < 2; i++) {
      const error = await expectAwsError(ec2.send(new DescribeRouteTablesCommand({})), 'InternalError', 'An internal error has occurred', 500);
      expect((error as unknown as { $fault: string }).$fault).toBe('server');
    }
    expect((await ec2.send(new DescribeRouteTablesCommand({}))).RouteTables).toHaveLength(3);
    expect(cloud.requests({ operation: 'DescribeRouteTables' }).map((e) => [e.status, e.errorCode])).toEqual([
      [500, 'InternalError'],
      [500, 'InternalError'],
      [200, undefined],
    ]);
  });

  it('throttles EC2 with RequestLimitExceeded 503 and Route 53 with Throttling 400', async () => {
    cloud.faults.inject({ operation: '*', kind: 'error', code: 'Throttling', count: 2 });
    await expectAwsError(ec2.send(new DescribeAddressesCommand({})), 'RequestLimitExceeded', 'Request limit exceeded.', 503);
    await expectAwsError(r53.send(new ListHostedZonesCommand({})), 'Throttling', 'Rate exceeded', 400);
    await ec2.send(new DescribeAddressesCommand({}));
  });

  it('answers a 5xx with a chosen status and message', async () => {
    cloud.faults.inject({ operation: 'ListResourceRecordSets', kind: 'error', code: 'ServiceUnavailable', count: 1 });
    await expectAwsError(r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: GUIDE.zone })), 'ServiceUnavailable', undefined, 503);
    cloud.faults.inject({ operation: 'DescribeVpcs', kind: 'error', code: 'Unavailable', status: 502, message: 'gateway trouble', count: 1 });
    await expectAwsError(ec2.send(new DescribeVpcsCommand({})), 'Unavailable', 'gateway trouble', 502);
  });

  it('injects UnauthorizedOperation as an error answer', async () => {
    cloud.faults.inject({ operation: 'ReplaceRoute', kind: 'error', code: 'UnauthorizedOperation', count: 1 });
    await expectAwsError(replaceVip(ec2), 'UnauthorizedOperation', 'You are not authorized to perform this operation.', 403);
  });

  it('limits a fault to one calling instance', async () => {
    cloud.faults.inject({ operation: 'ReplaceRoute', kind: 'error', code: 'InternalError', instanceId: GUIDE.server2 });
    const server2 = asInstance(GUIDE.server2);
    const server1 = asInstance(GUIDE.server1);
    await expectAwsError(replaceVip(server2), 'InternalError');
    await replaceVip(server1);
    await replaceVip(ec2, GUIDE.privateB);
    expect(cloud.requests({ operation: 'ReplaceRoute' }).map((e) => [e.instanceId, e.status])).toEqual([
      [GUIDE.server2, 500],
      [GUIDE.server1, 200],
      [undefined, 200],
    ]);
    server1.destroy();
    server2.destroy();
  });

  it('removes one fault, lists and clears them', async () => {
    const id = cloud.faults.inject({ operation: 'DescribeVpcs', kind: 'error', code: 'InternalError' });
    cloud.faults.inject({ operation: 'DescribeAvailabilityZones', kind: 'latency', delayMs: 10 });
    expect(cloud.faults.list().faults.map((f) => f.operation)).toEqual(['DescribeVpcs', 'DescribeAvailabilityZones']);
    expect(cloud.faults.remove(id)).toBe(true);
    await ec2.send(new DescribeVpcsCommand({}));
    cloud.faults.clear();
    expect(cloud.faults.list()).toEqual({ faults: [], denied: [] });
    expect(events.filter((e) => e.type === 'fault').map((e) => (e.type === 'fault' ? e.action : ''))).toEqual(['inject', 'inject', 'remove', 'clear']);
  });

  it('refuses a malformed fault', () => {
    expect(() => cloud.faults.inject({ operation: 'DescribeVpcs', kind: 'latency' })).toThrow(/delayMs/);
    expect(() => cloud.faults.inject({ operation: 'DescribeVpcs', kind: 'error', count: 0 })).toThrow(/count/);
  });

  it('leaves IMDS alone under "*" and hits it only when named', async () => {
    cloud.faults.inject({ operation: '*', kind: 'error', code: 'InternalError' });
    const put = () => fetch(`${cloud.imds[GUIDE.server1]}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } });
    expect((await put()).status).toBe(200);
    cloud.faults.inject({ operation: 'GetToken', service: 'imds', kind: 'error', status: 503, count: 1 });
    expect((await put()).status).toBe(503);
    expect((await put()).status).toBe(200);
  });
});

describe('IAM revocation', () => {
  it('answers UnauthorizedOperation until the action is allowed again', async () => {
    cloud.faults.denyAction('ReplaceRoute');
    await expectAwsError(replaceVip(ec2), 'UnauthorizedOperation', 'You are not authorized to perform this operation.', 403);
    await ec2.send(new DescribeAvailabilityZonesCommand({}));
    cloud.faults.allowAction('ReplaceRoute');
    await replaceVip(ec2);
  });

  it('revokes one instance only, with IAM-style action names', async () => {
    cloud.faults.denyAction('ec2:*', GUIDE.server1);
    const server1 = asInstance(GUIDE.server1);
    await expectAwsError(server1.send(new DescribeVpcsCommand({})), 'UnauthorizedOperation');
    await ec2.send(new DescribeVpcsCommand({}));
    server1.destroy();
  });

  it('answers AccessDenied on Route 53, naming the role session', async () => {
    cloud.faults.denyAction('route53:ChangeResourceRecordSets');
    const { accessKeyId, secretAccessKey } = instanceCredentials(GUIDE.server2);
    const client = route53Client(cloud, { accessKeyId, secretAccessKey });
    await expectAwsError(
      client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: GUIDE.zone,
          ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: 'x.hz1.local', Type: 'A', TTL: 5, ResourceRecords: [{ Value: '10.0.0.1' }] } }] },
        }),
      ),
      'AccessDenied',
      `User: arn:aws:sts::123456789012:assumed-role/kumo-cluster-role/${GUIDE.server2} is not authorized to perform: route53:ChangeResourceRecordSets on resource: arn:aws:route53:::hostedzone/${GUIDE.zone}`,
      403,
    );
    client.destroy();
  });
});

describe('tampering', () => {
  it('points a route at another ENI', async () => {
    cloud.tamper.pointRoute(GUIDE.publicAB, '10.1.0.20/32', GUIDE.eni2);
    const out = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [GUIDE.publicAB] }));
    expect(out.RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === '10.1.0.20/32')).toMatchObject({ NetworkInterfaceId: GUIDE.eni2, InstanceId: GUIDE.server2 });
    expect(events).toMatchObject([{ type: 'tamper', action: 'point-route', detail: { routeTableId: GUIDE.publicAB, eniId: GUIDE.eni2 } }]);
    expect(() => cloud.tamper.pointRoute('rtb-0nope', '10.1.0.20/32', GUIDE.eni2)).toThrow("The routeTable ID 'rtb-0nope' does not exist");
  });

  it('disassociates the EIP', async () => {
    await ec2.send(new AssociateAddressCommand({ AllocationId: GUIDE.eip, NetworkInterfaceId: GUIDE.eni1 }));
    cloud.tamper.disassociateAddress(GUIDE.eip);
    const out = await ec2.send(new DescribeAddressesCommand({ AllocationIds: [GUIDE.eip] }));
    expect(out.Addresses?.[0]?.AssociationId).toBeUndefined();
  });

  it('changes and deletes records behind the API', async () => {
    cloud.tamper.changeRecord(GUIDE.zone, 'srv.hz1.local', 'A', ['192.0.2.7'], 15);
    const list = async () => (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: GUIDE.zone }))).ResourceRecordSets?.filter((r) => r.Type === 'A');
    expect(await list()).toEqual([{ Name: 'srv.hz1.local.', Type: 'A', TTL: 15, ResourceRecords: [{ Value: '192.0.2.7' }] }]);
    cloud.tamper.deleteRecord(GUIDE.zone, 'srv.hz1.local', 'A');
    expect(await list()).toEqual([]);
    expect(() => cloud.tamper.deleteRecord(GUIDE.zone, 'srv.hz1.local', 'A')).toThrow(/but it was not found/);
    expect(() => cloud.tamper.changeRecord(GUIDE.zone, 'srv.hz1.local', 'A', ['not-an-ip'])).toThrow(/Invalid Resource Record/);
  });

  it('sets an AZ state and refuses an unknown zone', async () => {
    cloud.tamper.setAzState('ap-northeast-1a', 'unavailable');
    const out = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['ap-northeast-1a'] }));
    expect(out.AvailabilityZones?.[0]?.State).toBe('unavailable');
    expect(events).toMatchObject([{ type: 'tamper', action: 'set-az-state', detail: { zoneName: 'ap-northeast-1a', state: 'unavailable', previousState: 'available' } }]);
    expect(() => cloud.tamper.setAzState('ap-northeast-1x', 'impaired')).toThrow("The zone 'ap-northeast-1x' does not exist in the region 'ap-northeast-1'");
  });

  it('stops an instance from outside, announced like any stop', async () => {
    cloud.tamper.stopInstance(GUIDE.server2);
    expect(events.map((e) => e.type)).toEqual(['instance-state', 'tamper']);
    expect(events[0]).toMatchObject({ instanceId: GUIDE.server2, state: 'stopping', previousState: 'running' });
  });
});
