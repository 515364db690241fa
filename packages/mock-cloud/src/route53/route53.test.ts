import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  InvalidChangeBatch,
  InvalidInput,
  ListHostedZonesByNameCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
  type Change,
  type RRType,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MockCloud } from '../index.js';
import { expectAwsError, GUIDE, route53Client, startGuide, waitFor } from '../testing.js';

let cloud: MockCloud;
let r53: Route53Client;

beforeAll(async () => {
  cloud = await startGuide({ changeSyncDelayMs: 300 });
  r53 = route53Client(cloud);
});
afterEach(() => cloud.reset());
afterAll(async () => {
  r53.destroy();
  await cloud.stop();
});

const a = (name: string, ip: string | string[], ttl = 30): ResourceRecordSet => ({
  Name: name,
  Type: 'A',
  TTL: ttl,
  ResourceRecords: (Array.isArray(ip) ? ip : [ip]).map((Value) => ({ Value })),
});

function change(...changes: Change[]) {
  return r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: GUIDE.zone, ChangeBatch: { Changes: changes } }));
}

async function records(): Promise<ResourceRecordSet[]> {
  return (await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: GUIDE.zone }))).ResourceRecordSets ?? [];
}

describe('Route 53 hosted zones', () => {
  it('lists the private zone with its record count', async () => {
    const out = await r53.send(new ListHostedZonesCommand({}));
    expect(out.HostedZones).toEqual([
      {
        Id: `/hostedzone/${GUIDE.zone}`,
        Name: 'hz1.local.',
        CallerReference: `kumo-mock-cloud-${GUIDE.zone}`,
        Config: { Comment: "The guide's private hosted zone (figure 7.1)", PrivateZone: true },
        ResourceRecordSetCount: 2,
      },
    ]);
    expect(out.IsTruncated).toBe(false);
    const byName = await r53.send(new ListHostedZonesByNameCommand({ DNSName: 'hz1.local' }));
    expect(byName.HostedZones?.map((z) => z.Id)).toEqual([`/hostedzone/${GUIDE.zone}`]);
  });

  it('gets the zone with its VPC association, accepting the /hostedzone/ prefix', async () => {
    const out = await r53.send(new GetHostedZoneCommand({ Id: `/hostedzone/${GUIDE.zone}` }));
    expect(out.HostedZone?.Name).toBe('hz1.local.');
    expect(out.VPCs).toEqual([{ VPCRegion: 'ap-northeast-1', VPCId: GUIDE.vpc }]);
    expect(out.DelegationSet).toBeUndefined();
  });

  it('answers NoSuchHostedZone', async () => {
    const error = await expectAwsError(r53.send(new GetHostedZoneCommand({ Id: 'Z0NOPE' })), 'NoSuchHostedZone', 'No hosted zone found with ID: Z0NOPE', 404);
    expect(error).toBeInstanceOf(NoSuchHostedZone);
    await expectAwsError(r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: 'Z0NOPE' })), 'NoSuchHostedZone');
    await expectAwsError(
      r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: 'Z0NOPE', ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: a('x.hz1.local', '10.0.0.1') }] } })),
      'NoSuchHostedZone',
      'No hosted zone found with ID: Z0NOPE',
    );
  });
});

describe('Route 53 record sets', () => {
  it('starts with the SOA and NS records Route 53 creates', async () => {
    const list = await records();
    expect(list.map((r) => [r.Name, r.Type, r.TTL])).toEqual([
      ['hz1.local.', 'NS', 172800],
      ['hz1.local.', 'SOA', 900],
    ]);
    expect(list[1]?.ResourceRecords?.[0]?.Value).toBe('ns-1536.awsdns-00.co.uk. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400');
  });

  it('creates a record (name without the dot, mixed case) and goes PENDING then INSYNC', async () => {
    const out = await change({ Action: 'CREATE', ResourceRecordSet: a('Srv.HZ1.local', '10.0.110.10') });
    expect(out.ChangeInfo?.Status).toBe('PENDING');
    expect(out.ChangeInfo?.Id).toMatch(/^\/change\/C[0-9A-Z]+$/);
    expect(out.ChangeInfo?.SubmittedAt).toBeInstanceOf(Date);
    expect((await records()).find((r) => r.Type === 'A')).toEqual(a('srv.hz1.local.', '10.0.110.10'));
    const id = out.ChangeInfo!.Id!;
    expect((await r53.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status).toBe('PENDING');
    await waitFor(async () => (await r53.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status === 'INSYNC');
    expect(cloud.requests({ operation: 'ChangeResourceRecordSets' })[0]?.params).toMatchObject({
      id: GUIDE.zone,
      changeBatch: { changes: [{ action: 'CREATE', name: 'srv.hz1.local.', type: 'A', ttl: 30, values: ['10.0.110.10'] }] },
    });
  });

  it('refuses to CREATE an existing record', async () => {
    await change({ Action: 'CREATE', ResourceRecordSet: a('srv.hz1.local.', '10.0.110.10') });
    const error = await expectAwsError(
      change({ Action: 'CREATE', ResourceRecordSet: a('srv.hz1.local', '10.0.120.10') }),
      'InvalidChangeBatch',
      "[Tried to create resource record set [name='srv.hz1.local.', type='A'] but it already exists]",
      400,
    );
    expect(error).toBeInstanceOf(InvalidChangeBatch);
  });

  it('UPSERTs over an existing record', async () => {
    await change({ Action: 'CREATE', ResourceRecordSet: a('srv.hz1.local.', '10.0.110.10') });
    await change({ Action: 'UPSERT', ResourceRecordSet: a('srv.hz1.local.', '10.0.120.10', 60) });
    expect((await records()).filter((r) => r.Type === 'A')).toEqual([a('srv.hz1.local.', '10.0.120.10', 60)]);
  });

  it('DELETEs only an exact match', async () => {
    await change({ Action: 'CREATE', ResourceRecordSet: a('srv.hz1.local.', ['10.0.110.10', '10.0.110.11']) });
    await expectAwsError(
      change({ Action: 'DELETE', ResourceRecordSet: a('srv.hz1.local.', '10.0.110.10') }),
      'InvalidChangeBatch',
      "[Tried to delete resource record set [name='srv.hz1.local.', type='A'] but the values provided do not match the current values]",
    );
    await expectAwsError(
      change({ Action: 'DELETE', ResourceRecordSet: a('srv.hz1.local.', ['10.0.110.10', '10.0.110.11'], 300) }),
      'InvalidChangeBatch',
      "[Tried to delete resource record set [name='srv.hz1.local.', type='A'] but the values provided do not match the current values]",
    );
    await expectAwsError(
      change({ Action: 'DELETE', ResourceRecordSet: a('other.hz1.local.', '10.0.110.10') }),
      'InvalidChangeBatch',
      "[Tried to delete resource record set [name='other.hz1.local.', type='A'] but it was not found]",
    );
    await change({ Action: 'DELETE', ResourceRecordSet: a('SRV.hz1.local', ['10.0.110.11', '10.0.110.10']) });
    expect((await records()).filter((r) => r.Type === 'A')).toEqual([]);
  });

  it('applies a batch atomically and reports every problem', async () => {
    await expectAwsError(
      change(
        { Action: 'CREATE', ResourceRecordSet: a('one.hz1.local.', '10.0.0.1') },
        { Action: 'DELETE', ResourceRecordSet: a('two.hz1.local.', '10.0.0.2') },
        { Action: 'CREATE', ResourceRecordSet: a('www.example.com.', '10.0.0.3') },
      ),
      'InvalidChangeBatch',
      "[Tried to delete resource record set [name='two.hz1.local.', type='A'] but it was not found, RRSet with DNS name www.example.com. is not permitted in zone hz1.local.]",
    );
    expect(await records()).toHaveLength(2);
    await change(
      { Action: 'CREATE', ResourceRecordSet: a('one.hz1.local.', '10.0.0.1') },
      { Action: 'DELETE', ResourceRecordSet: a('one.hz1.local.', '10.0.0.1') },
      { Action: 'CREATE', ResourceRecordSet: a('one.hz1.local.', '10.0.0.9') },
    );
    expect((await records()).filter((r) => r.Type === 'A')).toEqual([a('one.hz1.local.', '10.0.0.9')]);
  });

  it('validates values, CNAME conflicts and the apex records', async () => {
    await expectAwsError(
      change({ Action: 'CREATE', ResourceRecordSet: a('bad.hz1.local.', '10.0.0') }),
      'InvalidChangeBatch',
      "[Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '10.0.0'']",
    );
    await expectAwsError(
      change({ Action: 'CREATE', ResourceRecordSet: { Name: 't.hz1.local.', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: 'no quotes' }] } }),
      'InvalidChangeBatch',
      /InvalidCharacterString \(Value should be enclosed in quotation marks\)/,
    );
    await change({ Action: 'CREATE', ResourceRecordSet: a('srv.hz1.local.', '10.0.0.1') });
    await expectAwsError(
      change({ Action: 'CREATE', ResourceRecordSet: { Name: 'srv.hz1.local.', Type: 'CNAME', TTL: 60, ResourceRecords: [{ Value: 'x.hz1.local.' }] } }),
      'InvalidChangeBatch',
      '[RRSet of type CNAME with DNS name srv.hz1.local. is not permitted because a conflicting RRSet of type A with the same DNS name already exists in zone hz1.local.]',
    );
    const soa = (await records()).find((r) => r.Type === 'SOA')!;
    await expectAwsError(change({ Action: 'DELETE', ResourceRecordSet: soa }), 'InvalidChangeBatch', '[A HostedZone must contain exactly one SOA record.]');
  });

  it('answers InvalidInput for a record set without TTL and values', async () => {
    const error = await expectAwsError(
      change({ Action: 'CREATE', ResourceRecordSet: { Name: 'x.hz1.local', Type: 'A' } }),
      'InvalidInput',
      'Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=CREATE, Name=x.hz1.local., Type=A, SetIdentifier=null]',
    );
    expect(error).toBeInstanceOf(InvalidInput);
  });

  it('paginates ListResourceRecordSets in reversed-label order', async () => {
    await change(
      { Action: 'CREATE', ResourceRecordSet: a('b.hz1.local.', '10.0.0.2') },
      { Action: 'CREATE', ResourceRecordSet: a('a.hz1.local.', '10.0.0.1') },
      { Action: 'CREATE', ResourceRecordSet: { Name: 'a.hz1.local.', Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"hello"' }] } },
      { Action: 'CREATE', ResourceRecordSet: a('x.a.hz1.local.', '10.0.0.3') },
    );
    const first = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: GUIDE.zone, MaxItems: 2 }));
    expect(first.ResourceRecordSets?.map((r) => `${r.Name} ${r.Type}`)).toEqual(['hz1.local. NS', 'hz1.local. SOA']);
    expect(first).toMatchObject({ IsTruncated: true, NextRecordName: 'a.hz1.local.', NextRecordType: 'A', MaxItems: 2 });
    const second = await r53.send(
      new ListResourceRecordSetsCommand({ HostedZoneId: GUIDE.zone, MaxItems: 2, StartRecordName: first.NextRecordName, StartRecordType: first.NextRecordType }),
    );
    expect(second.ResourceRecordSets?.map((r) => `${r.Name} ${r.Type}`)).toEqual(['a.hz1.local. A', 'a.hz1.local. TXT']);
    const all: string[] = [];
    let next: { StartRecordName?: string; StartRecordType?: RRType } = {};
    for (let page = 0; page < 10; page++) {
      const out = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: GUIDE.zone, MaxItems: 2, ...next }));
      all.push(...(out.ResourceRecordSets ?? []).map((r) => `${r.Name} ${r.Type}`));
      if (!out.IsTruncated) break;
      next = { StartRecordName: out.NextRecordName!, StartRecordType: out.NextRecordType! };
    }
    expect(all).toEqual(['hz1.local. NS', 'hz1.local. SOA', 'a.hz1.local. A', 'a.hz1.local. TXT', 'x.a.hz1.local. A', 'b.hz1.local. A']);
    const fromName = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: GUIDE.zone, StartRecordName: 'b.hz1.local' }));
    expect(fromName.ResourceRecordSets?.map((r) => r.Name)).toEqual(['b.hz1.local.']);
    expect(fromName.IsTruncated).toBe(false);
  });

  it('answers NoSuchChange for an unknown change', async () => {
    await expectAwsError(r53.send(new GetChangeCommand({ Id: '/change/C0NOPE' })), 'NoSuchChange', undefined, 404);
  });

  it('accepts a trailing slash on the rrset path, as botocore sends', async () => {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?><ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes><Change><Action>UPSERT</Action>' +
      '<ResourceRecordSet><Name>slash.hz1.local</Name><Type>A</Type><TTL>30</TTL><ResourceRecords><ResourceRecord><Value>10.0.0.5</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change></Changes></ChangeBatch></ChangeResourceRecordSetsRequest>';
    const res = await fetch(`${cloud.url}/2013-04-01/hostedzone/${GUIDE.zone}/rrset/`, {
      method: 'POST',
      body,
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDTEST/20250101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=x' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/<ChangeResourceRecordSetsResponse xmlns="https:\/\/route53.amazonaws.com\/doc\/2013-04-01\/"><ChangeInfo><Id>\/change\/C/);
    expect((await records()).map((r) => r.Name)).toContain('slash.hz1.local.');
    const malformed = await fetch(`${cloud.url}/2013-04-01/hostedzone/${GUIDE.zone}/rrset`, {
      method: 'POST',
      body: '<ChangeResourceRecordSetsRequest><ChangeBatch>',
      headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKIDTEST/20250101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=x' },
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).toMatch(/<ErrorResponse xmlns="[^"]+"><Error><Type>Sender<\/Type><Code>InvalidInput<\/Code>/);
  });
});
