import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssociateAddressCommand, StartInstancesCommand, StopInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { instanceCredentials, type MockCloud } from '../index.js';
import { ec2Client, GUIDE, startGuide, waitFor } from '../testing.js';

let cloud: MockCloud;
let ec2: EC2Client;

beforeAll(async () => {
  cloud = await startGuide({ instanceStopDelayMs: 50, instanceStartDelayMs: 50 });
  ec2 = ec2Client(cloud);
});
afterEach(() => cloud.reset());
afterAll(async () => {
  ec2.destroy();
  await cloud.stop();
});

async function token(instanceId: string): Promise<string> {
  const res = await fetch(`${cloud.imds[instanceId]}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' } });
  expect(res.status).toBe(200);
  return res.text();
}

async function get(instanceId: string, path: string, tokenValue?: string): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = tokenValue === undefined ? {} : { 'x-aws-ec2-metadata-token': tokenValue };
  const res = await fetch(`${cloud.imds[instanceId]}${path}`, { headers });
  return { status: res.status, body: await res.text() };
}

describe('IMDSv2', () => {
  it('requires a token, obtained with a TTL header on PUT', async () => {
    expect((await get(GUIDE.server1, '/latest/meta-data/instance-id')).status).toBe(401);
    const noTtl = await fetch(`${cloud.imds[GUIDE.server1]}/latest/api/token`, { method: 'PUT' });
    expect(noTtl.status).toBe(400);
    expect((await get(GUIDE.server1, '/latest/meta-data/instance-id', 'forged')).status).toBe(401);
    const t = await token(GUIDE.server1);
    expect(await get(GUIDE.server1, '/latest/meta-data/instance-id', t)).toEqual({ status: 200, body: GUIDE.server1 });
    expect((await get(GUIDE.server2, '/latest/meta-data/instance-id', t)).status).toBe(401);
  });

  it('answers each instance as itself: ID, AZ, region, MAC and ENI', async () => {
    const t = await token(GUIDE.server2);
    const meta = async (path: string) => (await get(GUIDE.server2, `/latest/meta-data/${path}`, t)).body;
    expect(await meta('instance-id')).toBe(GUIDE.server2);
    expect(await meta('placement/availability-zone')).toBe('ap-northeast-1c');
    expect(await meta('placement/availability-zone-id')).toBe('apne1-az1');
    expect(await meta('placement/region')).toBe('ap-northeast-1');
    expect(await meta('mac')).toBe('0a:1b:2c:3d:4e:02');
    expect(await meta('local-ipv4')).toBe('10.0.120.10');
    expect(await meta('network/interfaces/macs/')).toBe('0a:1b:2c:3d:4e:02/');
    expect(await meta('network/interfaces/macs/0a:1b:2c:3d:4e:02/interface-id')).toBe(GUIDE.eni2);
    expect(await meta('network/interfaces/macs/0a:1b:2c:3d:4e:02/vpc-id')).toBe(GUIDE.vpc);
    expect(await meta('network/interfaces/macs/0a:1b:2c:3d:4e:02/subnet-ipv4-cidr-block')).toBe('10.0.120.0/24');
    expect((await meta('')).split('\n')).toEqual(expect.arrayContaining(['instance-id', 'placement/', 'network/', 'iam/', 'mac']));
    expect((await get(GUIDE.server2, '/latest/meta-data/no-such-thing', t)).status).toBe(404);
    const identity = JSON.parse((await get(GUIDE.server2, '/latest/dynamic/instance-identity/document', t)).body) as Record<string, unknown>;
    expect(identity).toMatchObject({ instanceId: GUIDE.server2, region: 'ap-northeast-1', availabilityZone: 'ap-northeast-1c', accountId: '123456789012' });
  });

  it('shows the public IP once the EIP is associated', async () => {
    const t = await token(GUIDE.server1);
    expect((await get(GUIDE.server1, '/latest/meta-data/public-ipv4', t)).status).toBe(404);
    await ec2.send(new AssociateAddressCommand({ AllocationId: GUIDE.eip, NetworkInterfaceId: GUIDE.eni1 }));
    expect(await get(GUIDE.server1, '/latest/meta-data/public-ipv4', t)).toEqual({ status: 200, body: '203.0.113.10' });
  });

  it('serves the role credentials whose key identifies the instance', async () => {
    const t = await token(GUIDE.server1);
    expect(await get(GUIDE.server1, '/latest/meta-data/iam/security-credentials/', t)).toEqual({ status: 200, body: 'kumo-cluster-role' });
    const creds = JSON.parse((await get(GUIDE.server1, '/latest/meta-data/iam/security-credentials/kumo-cluster-role', t)).body) as Record<string, string>;
    expect(creds).toMatchObject({ Code: 'Success', Type: 'AWS-HMAC', AccessKeyId: instanceCredentials(GUIDE.server1).accessKeyId });
    expect(creds['AccessKeyId']).toMatch(/^ASIAKUMO[0-9A-F]{12}$/);
    expect(creds['AccessKeyId']).not.toBe(instanceCredentials(GUIDE.server2).accessKeyId);
    expect(Date.parse(creds['Expiration'] ?? '')).toBeGreaterThan(Date.now() + 3600_000);
    expect(cloud.requests({ service: 'imds', instanceId: GUIDE.server1 }).map((e) => e.operation)).toEqual(['GetToken', 'GetMetadata', 'GetMetadata']);
  });

  it('stops answering while its instance is stopped and comes back on start', async () => {
    const url = cloud.imds[GUIDE.server1];
    await ec2.send(new StopInstancesCommand({ InstanceIds: [GUIDE.server1], Force: true }));
    await waitFor(async () => (await fetch(`${url}/latest/api/token`, { method: 'PUT' }).then(() => false, () => true)));
    const error = await fetch(`${url}/latest/api/token`, { method: 'PUT' }).then(
      () => undefined,
      (e: unknown) => (e as { cause?: { code?: string } }).cause?.code,
    );
    expect(error).toBe('ECONNREFUSED');
    expect((await get(GUIDE.server2, '/latest/meta-data/instance-id', await token(GUIDE.server2))).body).toBe(GUIDE.server2);
    await waitFor(() => (cloud.state() as { instances: { id: string; state: string }[] }).instances[0]?.state === 'stopped');
    await ec2.send(new StartInstancesCommand({ InstanceIds: [GUIDE.server1] }));
    await waitFor(async () => (await fetch(`${url}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '5' } }).then((r) => r.ok, () => false)));
    expect(cloud.imds[GUIDE.server1]).toBe(url);
  });
});

describe('the SDK default credential chain through IMDS', () => {
  it('gives a child process the instance role of its instance, and the log names that instance', async () => {
    const home = mkdtempSync(join(tmpdir(), 'kumo-imds-'));
    const script = `
      import { EC2Client, DescribeAvailabilityZonesCommand } from '@aws-sdk/client-ec2';
      const client = new EC2Client({});
      const out = await client.send(new DescribeAvailabilityZonesCommand({}));
      const credentials = await client.config.credentials();
      console.log(JSON.stringify({ zones: out.AvailabilityZones.length, key: credentials.accessKeyId, region: await client.config.region() }));
    `;
    const env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: home,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...cloud.env(GUIDE.server2),
    };
    expect(Object.keys(env)).not.toContain('AWS_ACCESS_KEY_ID');
    const packageDir = fileURLToPath(new URL('../..', import.meta.url));
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], { env, cwd: packageDir, timeout: 15_000 }, (error, out, err) => {
        if (error) reject(new Error(`${error.message}\n${err}`));
        else resolve(out);
      });
    });
    rmSync(home, { recursive: true, force: true });
    expect(JSON.parse(stdout)).toEqual({ zones: 3, key: instanceCredentials(GUIDE.server2).accessKeyId, region: 'ap-northeast-1' });
    const calls = cloud.requests({ service: 'ec2', operation: 'DescribeAvailabilityZones' });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ instanceId: GUIDE.server2, accessKeyId: instanceCredentials(GUIDE.server2).accessKeyId, status: 200 });
    expect(cloud.requests({ service: 'imds', instanceId: GUIDE.server2 }).map((e) => e.operation)).toContain('GetToken');
  });
});
