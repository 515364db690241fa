/**
 * Test kit for the AWS layer and drivers (imported by tests only): the guide's two servers against the mock
 * cloud on loopback, each with its own `AwsApi` (real SDK, credentials from its own IMDS role, so the emulator
 * knows who calls) and its own simulated host; contexts for driver calls; and the contract every AWS resource
 * driver passes (STYLE habit 11): validate → activate twice → monitor normal → move to the other server →
 * deactivate twice → probe inactive.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GUIDE_TOPOLOGY_PATH, startMockCloud, type MockCloud, type MockCloudOptions, type Topology } from '@kumo/mock-cloud';
import { validateClusterConfig, type ClusterConfig, type MonitorTypeDef, type ResourceTypeDef, type ResourceTypeId } from '@kumo/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedHost } from '../host/simulated-host.js';
import type { MonitorContext, MonitorDriver, MonitorResult, ResourceContext, ResourceDriver } from '../resources/driver.js';
import { silentLogger } from '../util/log.js';
import { createAwsApi, type AwsApi, type AwsApiOptions } from './api.js';
import { RateLimiters } from './rate-limit.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

/** IDs of packages/mock-cloud/topologies/guide.json. */
export const G = {
  region: 'ap-northeast-1',
  vpc: 'vpc-0a1b2c3d4e5f67890',
  vpcCidr: '10.0.0.0/16',
  publicAB: 'rtb-0a1b2c3d4e5f600ab',
  privateA: 'rtb-0a1b2c3d4e5f6002a',
  privateB: 'rtb-0a1b2c3d4e5f6002b',
  eip: 'eipalloc-0a1b2c3d4e5f60001',
  eipAddress: '203.0.113.10',
  zone: 'Z0KUMOHZ1LOCAL00001A',
  zoneName: 'hz1.local.',
  vip: '10.1.0.20',
} as const;

export const SERVERS = {
  server1: { instanceId: 'i-0a1b2c3d4e5f60001', eniId: 'eni-0a1b2c3d4e5f60001', privateIp: '10.0.110.10', az: 'ap-northeast-1a' },
  server2: { instanceId: 'i-0a1b2c3d4e5f60002', eniId: 'eni-0a1b2c3d4e5f60002', privateIp: '10.0.120.10', az: 'ap-northeast-1c' },
} as const;

export type ServerName = keyof typeof SERVERS;
export const SERVER_NAMES: readonly ServerName[] = ['server1', 'server2'];

/** A guide fixture (packages/shared/fixtures/guide-*.json), validated with defaults filled, optionally edited first. */
export function guideConfig(name: 'vip' | 'eip' | 'dns', edit: (raw: Record<string, unknown>) => void = () => undefined): ClusterConfig {
  const raw = JSON.parse(readFileSync(new URL(`../../../../packages/shared/fixtures/guide-${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
  edit(raw);
  const result = validateClusterConfig(raw);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.where}: ${e.message.en}`).join('\n'));
  return result.config;
}

/** Fixture edit: forced stop on, with both servers' instance IDs. */
export function withForcedStop(raw: Record<string, unknown>): void {
  const cluster = raw['cluster'];
  if (typeof cluster === 'object' && cluster !== null) Object.assign(cluster, { forcedStop: { enabled: true } });
  raw['servers'] = SERVER_NAMES.map((name) => ({ name, address: SERVERS[name].privateIp, instanceId: SERVERS[name].instanceId }));
}

/** Fast, bounded API settings for tests: few attempts, millisecond backoffs, a private rate budget. */
export function fastApiOptions(cloud: MockCloud, instanceId: string, extra: Partial<AwsApiOptions> = {}): AwsApiOptions {
  const imdsEndpoint = cloud.imds[instanceId];
  if (imdsEndpoint === undefined) throw new Error(`no IMDS for ${instanceId}`);
  return {
    endpoints: { ec2: cloud.url, route53: cloud.url },
    imdsEndpoint,
    defaultTimeoutMs: 5000,
    imdsTimeoutMs: 1000,
    retry: { maxAttempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    verify: { initialDelayMs: 5, maxDelayMs: 40 },
    rates: { ec2: { perSecond: 1000, burst: 1000 }, route53: { perSecond: 1000, burst: 1000 } },
    limiters: new RateLimiters(),
    ...extra,
  };
}

export interface TestServer {
  name: ServerName;
  instanceId: string;
  eniId: string;
  privateIp: string;
  az: string;
  host: SimulatedHost;
  aws: AwsApi;
}

export interface TestCluster {
  cloud: MockCloud;
  servers: Record<ServerName, TestServer>;
  resourceCtx<P>(server: ServerName, resource: string, params: P, peers?: readonly { server: string; params: P }[]): ResourceContext<P>;
  monitorCtx<P>(server: ServerName, monitor: string, params: P, target?: MonitorContext<P>['target']): MonitorContext<P>;
  /** A fresh `AwsApi` for a server with other options (tiny timeouts, one attempt, …). */
  api(server: ServerName, extra: Partial<AwsApiOptions>): AwsApi;
  stop(): Promise<void>;
}

export async function startCluster(opts: { topology?: Topology | string; cloud?: Partial<MockCloudOptions>; api?: Partial<AwsApiOptions> } = {}): Promise<TestCluster> {
  const cloud = await startMockCloud({
    topology: opts.topology ?? GUIDE_TOPOLOGY_PATH,
    changeSyncDelayMs: 20,
    instanceStopDelayMs: 50,
    instanceStartDelayMs: 50,
    ...opts.cloud,
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'kumo-aws-'));
  const make = (name: ServerName): TestServer => ({
    name,
    ...SERVERS[name],
    host: new SimulatedHost(path.join(dir, name)),
    aws: createAwsApi(fastApiOptions(cloud, SERVERS[name].instanceId, opts.api)),
  });
  const servers = { server1: make('server1'), server2: make('server2') };
  const signal = () => AbortSignal.timeout(20_000);
  return {
    cloud,
    servers,
    resourceCtx: (server, resource, params, peers = []) => ({
      server,
      group: 'failover1',
      resource,
      params,
      signal: signal(),
      event: 'START',
      peers,
      host: servers[server].host,
      log: silentLogger,
      aws: servers[server].aws,
    }),
    monitorCtx: (server, monitor, params, target) => ({
      server,
      monitor,
      params,
      signal: signal(),
      host: servers[server].host,
      log: silentLogger,
      aws: servers[server].aws,
      ...(target ? { target } : {}),
    }),
    api: (server, extra) => createAwsApi(fastApiOptions(cloud, SERVERS[server].instanceId, { ...opts.api, ...extra })),
    async stop() {
      await cloud.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A cluster for one `describe` block: started before its tests, stopped after them, and (unless `reset` is
 * false) put back to the topology after each test. The handle reads through to the running cluster.
 */
export function useCluster(opts: Parameters<typeof startCluster>[0] = {}, { reset = true }: { reset?: boolean } = {}): TestCluster {
  let current: TestCluster | undefined;
  beforeAll(async () => {
    current = await startCluster(opts);
  });
  afterAll(async () => {
    await current?.stop();
  });
  if (reset) afterEach(() => current?.cloud.reset());
  const get = (): TestCluster => {
    if (!current) throw new Error('useCluster: the cluster is not running (use it inside a test)');
    return current;
  };
  return {
    get cloud() {
      return get().cloud;
    },
    get servers() {
      return get().servers;
    },
    resourceCtx: (server, resource, params, peers) => get().resourceCtx(server, resource, params, peers),
    monitorCtx: (server, monitor, params, target) => get().monitorCtx(server, monitor, params, target),
    api: (server, extra) => get().api(server, extra),
    stop: () => get().stop(),
  };
}

/** A monitor's target: resource `<type>1` of group failover1 with its params on this server (and its peers'). */
export function targetOf(type: ResourceTypeId, params: unknown, peers: readonly { server: string; params: unknown }[] = []): NonNullable<MonitorContext<unknown>['target']> {
  return { group: 'failover1', resource: `${type}1`, type, params, peers };
}

/** What a contract run needs to know about one AWS resource type. */
export interface ContractSpec<P> {
  type: ResourceTypeDef;
  driver: ResourceDriver<P>;
  monitor: MonitorDriver<unknown>;
  monitorType: MonitorTypeDef;
  /** The monitor's params as a user writes them (parsed with the monitor type's schema). */
  monitorParams: Record<string, unknown>;
  /** The effective params of the resource on a server (common merged with "Set up individually"). */
  paramsFor(server: ServerName): Record<string, unknown>;
  /** Whether the cloud (and host) show the resource active for this server. */
  holds(cluster: TestCluster, server: ServerName): Promise<boolean>;
}

/**
 * The contract suite: every AWS resource driver runs it against the mock cloud, as server1 and as server2.
 * Activation and deactivation are idempotent; activation on the other server moves the resource there; a late
 * deactivation on the server that lost it does not disturb the new owner.
 */
export function resourceContract<P>(spec: ContractSpec<P>): void {
  describe(`${spec.type.id} driver contract`, () => {
    const cluster = useCluster({}, { reset: false });

    const params = (server: ServerName) => spec.type.params.parse(spec.paramsFor(server)) as P;
    const peers = () => SERVER_NAMES.map((s) => ({ server: s, params: params(s) }));
    const ctx = (server: ServerName) => cluster.resourceCtx(server, `${spec.type.id}1`, params(server), peers());
    const monitor = (server: ServerName): Promise<MonitorResult> =>
      spec.monitor.check(
        cluster.monitorCtx(server, `${spec.monitor.type}1`, spec.monitorType.params.parse(spec.monitorParams), targetOf(spec.type.id, params(server), peers())),
      );
    const activateTwice = async (server: ServerName) => {
      const first = await spec.driver.activate(ctx(server));
      expect(first, `first activation on ${server}`).toMatchObject({ ok: true });
      const second = await spec.driver.activate(ctx(server));
      expect(second, `second activation on ${server}`).toMatchObject({ ok: true });
    };
    const deactivateTwice = async (server: ServerName) => {
      expect(await spec.driver.deactivate(ctx(server)), `first deactivation on ${server}`).toMatchObject({ ok: true });
      expect(await spec.driver.deactivate(ctx(server)), `second deactivation on ${server}`).toMatchObject({ ok: true });
    };

    it('validates its params for both servers and refuses empty ones', () => {
      for (const server of SERVER_NAMES) expect(spec.type.params.safeParse(spec.paramsFor(server)).success).toBe(true);
      expect(spec.type.params.safeParse({}).success).toBe(false);
    });

    it('activates twice on server1: active, monitor normal, server2 inactive', async () => {
      await activateTwice('server1');
      expect(await spec.holds(cluster, 'server1')).toBe(true);
      expect(await spec.driver.probe(ctx('server1'))).toBe('active');
      expect(await monitor('server1')).toEqual({ state: 'normal' });
      expect(await spec.driver.probe(ctx('server2'))).toBe('inactive');
    });

    it('activates twice on server2: the resource moves, server1 is no longer active', async () => {
      await activateTwice('server2');
      expect(await spec.holds(cluster, 'server2')).toBe(true);
      expect(await spec.driver.probe(ctx('server2'))).toBe('active');
      expect(await monitor('server2')).toEqual({ state: 'normal' });
      // server1 was never deactivated: a VIP left on its NIC is reported as stale, for the master to clean up.
      expect(await spec.driver.probe(ctx('server1'))).toBe(spec.type.id === 'awsvip' ? 'stale' : 'inactive');
      expect((await monitor('server1')).state).toBe('error');
    });

    it('a late deactivation (twice) on server1 leaves server2 undisturbed', async () => {
      await deactivateTwice('server1');
      expect(await spec.driver.probe(ctx('server1'))).toBe('inactive');
      expect(await spec.driver.probe(ctx('server2'))).toBe('active');
      expect(await monitor('server2')).toEqual({ state: 'normal' });
    });

    it('deactivates twice on server2: inactive everywhere, the monitor reports it', async () => {
      await deactivateTwice('server2');
      expect(await spec.driver.probe(ctx('server2'))).toBe('inactive');
      expect(await spec.driver.probe(ctx('server1'))).toBe('inactive');
      expect((await monitor('server2')).state).toBe('error');
    });

    it('a full cycle on server1 alone ends inactive', async () => {
      await activateTwice('server1');
      expect(await spec.driver.probe(ctx('server1'))).toBe('active');
      await deactivateTwice('server1');
      expect(await spec.driver.probe(ctx('server1'))).toBe('inactive');
    });
  });
}
