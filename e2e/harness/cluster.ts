/**
 * The e2e harness: a whole Kumo cluster on loopback — the AWS emulator (EC2, Route 53, IMDS per instance, DNS),
 * N real agent processes that each see themselves as their own EC2 instance, and a witness as NP target. Tests
 * get handles to kill, restart and inspect every process and the cloud's state. A forced stop by the emulator
 * stops that server's agent for real (and StartInstances starts it again). `stop()` always cleans up.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClusterConfigInput, ClusterStatus } from '@kumo/shared';
import { DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GUIDE_TOPOLOGY_PATH, startMockCloud } from '@kumo/mock-cloud';
import type { MockCloud } from '@kumo/mock-cloud';
import { AgentProcesses, waitFor } from '@kumo/agent/testing';
import type { AgentClient } from '@kumo/agent/client';
import { ClusterKey } from '@kumo/agent/crypto';
import { buildWitness } from '@kumo/agent/witness';
import { silentLogger } from '@kumo/agent/log';

/** The repository root (e2e runs from the workspace, as CI does). */
export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GUIDE_TOPOLOGY = GUIDE_TOPOLOGY_PATH;
const FIXTURES = path.join(REPO, 'packages', 'shared', 'fixtures');
/** The `kumo` CLI, as an administrator runs it. */
export const KUMO_CLI = path.join(REPO, 'apps', 'agent', 'bin', 'kumo.mjs');

/** The guide's two instances, in server order. */
export const INSTANCES = ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002'] as const;
export const ENIS = ['eni-0a1b2c3d4e5f60001', 'eni-0a1b2c3d4e5f60002'] as const;
export const ROUTE_TABLES = ['rtb-0a1b2c3d4e5f600ab', 'rtb-0a1b2c3d4e5f6002a', 'rtb-0a1b2c3d4e5f6002b'] as const;

export type GuideChapter = 'vip' | 'eip' | 'dns';

export interface ClusterOptions {
  /** The first three octets of the loopback addresses: servers at .11, .12…, the witness at .10. */
  subnet: string;
  servers?: number;
  /** Apply one of the guide's chapters (rewritten for loopback), a config of your own, or nothing. */
  config?: GuideChapter | ClusterConfigInput | null;
  heartbeat?: { intervalS: number; timeoutS: number };
  /** Faster monitors for tests that wait for a detection. */
  monitorIntervalS?: number;
  witness?: boolean;
  /**
   * How the guide configs use the witness host: as a Kumo witness (default), or as the guide's kind of NP target,
   * an HTTP HEAD answered with 200 (no witness semantics).
   */
  npKind?: 'witness' | 'http';
  forcedStop?: boolean;
  /** Route 53 PENDING → INSYNC delay of the emulator. */
  changeSyncDelayMs?: number;
  /** Where the agents keep their data (default: a temporary directory, removed on stop). */
  dataDir?: string;
  /** Fixed ports for the emulator (the demo); 0 = any free port. */
  cloudPort?: number;
  dnsPort?: number;
  extraAgentArgs?: string[];
}

/** The guide's chapter config, rewritten for servers on loopback and the demo's witness. */
export function guideConfig(chapter: GuideChapter, opts: { addresses: string[]; witness?: { host: string; port: number } | undefined; npKind?: 'witness' | 'http'; dnsServer?: string; heartbeat?: { intervalS: number; timeoutS: number }; monitorIntervalS?: number; forcedStop?: boolean }): ClusterConfigInput {
  const c = JSON.parse(readFileSync(path.join(FIXTURES, `guide-${chapter}.json`), 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a fixture rewritten below and validated by the agent
  const names = (c.servers as { name: string }[]).map((s) => s.name);
  c.servers = names.map((name, i) => ({ name, address: opts.addresses[i], instanceId: INSTANCES[i] }));
  c.interconnects = [{ priority: 1, kind: 'kernel', mdc: 'mdc1', addresses: Object.fromEntries(names.map((n, i) => [n, opts.addresses[i]])) }];
  c.cluster.heartbeat = opts.heartbeat ?? { intervalS: 1, timeoutS: 3 };
  c.cluster.serverSyncWaitS = 5;
  c.cluster.np = {
    targets: opts.witness
      ? [
          opts.npKind === 'http'
            ? { kind: 'http', host: opts.witness.host, port: opts.witness.port, ssl: false, path: '/', intervalS: 1, timeoutS: 2, retryCount: 1 }
            : { kind: 'witness', host: opts.witness.host, port: opts.witness.port, intervalS: 1, timeoutS: 2, retryCount: 1 },
        ]
      : [],
    isolationAction: 'stop-service',
  };
  if (opts.forcedStop) c.cluster.forcedStop = { enabled: true, delayPerPriorityS: 5, stopTimeoutS: 30 };
  // The mirror disk replicates small file-backed partitions with short timeouts on loopback.
  const md = (c.groups[0].resources as Record<string, any>[]).find((r) => r.type === 'md'); // eslint-disable-line @typescript-eslint/no-explicit-any
  if (md) Object.assign(md.params, { ackTimeoutS: 5, connectTimeoutS: 5, heartbeatIntervalS: 1 });
  for (const m of c.monitors as Record<string, any>[]) { // eslint-disable-line @typescript-eslint/no-explicit-any
    if (opts.monitorIntervalS) m.common = { ...(m.common ?? {}), intervalS: opts.monitorIntervalS, timeoutS: Math.max(5, opts.monitorIntervalS * 3), retryCount: 0 };
    if (m.type === 'awsdnsw' && opts.dnsServer) m.params = { ...(m.params ?? {}), dnsServer: opts.dnsServer };
  }
  return c as ClusterConfigInput;
}

export class KumoCluster {
  readonly names: string[];
  readonly addresses: string[];
  witnessAddress: { host: string; port: number } | undefined;
  private witnessApp: Awaited<ReturnType<typeof buildWitness>> | undefined;
  private stopped = false;

  private constructor(
    readonly opts: ClusterOptions,
    readonly cloud: MockCloud,
    readonly agents: AgentProcesses,
  ) {
    const n = opts.servers ?? 2;
    this.names = Array.from({ length: n }, (_, i) => `server${i + 1}`);
    this.addresses = this.names.map((_, i) => `${opts.subnet}.${11 + i}`);
  }

  static async start(opts: ClusterOptions): Promise<KumoCluster> {
    const agents = await AgentProcesses.create('kumo-e2e-', opts.dataDir);
    /** The emulator announces instance stops before the cluster object exists; it reads this later. */
    const ref: { cluster?: KumoCluster } = {};
    const cloud = await startMockCloud({
      topology: GUIDE_TOPOLOGY,
      host: `${opts.subnet}.9`,
      port: opts.cloudPort ?? 0,
      dnsPort: opts.dnsPort ?? 0,
      changeSyncDelayMs: opts.changeSyncDelayMs ?? 300,
      instanceStopDelayMs: 300,
      instanceStartDelayMs: 300,
      onInstanceStateChange: (e) => void ref.cluster?.onInstanceState(e.instanceId, e.state),
    });
    const cluster = new KumoCluster(opts, cloud, agents);
    ref.cluster = cluster;
    try {
      if (opts.witness !== false) await cluster.startWitness();
      await Promise.all(cluster.names.map((n) => cluster.startAgent(n)));
      if (opts.config !== undefined && opts.config !== null) await cluster.apply(typeof opts.config === 'string' ? cluster.chapter(opts.config) : opts.config);
    } catch (e) {
      await cluster.stop();
      throw e;
    }
    return cluster;
  }

  /** A guide chapter config for this cluster's addresses, witness and DNS. */
  chapter(chapter: GuideChapter): ClusterConfigInput {
    return guideConfig(chapter, {
      addresses: this.addresses,
      witness: this.witnessAddress,
      ...(this.opts.npKind ? { npKind: this.opts.npKind } : {}),
      dnsServer: `${this.cloud.dns.host}:${this.cloud.dns.port}`,
      ...(this.opts.heartbeat ? { heartbeat: this.opts.heartbeat } : {}),
      ...(this.opts.monitorIntervalS ? { monitorIntervalS: this.opts.monitorIntervalS } : {}),
      ...(this.opts.forcedStop ? { forcedStop: true } : {}),
    });
  }

  private async startWitness(): Promise<void> {
    const key = await ClusterKey.load(this.agents.keyFile);
    this.witnessApp = buildWitness({ key, log: silentLogger });
    const host = `${this.opts.subnet}.10`;
    await this.witnessApp.listen({ host, port: 29009 });
    this.witnessAddress = { host, port: 29009 };
  }

  instanceOf(name: string): string {
    const i = this.names.indexOf(name);
    const id = INSTANCES[i];
    if (!id) throw new Error(`${name} has no emulated instance`);
    return id;
  }

  async startAgent(name: string): Promise<void> {
    const i = this.names.indexOf(name);
    const env = INSTANCES[i] ? this.cloud.env(INSTANCES[i]) : {};
    await this.agents.start({ name, address: this.addresses[i]!, hostMode: 'simulated', env, args: this.opts.extraAgentArgs ?? [] });
  }

  private async onInstanceState(instanceId: string, state: string): Promise<void> {
    if (this.stopped) return;
    const i = INSTANCES.indexOf(instanceId as (typeof INSTANCES)[number]);
    const name = this.names[i];
    if (!name) return;
    if (state === 'stopping' || state === 'stopped') await this.agents.kill(name);
    else if (state === 'running' && !this.agents.get(name).child) await this.startAgent(name);
  }

  url(name: string): string {
    return this.agents.get(name).url;
  }

  client(name: string): Promise<AgentClient> {
    return this.agents.client(name);
  }

  async apply(config: ClusterConfigInput, via = this.names[0]!): Promise<void> {
    const c = await this.client(via);
    await c.call('config.apply', { config });
  }

  async status(name: string): Promise<ClusterStatus> {
    return (await this.client(name)).call('status.get', {});
  }

  kill(name: string): Promise<void> {
    return this.agents.kill(name);
  }

  async restart(name: string): Promise<void> {
    await this.agents.kill(name);
    await this.startAgent(name);
  }

  /** Waits until a group is online on a server, as that server's own status says. */
  async waitOnline(group: string, on: string, via = on, timeoutMs = 30_000): Promise<ClusterStatus> {
    return waitFor(
      `${group} online on ${on}`,
      async () => {
        const s = await this.status(via);
        const g = s.groups.find((x) => x.name === group);
        return g?.state === 'online' && g.current === on ? s : undefined;
      },
      timeoutMs,
      200,
    );
  }

  /**
   * Waits until every mirror disk is in sync (GREEN/GREEN). Until the initial construction has copied the
   * whole disk, the standby's copy is inconsistent and it rightly refuses to take over.
   */
  async waitMirrorsInSync(via = this.names[0]!, timeoutMs = 120_000): Promise<void> {
    await waitFor('the mirror disks to be in sync', async () => (await this.status(via)).mirrors.every((m) => m.status === 'normal'), timeoutMs, 500);
  }

  /** An EC2 client of the emulator, as an outsider with its own keys (not one of the instances). */
  ec2(): EC2Client {
    return new EC2Client({ region: this.cloud.region, endpoint: this.cloud.url, credentials: { accessKeyId: 'AKIDE2ETEST', secretAccessKey: 'e2e' }, maxAttempts: 1 });
  }

  /** The targets of the VIP's /32 route in the guide's three route tables, read through the real SDK. */
  async vipRouteTargets(cidr = '10.1.0.20/32'): Promise<(string | undefined)[]> {
    const ec2 = this.ec2();
    try {
      const r = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [...ROUTE_TABLES] }));
      return ROUTE_TABLES.map((id) => r.RouteTables?.find((t) => t.RouteTableId === id)?.Routes?.find((x) => x.DestinationCidrBlock === cidr)?.NetworkInterfaceId);
    } finally {
      ec2.destroy();
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.agents.stop();
    await this.witnessApp?.close();
    await this.cloud.stop();
  }
}

export { waitFor };
