import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { DescribeInstancesCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { describe, expect, it } from 'vitest';
import { startMockCloud, type Topology } from './index.js';
import { ec2Client, GUIDE, startGuide } from './testing.js';

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

const portOf = (url: string) => Number(new URL(url).port);

describe('startMockCloud', () => {
  it('runs an inline topology', async () => {
    const topology: Topology = {
      region: 'eu-west-1',
      availabilityZones: [{ name: 'eu-west-1a', zoneId: 'euw1-az1' }],
      vpcs: [{ id: 'vpc-1', cidr: '10.0.0.0/16' }],
      subnets: [{ id: 'subnet-1', vpc: 'vpc-1', cidr: '10.0.1.0/24', az: 'eu-west-1a' }],
      instances: [{ id: 'i-1', state: 'stopped', networkInterfaces: [{ id: 'eni-1', subnet: 'subnet-1', privateIp: '10.0.1.5', mac: '02:00:00:00:00:01' }] }],
    };
    const cloud = await startMockCloud({ topology });
    const ec2 = ec2Client(cloud);
    const out = await ec2.send(new DescribeInstancesCommand({}));
    expect(out.Reservations?.[0]?.Instances?.[0]?.State?.Name).toBe('stopped');
    expect(await refused(portOf(cloud.imds['i-1'] ?? ''))).toBe(true);
    ec2.destroy();
    await cloud.stop();
  });

  it('refuses an invalid topology with the reasons', async () => {
    await expect(startMockCloud({ topology: { region: 'eu-west-1' } as Topology })).rejects.toThrow(/availabilityZones: is required/);
  });

  it('closes every listener on stop, hung requests included', async () => {
    const cloud = await startGuide();
    cloud.faults.inject({ operation: 'DescribeVpcs', kind: 'hang' });
    const ec2 = ec2Client(cloud);
    const hung = ec2.send(new DescribeVpcsCommand({})).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await cloud.stop();
    await cloud.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await hung).toBe('failed');
    expect(await refused(portOf(cloud.url))).toBe(true);
    expect(await refused(cloud.dns.port)).toBe(true);
    for (const url of Object.values(cloud.imds)) expect(await refused(portOf(url))).toBe(true);
    ec2.destroy();
  });

  it('gives each instance its environment without static keys', async () => {
    const cloud = await startGuide();
    expect(cloud.env(GUIDE.server1)).toEqual({
      AWS_ENDPOINT_URL_EC2: cloud.url,
      AWS_ENDPOINT_URL_ROUTE_53: cloud.url,
      AWS_REGION: 'ap-northeast-1',
      AWS_DEFAULT_REGION: 'ap-northeast-1',
      AWS_EC2_METADATA_SERVICE_ENDPOINT: cloud.imds[GUIDE.server1],
    });
    expect(() => cloud.env('i-0nope')).toThrow(/no instance i-0nope/);
    await cloud.stop();
  });
});

describe('kumo-mock-cloud CLI', () => {
  const bin = fileURLToPath(new URL('../bin/kumo-mock-cloud.mjs', import.meta.url));

  it('prints its addresses as one JSON line and exits cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, '--topology', 'guide', '--listen', '127.0.0.1:0', '--change-sync-delay-ms', '50'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        stdout += chunk;
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0] ?? '');
      });
      child.once('exit', (code) => reject(new Error(`exited early with ${String(code)}`)));
    });
    const ready = JSON.parse(line) as { url: string; region: string; dns: { host: string; port: number }; imds: Record<string, string> };
    expect(ready.region).toBe('ap-northeast-1');
    expect(ready.dns.host).toBe('127.0.0.1');
    expect(Object.keys(ready.imds)).toEqual([GUIDE.server1, GUIDE.server2]);
    const ec2 = ec2Client(ready);
    expect((await ec2.send(new DescribeVpcsCommand({}))).Vpcs?.[0]?.VpcId).toBe(GUIDE.vpc);
    ec2.destroy();
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(await refused(portOf(ready.url))).toBe(true);
  });

  it('exits 2 with the usage on bad arguments and 1 on a bad topology', async () => {
    const run = async (args: string[]) => {
      const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => (stderr += chunk));
      const [code] = (await once(child, 'exit')) as [number | null];
      return { code, stderr };
    };
    const [usage, missing] = await Promise.all([run(['--listen', 'nowhere']), run(['--topology', '/nonexistent/topology.json'])]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--topology is required\nusage: kumo-mock-cloud/);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/\/nonexistent\/topology.json: invalid topology/);
  });
});
