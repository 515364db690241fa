import { readFileSync } from 'node:fs';
import { GUIDE_TOPOLOGY_PATH, type Topology } from '@kumo/mock-cloud';
import { describe, expect, it } from 'vitest';
import { preflight, type PreflightCheck } from './preflight.js';
import { G, guideConfig, SERVERS, useCluster, withForcedStop } from './testing.js';

const failed = (checks: PreflightCheck[]) => checks.filter((c) => !c.ok);
const find = (checks: PreflightCheck[], subject: string, check: string) => checks.find((c) => c.subject === subject && c.check === check);

/** Edits a resource's params in a raw guide fixture. */
const editResource = (name: string, params: Record<string, unknown>, perServer?: Record<string, Record<string, unknown>>) => (raw: Record<string, unknown>) => {
  const groups = raw['groups'] as { resources: { name: string; params: Record<string, unknown>; perServer?: Record<string, Record<string, unknown>> }[] }[];
  for (const r of groups.flatMap((g) => g.resources)) {
    if (r.name !== name) continue;
    Object.assign(r.params, params);
    if (perServer) r.perServer = perServer;
  }
};

describe('preflight against the guide topology', () => {
  const cluster = useCluster();
  const run = (config: ReturnType<typeof guideConfig>, aws = cluster.servers.server1.aws) => preflight(config, aws, { server: 'server1', callTimeoutMs: 2000 });

  it('the VIP configuration (chapter 5) passes every check', async () => {
    const checks = await run(guideConfig('vip'));
    expect(failed(checks)).toEqual([]);
    expect(checks.map((c) => `${c.subject} ${c.check}`)).toEqual([
      'AWS ec2-endpoint',
      'AWS credentials',
      'awsvip1 vpc',
      'awsvip1 vip-outside-cidr',
      'awsvip1 vip-route',
      'awsvip1 @ server1 eni',
      'awsvip1 @ server1 source-dest-check',
      'awsvip1 @ server2 eni',
      'awsvip1 @ server2 source-dest-check',
      'awsazw1 @ server1 availability-zone',
      'awsazw1 @ server2 availability-zone',
    ]);
    expect(find(checks, 'awsvip1', 'vip-route')?.message).toBe(`3 route table(s) hold 10.1.0.20/32: ${G.publicAB}, ${G.privateA}, ${G.privateB}.`);
  });

  it('the EIP (chapter 6) and DNS (chapter 7) configurations pass, forced stop included', async () => {
    expect(failed(await run(guideConfig('eip', withForcedStop)))).toEqual([]);
    const dns = await run(guideConfig('dns'));
    expect(failed(dns)).toEqual([]);
    expect(find(dns, 'awsdns1', 'zone-vpc-association')?.message).toBe(`The private zone hz1.local. is associated with ${G.vpc}.`);
    expect(find(dns, 'AWS', 'route53-endpoint')?.ok).toBe(true);
  });

  it('a VIP inside the VPC CIDR fails with the guide\'s sentence and says how to fix it', async () => {
    const checks = await run(guideConfig('vip', editResource('awsvip1', { ip: '10.0.5.20' })));
    expect(failed(checks).map((c) => c.check)).toEqual(['vip-outside-cidr', 'vip-route']);
    expect(find(checks, 'awsvip1', 'vip-outside-cidr')).toEqual({
      subject: 'awsvip1',
      check: 'vip-outside-cidr',
      ok: false,
      message: 'The VIP address 10.0.5.20 belongs to a VPC subnet.',
      fix: 'Choose a VIP outside the VPC CIDR 10.0.0.0/16 (for example 10.1.0.20 for 10.0.0.0/16): the route tables carry it, not a subnet.',
    });
    expect(find(checks, 'awsvip1', 'vip-route')?.fix).toMatch(/Add the route 10\.0\.5\.20\/32/);
  });

  it('wrong IDs: every one is named with AWS\'s text', async () => {
    const vip = await run(guideConfig('vip', editResource('awsvip1', { vpcId: 'vpc-0000000000000000f' }, { server1: { eniId: SERVERS.server1.eniId }, server2: { eniId: 'eni-0000000000000000f' } })));
    expect(failed(vip).map((c) => [c.subject, c.check, c.message])).toEqual([
      ['awsvip1', 'vpc', "5 : The vpc ID 'vpc-0000000000000000f' does not exist"],
      ['awsvip1 @ server1', 'eni-vpc', `ENI ${SERVERS.server1.eniId} is in ${G.vpc}, not in vpc-0000000000000000f.`],
      ['awsvip1 @ server2', 'eni', "5 : The networkInterface ID 'eni-0000000000000000f' does not exist"],
    ]);
    const eip = await run(guideConfig('eip', editResource('awseip1', { allocationId: 'eipalloc-0000000000000000f' })));
    expect(failed(eip).map((c) => c.message)).toEqual(["5 : The allocation ID 'eipalloc-0000000000000000f' does not exist"]);
    const dns = await run(guideConfig('dns', editResource('awsdns1', { hostedZoneId: 'Z0KUMONOSUCHZONE0001' })));
    expect(failed(dns).map((c) => c.message)).toEqual(['5 : No hosted zone found with ID: Z0KUMONOSUCHZONE0001']);
    const az = await run(
      guideConfig('vip', (raw) => {
        const monitors = raw['monitors'] as { name: string; perServer: Record<string, Record<string, unknown>> }[];
        const azw = monitors.find((m) => m.name === 'awsazw1');
        if (azw) azw.perServer['server2'] = { availabilityZone: 'ap-northeast-1x' };
      }),
    );
    expect(failed(az)).toEqual([
      {
        subject: 'awsazw1 @ server2',
        check: 'availability-zone',
        ok: false,
        message: 'Invalid availability zone: [ap-northeast-1x]',
        fix: "Use one of ap-northeast-1a, ap-northeast-1c, ap-northeast-1d (the AZ of server2's instance).",
      },
    ]);
  });

  it('an unreachable endpoint and a refused permission are told apart, each with its fix', async () => {
    const cut = cluster.api('server1', { endpoints: { ec2: 'http://127.0.0.1:9' }, retry: { maxAttempts: 1 } });
    const unreachable = await run(guideConfig('vip'), cut);
    expect(find(unreachable, 'AWS', 'ec2-endpoint')).toMatchObject({ ok: false, fix: expect.stringMatching(/NAT gateway, proxy/) as unknown });
    cluster.cloud.faults.denyAction('ec2:DescribeAvailabilityZones');
    const denied = await run(guideConfig('vip'));
    expect(find(denied, 'AWS', 'credentials')?.ok).toBe(true);
    expect(find(denied, 'AWS', 'permissions')).toMatchObject({
      ok: false,
      message: 'A read was refused. (5 : You are not authorized to perform this operation.)',
      fix: "Allow ec2:DescribeAvailabilityZones in the instance role's IAM policy (Kumo prints the least-privilege policy for this config).",
    });
  });

  it('forced stop with an instance that does not exist names it', async () => {
    const checks = await run(
      guideConfig('eip', (raw) => {
        withForcedStop(raw);
        (raw['servers'] as Record<string, unknown>[])[1] = { name: 'server2', address: SERVERS.server2.privateIp, instanceId: 'i-0000000000000000f' };
      }),
    );
    expect(failed(checks)).toEqual([
      {
        subject: 'server2',
        check: 'forced-stop-instance',
        ok: false,
        message: "5 : The instance ID 'i-0000000000000000f' does not exist",
        fix: 'Check the ID in the config against the AWS console.',
      },
    ]);
  });
});

describe('preflight against a topology the guide warns about', () => {
  const topology = JSON.parse(readFileSync(GUIDE_TOPOLOGY_PATH, 'utf8')) as Topology;
  const eni2 = topology.instances?.[1]?.networkInterfaces[0];
  if (eni2) eni2.sourceDestCheck = true;
  // The zone is associated with another VPC only.
  topology.vpcs.push({ id: 'vpc-0a1b2c3d4e5f6ffff', cidr: '10.9.0.0/16', name: 'elsewhere' });
  const zone = topology.hostedZones?.[0];
  if (zone) zone.vpcs = ['vpc-0a1b2c3d4e5f6ffff'];
  const cluster = useCluster({ topology }, { reset: false });

  it('Source/Dest. Check left enabled on server2\'s ENI fails with the console steps to disable it', async () => {
    const checks = await preflight(guideConfig('vip'), cluster.servers.server1.aws, { server: 'server1' });
    expect(failed(checks)).toEqual([
      {
        subject: 'awsvip1 @ server2',
        check: 'source-dest-check',
        ok: false,
        message: `Source/Dest. Check is enabled on ${SERVERS.server2.eniId}: packets to the VIP are dropped.`,
        fix: `Disable it: EC2 console → Network interfaces → ${SERVERS.server2.eniId} → Actions → Change source/dest. check → Stop (or: aws ec2 modify-network-interface-attribute --network-interface-id ${SERVERS.server2.eniId} --no-source-dest-check).`,
      },
    ]);
  });

  it('a private zone not associated with the VPC fails', async () => {
    const checks = await preflight(guideConfig('dns'), cluster.servers.server1.aws, { server: 'server1' });
    expect(failed(checks).map((c) => [c.check, c.message])).toEqual([
      ['zone-vpc-association', `The private zone hz1.local. is not associated with ${G.vpc}: the name will not resolve there.`],
    ]);
  });
});
