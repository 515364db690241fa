import { DescribeAvailabilityZonesCommand, DescribeRouteTablesCommand, DescribeVpcsCommand, StopInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { ListResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MockCloud } from '../index.js';
import { ec2Client, expectAwsError, GUIDE, route53Client, startGuide } from '../testing.js';

let cloud: MockCloud;
let ec2: EC2Client;
let r53: Route53Client;

beforeAll(async () => {
  cloud = await startGuide();
  ec2 = ec2Client(cloud);
  r53 = route53Client(cloud);
});
afterEach(() => cloud.reset());
afterAll(async () => {
  ec2.destroy();
  r53.destroy();
  await cloud.stop();
});

async function admin(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${cloud.url}/_admin/${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: res.status, json: await res.json() };
}

describe('admin API', () => {
  it('describes where everything listens', async () => {
    expect(await admin('GET', 'info')).toEqual({
      status: 200,
      json: { url: cloud.url, region: 'ap-northeast-1', dns: cloud.dns, imds: cloud.imds },
    });
  });

  it('dumps the state and resets it', async () => {
    cloud.tamper.pointRoute(GUIDE.privateA, '10.1.0.20/32', GUIDE.eni2);
    const { json } = await admin('GET', 'state');
    const state = json as { routeTables: { id: string; routes: { destination: string; target: string }[] }[]; instances: unknown[]; faults: unknown[] };
    expect(state.routeTables.find((t) => t.id === GUIDE.privateA)?.routes).toContainEqual({ destination: '10.1.0.20/32', target: GUIDE.eni2, origin: 'CreateRoute' });
    expect(state.instances).toHaveLength(2);
    expect(state.faults).toEqual([]);
    expect(await admin('POST', 'reset')).toEqual({ status: 200, json: { ok: true } });
    const after = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [GUIDE.privateA] }));
    expect(after.RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === '10.1.0.20/32')?.NetworkInterfaceId).toBe(GUIDE.eni1);
  });

  it('lists requests with filters and clears the log', async () => {
    await ec2.send(new DescribeVpcsCommand({}));
    await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ['ap-northeast-1a'] }));
    await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: GUIDE.zone }));
    const all = (await admin('GET', 'requests')).json as { seq: number; operation: string; service: string }[];
    expect(all.map((e) => `${e.service}:${e.operation}`)).toEqual(['ec2:DescribeVpcs', 'ec2:DescribeAvailabilityZones', 'route53:ListResourceRecordSets']);
    const azs = (await admin('GET', 'requests?operation=DescribeAvailabilityZones')).json as { params: unknown }[];
    expect(azs).toMatchObject([{ params: { 'ZoneName.1': 'ap-northeast-1a' }, status: 200 }]);
    const since = (await admin('GET', `requests?since=${all[0]?.seq ?? 0}&service=route53`)).json as unknown[];
    expect(since).toHaveLength(1);
    expect((await admin('GET', 'requests?since=abc')).status).toBe(400);
    await admin('DELETE', 'requests');
    expect((await admin('GET', 'requests')).json).toEqual([]);
  });

  it('injects, lists, removes and clears faults', async () => {
    const { status, json } = await admin('POST', 'faults', { operation: 'DescribeVpcs', kind: 'error', code: 'Throttling', count: 1 });
    expect(status).toBe(200);
    const id = (json as { id: string }).id;
    await expectAwsError(ec2.send(new DescribeVpcsCommand({})), 'RequestLimitExceeded', 'Request limit exceeded.', 503);
    await admin('POST', 'faults', { operation: 'DescribeVpcs', kind: 'latency', delayMs: 5 });
    const listed = (await admin('GET', 'faults')).json as { faults: { id: string }[] };
    expect(listed.faults).toHaveLength(1);
    expect(listed.faults[0]?.id).not.toBe(id);
    expect((await admin('DELETE', `faults/${listed.faults[0]?.id ?? ''}`)).status).toBe(200);
    expect((await admin('DELETE', 'faults/fault-999')).status).toBe(404);
    await admin('POST', 'faults', { operation: '*', kind: 'hang' });
    await admin('DELETE', 'faults');
    await ec2.send(new DescribeVpcsCommand({}));
  });

  it('rejects a malformed fault with 400 and a reason', async () => {
    expect(await admin('POST', 'faults', { operation: 'DescribeVpcs', kind: 'explode' })).toEqual({
      status: 400,
      json: { error: 'BadRequest', message: 'kind must be one of error, latency, hang, reset' },
    });
    expect((await admin('POST', 'faults', { kind: 'error' })).json).toMatchObject({ message: 'operation is required (a string)' });
    const res = await fetch(`${cloud.url}/_admin/faults`, { method: 'POST', body: '{nope' });
    expect(res.status).toBe(400);
  });

  it('denies and allows actions', async () => {
    await admin('POST', 'faults/deny', { action: 'DescribeVpcs', instanceId: GUIDE.server1 });
    await admin('POST', 'faults/deny', { action: 'DescribeAvailabilityZones' });
    expect(((await admin('GET', 'faults')).json as { denied: unknown[] }).denied).toEqual([
      { action: 'DescribeVpcs', instanceId: GUIDE.server1 },
      { action: 'DescribeAvailabilityZones' },
    ]);
    await ec2.send(new DescribeVpcsCommand({}));
    await expectAwsError(ec2.send(new DescribeAvailabilityZonesCommand({})), 'UnauthorizedOperation');
    await admin('POST', 'faults/allow', { action: 'DescribeAvailabilityZones' });
    await ec2.send(new DescribeAvailabilityZonesCommand({}));
  });

  it('tampers with routes, addresses, records, AZs and instances', async () => {
    expect((await admin('POST', 'tamper/point-route', { routeTableId: GUIDE.publicAB, cidr: '10.1.0.20/32', eniId: GUIDE.eni2 })).status).toBe(200);
    expect((await admin('POST', 'tamper/point-route', { routeTableId: GUIDE.publicAB, cidr: '10.9.0.0/16', eniId: GUIDE.eni2 })).json).toEqual({
      error: 'InvalidParameterValue',
      message: "There is no route defined for '10.9.0.0/16' in the route table. Use CreateRoute instead.",
    });
    expect((await admin('POST', 'tamper/point-route', { routeTableId: GUIDE.publicAB, cidr: '10.1.0.20/32', eniId: 'eni-0nope' })).status).toBe(404);
    expect((await admin('POST', 'tamper/disassociate-address', { allocationId: GUIDE.eip })).status).toBe(200);
    expect((await admin('POST', 'tamper/change-record', { zoneId: GUIDE.zone, name: 'srv.hz1.local', type: 'A', values: ['10.0.0.9'] })).status).toBe(200);
    const records = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: GUIDE.zone }));
    expect(records.ResourceRecordSets?.find((r) => r.Type === 'A')).toEqual({ Name: 'srv.hz1.local.', Type: 'A', TTL: 300, ResourceRecords: [{ Value: '10.0.0.9' }] });
    expect((await admin('POST', 'tamper/delete-record', { zoneId: GUIDE.zone, name: 'srv.hz1.local', type: 'A' })).status).toBe(200);
    expect((await admin('POST', 'tamper/delete-record', { zoneId: 'Z0NOPE', name: 'srv.hz1.local', type: 'A' })).status).toBe(404);
    expect((await admin('POST', 'az', { zoneName: 'ap-northeast-1d', state: 'information' })).status).toBe(200);
    expect((await admin('POST', 'tamper/set-az-state', { zoneName: 'ap-northeast-1c', state: 'impaired' })).status).toBe(200);
    expect((await admin('POST', 'az', { zoneName: 'ap-northeast-1c', state: 'broken' })).status).toBe(400);
    const azs = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    expect(azs.AvailabilityZones?.map((az) => az.State)).toEqual(['available', 'impaired', 'information']);
    expect((await admin('POST', 'tamper/stop-instance', { instanceId: GUIDE.server1 })).status).toBe(200);
    expect((await admin('POST', 'tamper/start-instance', { instanceId: 'i-0nope' })).status).toBe(404);
  });

  it('answers 404 for an unknown endpoint', async () => {
    expect(await admin('GET', 'nothing')).toEqual({ status: 404, json: { error: 'NotFound', message: 'no admin endpoint GET /_admin/nothing' } });
  });
});

describe('admin events (Server-Sent Events)', () => {
  it('streams instance state changes, tampering and faults', async () => {
    const controller = new AbortController();
    const res = await fetch(`${cloud.url}/_admin/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      while (!pattern.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error('event stream ended');
        text += decoder.decode(value);
      }
    };
    await readUntil(/^: kumo-mock-cloud events/);
    await ec2.send(new StopInstancesCommand({ InstanceIds: [GUIDE.server2], Force: true }));
    cloud.tamper.setAzState('ap-northeast-1a', 'impaired');
    cloud.faults.inject({ operation: 'DescribeVpcs', kind: 'latency', delayMs: 1 });
    await readUntil(/"state":"stopped"/);
    await readUntil(/event: fault/);
    controller.abort();
    const messages = text
      .split('\n\n')
      .filter((block) => block.startsWith('event:'))
      .map((block) => {
        const [eventLine, dataLine] = block.split('\n');
        return { event: eventLine?.slice('event: '.length), data: JSON.parse(dataLine?.slice('data: '.length) ?? '{}') as Record<string, unknown> };
      });
    expect(messages.map((m) => m.event)).toEqual(['instance-state', 'tamper', 'fault', 'instance-state']);
    expect(messages[0]?.data).toMatchObject({ type: 'instance-state', instanceId: GUIDE.server2, name: 'server2', state: 'stopping', previousState: 'running' });
    expect(messages[3]?.data).toMatchObject({ state: 'stopped', previousState: 'stopping' });
    expect(typeof messages[0]?.data['time']).toBe('string');
  });
});
