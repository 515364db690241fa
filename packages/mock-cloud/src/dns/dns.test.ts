import { ChangeResourceRecordSetsCommand, GetChangeCommand, type Change, type Route53Client } from '@aws-sdk/client-route-53';
import dnsPacket from 'dns-packet';
import { createSocket } from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MockCloud } from '../index.js';
import { GUIDE, route53Client, startGuide, waitFor } from '../testing.js';

let cloud: MockCloud;
let r53: Route53Client;
let resolver: Resolver;

beforeAll(async () => {
  // Long enough that the assertions made while a change is PENDING hold on a loaded machine.
  cloud = await startGuide({ changeSyncDelayMs: 300 });
  r53 = route53Client(cloud);
  resolver = new Resolver({ timeout: 500, tries: 1 });
  resolver.setServers([`${cloud.dns.host}:${cloud.dns.port}`]);
});
afterEach(() => cloud.reset());
afterAll(async () => {
  r53.destroy();
  await cloud.stop();
});

async function changeAndSync(...changes: Change[]): Promise<void> {
  const out = await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: GUIDE.zone, ChangeBatch: { Changes: changes } }));
  const id = out.ChangeInfo!.Id!;
  await waitFor(async () => (await r53.send(new GetChangeCommand({ Id: id }))).ChangeInfo?.Status === 'INSYNC');
}

const upsert = (Name: string, Type: 'A' | 'TXT' | 'CNAME' | 'AAAA', TTL: number, ...values: string[]): Change => ({
  Action: 'UPSERT',
  ResourceRecordSet: { Name, Type, TTL, ResourceRecords: values.map((Value) => ({ Value })) },
});

async function dnsError(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (error: unknown) => (error as NodeJS.ErrnoException).code,
  );
}

describe('authoritative DNS over UDP', () => {
  it('serves a record only once its change is INSYNC, with its TTL', async () => {
    const out = await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: GUIDE.zone, ChangeBatch: { Changes: [upsert('srv.hz1.local', 'A', 30, '10.0.110.10')] } }));
    expect(await dnsError(resolver.resolve4('srv.hz1.local'))).toBe('ENOTFOUND');
    await waitFor(async () => (await r53.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id! }))).ChangeInfo?.Status === 'INSYNC');
    expect(await resolver.resolve4('srv.hz1.local', { ttl: true })).toEqual([{ address: '10.0.110.10', ttl: 30 }]);
    expect(await resolver.resolve4('SRV.Hz1.Local')).toEqual(['10.0.110.10']);
  });

  it('keeps answering the old value while an UPSERT is PENDING', async () => {
    await changeAndSync(upsert('srv.hz1.local', 'A', 30, '10.0.110.10'));
    await r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: GUIDE.zone, ChangeBatch: { Changes: [upsert('srv.hz1.local', 'A', 30, '10.0.120.10')] } }));
    expect(await resolver.resolve4('srv.hz1.local')).toEqual(['10.0.110.10']);
    await waitFor(async () => (await resolver.resolve4('srv.hz1.local'))[0] === '10.0.120.10');
  });

  it('gives NXDOMAIN (ENOTFOUND), NODATA (ENODATA) and REFUSED (EREFUSED) where a real server does', async () => {
    await changeAndSync(upsert('srv.hz1.local', 'A', 30, '10.0.110.10'), upsert('a.b.hz1.local', 'A', 30, '10.0.0.1'));
    expect(await dnsError(resolver.resolve4('nothing.hz1.local'))).toBe('ENOTFOUND');
    expect(await dnsError(resolver.resolve6('srv.hz1.local'))).toBe('ENODATA');
    expect(await dnsError(resolver.resolve4('b.hz1.local'))).toBe('ENODATA');
    expect(await dnsError(resolver.resolve4('www.example.com'))).toBe('EREFUSED');
  });

  it('answers TXT, AAAA, CNAME (followed inside the zone), SOA and NS', async () => {
    await changeAndSync(
      upsert('srv.hz1.local', 'A', 30, '10.0.110.10'),
      upsert('alias.hz1.local', 'CNAME', 60, 'srv.hz1.local'),
      upsert('txt.hz1.local', 'TXT', 60, '"v=kumo1" "second string"', '"other"'),
      upsert('v6.hz1.local', 'AAAA', 60, '2001:db8::1'),
    );
    expect(await resolver.resolve4('alias.hz1.local')).toEqual(['10.0.110.10']);
    expect(await resolver.resolveCname('alias.hz1.local')).toEqual(['srv.hz1.local']);
    expect(await resolver.resolveTxt('txt.hz1.local')).toEqual([['v=kumo1', 'second string'], ['other']]);
    expect(await resolver.resolve6('v6.hz1.local')).toEqual(['2001:db8::1']);
    expect(await resolver.resolveSoa('hz1.local')).toMatchObject({ nsname: 'ns-1536.awsdns-00.co.uk', hostmaster: 'awsdns-hostmaster.amazon.com', serial: 1, minttl: 86400 });
    expect((await resolver.resolveNs('hz1.local')).sort()).toEqual(['ns-0.awsdns-00.com', 'ns-1024.awsdns-00.org', 'ns-1536.awsdns-00.co.uk', 'ns-512.awsdns-00.net']);
  });

  it('serves a tampered record at once and forgets a deleted one', async () => {
    await changeAndSync(upsert('srv.hz1.local', 'A', 30, '10.0.110.10'));
    cloud.tamper.changeRecord(GUIDE.zone, 'srv.hz1.local', 'A', ['192.0.2.66']);
    expect(await resolver.resolve4('srv.hz1.local', { ttl: true })).toEqual([{ address: '192.0.2.66', ttl: 30 }]);
    cloud.tamper.deleteRecord(GUIDE.zone, 'srv.hz1.local.', 'A');
    expect(await dnsError(resolver.resolve4('srv.hz1.local'))).toBe('ENOTFOUND');
  });

  it('falls back to TCP for an answer too large for UDP', async () => {
    const values = Array.from({ length: 30 }, (_, i) => `"${String(i).padStart(2, '0')} ${'x'.repeat(60)}"`);
    await changeAndSync(upsert('big.hz1.local', 'TXT', 60, ...values));
    const socket = createSocket('udp4');
    const reply = new Promise<Buffer>((resolve) => socket.once('message', resolve));
    socket.send(dnsPacket.encode({ type: 'query', id: 9, questions: [{ type: 'TXT', name: 'big.hz1.local' }] }), cloud.dns.port, cloud.dns.host);
    const truncated = dnsPacket.decode(await reply);
    socket.close();
    expect(truncated.flag_tc).toBe(true);
    expect(truncated.answers).toEqual([]);
    const txt = await resolver.resolveTxt('big.hz1.local');
    expect(txt).toHaveLength(30);
  });

  it('answers FORMERR to a malformed packet and keeps serving', async () => {
    const socket = createSocket('udp4');
    const reply = new Promise<Buffer>((resolve) => socket.once('message', resolve));
    socket.send(Buffer.from([0x12, 0x34, 0x00, 0x00, 0x00, 0x05, 0xff]), cloud.dns.port, cloud.dns.host);
    const answer = await reply;
    socket.close();
    expect(answer.readUInt16BE(0)).toBe(0x1234);
    expect(answer.readUInt16BE(2) & 0x8000).toBe(0x8000);
    expect(answer.readUInt16BE(2) & 0xf).toBe(1);
    expect(await dnsError(resolver.resolve4('nothing.hz1.local'))).toBe('ENOTFOUND');
  });
});

describe('authoritative DNS over TCP', () => {
  function tcpQuery(name: string, type: 'A' | 'SOA'): Promise<dnsPacket.DecodedPacket> {
    return new Promise((resolve, reject) => {
      const socket = connect(cloud.dns.port, cloud.dns.host);
      let received = Buffer.alloc(0);
      socket.on('connect', () => socket.write(dnsPacket.streamEncode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] })));
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) {
          socket.end();
          resolve(dnsPacket.decode(received.subarray(2)));
        }
      });
      socket.on('error', reject);
    });
  }

  it('answers with the AA flag and length framing', async () => {
    await changeAndSync(upsert('srv.hz1.local', 'A', 45, '10.0.120.10'));
    const answer = await tcpQuery('srv.hz1.local', 'A');
    expect(answer.id).toBe(7);
    expect(answer.flag_aa).toBe(true);
    expect(answer.flag_rd).toBe(true);
    expect(answer.answers).toMatchObject([{ name: 'srv.hz1.local', type: 'A', ttl: 45, data: '10.0.120.10' }]);
  });

  it('puts the SOA in the authority section of an NXDOMAIN, with the negative TTL', async () => {
    const answer = await tcpQuery('missing.hz1.local', 'A');
    expect(answer.flags! & 0xf).toBe(3);
    expect(answer.answers).toEqual([]);
    expect(answer.authorities).toMatchObject([{ name: 'hz1.local', type: 'SOA', ttl: 900 }]);
  });
});
