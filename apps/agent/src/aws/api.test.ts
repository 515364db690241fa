import { describe, expect, it } from 'vitest';
import { createAwsApi } from './api.js';
import { ImdsClient } from './imds.js';
import { RateLimiters } from './rate-limit.js';
import { fastApiOptions, G, SERVERS, useCluster } from './testing.js';

/** Runs `body` with these environment variables (undefined unsets one), restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string | undefined>, body: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await body();
  } finally {
    apply(saved);
  }
}

const NO_KEYS = {
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/kumo-test-credentials',
  AWS_CONFIG_FILE: '/nonexistent/kumo-test-config',
};

describe('AwsApi over the real SDK against the mock cloud', () => {
  const cluster = useCluster();

  it('knows this instance from IMDSv2 and takes the region from it when the config names none', async () => {
    const aws = cluster.servers.server2.aws;
    expect(await aws.self()).toEqual({
      instanceId: SERVERS.server2.instanceId,
      availabilityZone: SERVERS.server2.az,
      region: G.region,
      mac: '0a:1b:2c:3d:4e:02',
      eniId: SERVERS.server2.eniId,
      privateIp: SERVERS.server2.privateIp,
      vpcId: G.vpc,
      accountId: '123456789012',
    });
    expect(await aws.region()).toBe(G.region);
    expect(cluster.cloud.requests({ service: 'imds', operation: 'GetMetadata' }).every((r) => r.status === 200)).toBe(true);
  });

  it('signs with the instance role from IMDS (no keys in Kumo\'s config): the emulator sees who calls', async () => {
    await withEnv(NO_KEYS, async () => {
      const aws = createAwsApi(fastApiOptions(cluster.cloud, SERVERS.server1.instanceId, { region: G.region }));
      const [vpc] = await aws.describeVpcs({ ids: [G.vpc] });
      expect(vpc).toEqual({ id: G.vpc, cidrs: [G.vpcCidr], name: 'kumo-guide', isDefault: false });
    });
    expect(cluster.cloud.requests({ operation: 'DescribeVpcs' }).map((r) => r.instanceId)).toEqual([SERVERS.server1.instanceId]);
  });

  it('with no options at all, the SDK\'s default chain and endpoint variables reach the same place', async () => {
    const env = cluster.cloud.env(SERVERS.server2.instanceId);
    await withEnv({ ...NO_KEYS, ...env }, async () => {
      const aws = createAwsApi({ limiters: new RateLimiters(), retry: { maxAttempts: 1 } });
      expect(await aws.region()).toBe(G.region);
      expect((await aws.describeAvailabilityZones({ names: [SERVERS.server2.az] })).map((z) => z.state)).toEqual(['available']);
      expect((await aws.listHostedZones()).map((z) => z.id)).toEqual([G.zone]);
    });
    expect(cluster.cloud.requests({ operation: 'DescribeAvailabilityZones' }).map((r) => r.instanceId)).toEqual([SERVERS.server2.instanceId]);
    expect(cluster.cloud.requests({ operation: 'ListHostedZones' }).map((r) => r.instanceId)).toEqual([SERVERS.server2.instanceId]);
  });

  it('keys from the environment win over the instance role, where an administrator set them', async () => {
    await withEnv({ AWS_ACCESS_KEY_ID: 'AKIDKUMOTEST', AWS_SECRET_ACCESS_KEY: 'secret' }, async () => {
      const aws = createAwsApi(fastApiOptions(cluster.cloud, SERVERS.server1.instanceId));
      await aws.describeVpcs({});
    });
    const [call] = cluster.cloud.requests({ operation: 'DescribeVpcs' });
    expect(call?.accessKeyId).toBe('AKIDKUMOTEST');
    expect(call?.instanceId).toBeUndefined();
  });

  it('retries a throttled call through the SDK, and gives 6 at the AWS CLI timeout', async () => {
    const aws = cluster.servers.server1.aws;
    cluster.cloud.faults.inject({ operation: 'DescribeVpcs', kind: 'error', code: 'RequestLimitExceeded', count: 1 });
    expect(await aws.describeVpcs({ ids: [G.vpc] })).toHaveLength(1);
    expect(cluster.cloud.requests({ operation: 'DescribeVpcs' }).map((r) => r.status)).toEqual([503, 200]);
    cluster.cloud.faults.inject({ operation: 'DescribeVpcs', kind: 'hang' });
    await expect(aws.describeVpcs({}, { timeoutMs: 100 })).rejects.toMatchObject({ name: 'AwsCallError', code: 6, text: 'Timeout occurred.' });
  });

  it('retries a call whose connection was reset without an answer (through the SDK: ECONNRESET)', async () => {
    const aws = cluster.servers.server1.aws;
    cluster.cloud.faults.inject({ operation: 'DescribeVpcs', kind: 'reset', count: 1 });
    expect(await aws.describeVpcs({ ids: [G.vpc] })).toHaveLength(1);
    expect(cluster.cloud.requests({ operation: 'DescribeVpcs' }).map((r) => r.status)).toEqual([0, 200]);
  });

  it('maps AWS\'s errors to CLUSTERPRO\'s code 5 with AWS\'s text', async () => {
    const aws = cluster.servers.server1.aws;
    await expect(aws.describeVpcs({ ids: ['vpc-0000000000000000f'] })).rejects.toMatchObject({
      code: 5,
      text: "The vpc ID 'vpc-0000000000000000f' does not exist",
      awsCode: 'InvalidVpcID.NotFound',
    });
    await expect(aws.getHostedZone('Z0KUMONOSUCHZONE0001')).rejects.toMatchObject({ code: 5, text: 'No hosted zone found with ID: Z0KUMONOSUCHZONE0001' });
  });

  it('without a region from the config, IMDS or the environment it fails with 5, saying nothing more to the user', async () => {
    await withEnv({ AWS_REGION: undefined, AWS_DEFAULT_REGION: undefined }, async () => {
      const aws = createAwsApi({ ...fastApiOptions(cluster.cloud, SERVERS.server1.instanceId), imdsEndpoint: 'http://127.0.0.1:9', imdsTimeoutMs: 200 });
      await expect(aws.describeVpcs({})).rejects.toMatchObject({ code: 5, text: 'Failed in the AWS CLI command.', detail: expect.stringMatching(/no region/) as unknown });
    });
  });

  it('two APIs of the same account and region share one rate budget', async () => {
    const limiters = new RateLimiters();
    const rates = { ec2: { perSecond: 20, burst: 2 }, route53: { perSecond: 20, burst: 2 } };
    const a = createAwsApi(fastApiOptions(cluster.cloud, SERVERS.server1.instanceId, { limiters, rates }));
    const b = createAwsApi(fastApiOptions(cluster.cloud, SERVERS.server2.instanceId, { limiters, rates }));
    await Promise.all([a.region(), b.region()]);
    const started = Date.now();
    await Promise.all([a, b, a, b, a, b].map((api) => api.describeAvailabilityZones({})));
    // 2 at once, then 4 more at 20/s: at least ~200 ms. Separate budgets would have let 4 through at once.
    expect(Date.now() - started).toBeGreaterThanOrEqual(180);
  });

  it('the IMDS client renews its token when IMDS answers 401', async () => {
    const imdsUrl = cluster.cloud.imds[SERVERS.server1.instanceId];
    const imds = new ImdsClient({ endpoint: imdsUrl, timeoutMs: 1000 });
    expect(await imds.get('meta-data/instance-id')).toBe(SERVERS.server1.instanceId);
    cluster.cloud.faults.inject({ service: 'imds', operation: 'GetMetadata', kind: 'error', status: 401, count: 1 });
    expect(await imds.get('meta-data/instance-id')).toBe(SERVERS.server1.instanceId);
    expect(cluster.cloud.requests({ service: 'imds', operation: 'GetToken' })).toHaveLength(2);
  });
});
