/**
 * The clusters the fault suite runs: the e2e harness's loopback cluster (KumoCluster) for faults that need no
 * network cut, and NsCluster — the same emulator, witness and real agents, but each agent in its own network
 * namespace — for partitions. Both are seen through `ClusterUnderTest`, which the audits read. The config is
 * the guide's three chapters in one group (awsvip + awseip + awsdns + md), so that every failover is audited
 * on the route tables, the EIP and the record at once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ClusterConfigInput } from '@kumo/shared';
import { GUIDE_TOPOLOGY_PATH, startMockCloud } from '@kumo/mock-cloud';
import type { MockCloud } from '@kumo/mock-cloud';
import { AgentClient } from '@kumo/agent/client';
import { ClusterKey } from '@kumo/agent/crypto';
import { guideConfig, INSTANCES, KumoCluster, REPO } from '../../harness/cluster.js';
import { HUB_ADDRESS, killProcess, NetLab } from './netns.js';
import type { DropRule, NsProcess } from './netns.js';

export const AGENT_BIN = path.join(REPO, 'apps', 'agent', 'bin', 'kumo-agent.mjs');
export const WITNESS_PORT = 29009;

/** What the audits need from a running cluster, whichever way its agents are networked. */
export interface ClusterUnderTest {
  readonly names: string[];
  readonly cloud: MockCloud;
  instanceOf(name: string): string;
  /** A logged-in client (cached per agent; reconnects after the agent restarted). */
  client(name: string): Promise<AgentClient>;
  running(name: string): boolean;
  dataDir(name: string): string;
  /** Everything the agent printed (stdout and stderr) over all its lives. */
  output(name: string): string;
  /** The agent's HTTP base URL as the test process reaches it. */
  url(name: string): string;
  kill(name: string, signal?: NodeJS.Signals): Promise<void>;
  startAgent(name: string): Promise<void>;
}

type Chapter = Parameters<typeof guideConfig>[0];
type ChapterOpts = Parameters<typeof guideConfig>[1];

/** NP resolution of the suite's configs: a witness (polled every `intervalS`), a plain HTTP target, or none. */
export type NpChoice = { kind: 'witness' | 'http'; host: string; port: number; intervalS?: number } | null;

/**
 * The VIP, EIP and DNS chapters merged into one failover group (md first, as in each chapter), with short AWS
 * deadlines and retries in place. The mirror's own link timeout is 2.5 × its heartbeat (1 s at least): a cluster
 * whose heartbeat timeout is not well above it fails over before the mirror knows its link is cut, and the
 * standby's md then refuses to promote ("server1 is active"), for good (see the report). The loopback clusters
 * use 3 s (a killed agent's socket is reset at once); the namespace clusters, where cuts are silent, 5 s.
 */
export function fullGuideConfig(opts: ChapterOpts & { np?: NpChoice }): ClusterConfigInput {
  const [vip, eip, dns] = (['vip', 'eip', 'dns'] as Chapter[]).map((c) => guideConfig(c, opts) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any -- fixture surgery, validated by the agent
  const extra = (c: Record<string, any>, type: string) => c.groups[0].resources.filter((r: { type: string }) => r.type === type); // eslint-disable-line @typescript-eslint/no-explicit-any
  const monitors = (c: Record<string, any>, type: string) => c.monitors.filter((m: { type: string }) => m.type === type); // eslint-disable-line @typescript-eslint/no-explicit-any
  vip!.cluster.comment = 'fault suite: the guide chapters 5, 6 and 7 in one group';
  vip!.groups[0].resources.push(...extra(eip!, 'awseip'), ...extra(dns!, 'awsdns'));
  vip!.monitors.push(...monitors(eip!, 'awseipw'), ...monitors(dns!, 'awsdnsw'));
  for (const r of vip!.groups[0].resources) {
    // Fresh file-backed disks are identical (zeros): no initial copy, so a new cluster is mirrored at once.
    if (r.type === 'md') {
      r.params.initialCopy = false;
      r.recovery = { activation: { retryCount: 2 } };
    }
    // A short AWS deadline, so that a hung call fails within a scenario, and two retries in place, as an
    // administrator sets them for transient API trouble (CLUSTERPRO's default is none).
    else {
      r.params.awsCliTimeoutS = 5;
      r.recovery = { activation: { retryCount: 2 } };
    }
  }
  for (const m of vip!.monitors) if (['awsvipw', 'awseipw', 'awsdnsw', 'awsazw'].includes(m.type)) m.params = { ...(m.params ?? {}), awsCliTimeoutS: 5 };
  const np = opts.np === undefined ? (opts.witness ? { kind: 'witness' as const, ...opts.witness } : null) : opts.np;
  vip!.cluster.np.targets = np ? [{ kind: np.kind, host: np.host, port: np.port, intervalS: np.intervalS ?? 1, timeoutS: 1, retryCount: 1 }] : [];
  return vip as ClusterConfigInput;
}

/** Caches one logged-in AgentClient per agent (the harness opens a new one per call, which piles up). */
export class Clients {
  private readonly cache = new Map<string, Promise<AgentClient>>();
  constructor(private readonly url: (name: string) => string, private readonly dataDir: (name: string) => string) {}

  async get(name: string): Promise<AgentClient> {
    let p = this.cache.get(name);
    if (!p) {
      p = (async () => {
        const c = await AgentClient.connect(this.url(name), { timeoutMs: 3000 });
        try {
          const token = readFileSync(path.join(this.dataDir(name), 'cli.token'), 'utf8').trim();
          await c.call('session.login', { localToken: token }, 5000);
        } catch (e) {
          c.close();
          throw e;
        }
        return c;
      })();
      this.cache.set(name, p);
      p.catch(() => this.cache.delete(name));
    }
    return p;
  }

  /** Calls through the cached client; a broken connection is dropped so the next call reconnects. */
  async call<T>(name: string, fn: (c: AgentClient) => Promise<T>): Promise<T> {
    const c = await this.get(name);
    try {
      return await fn(c);
    } catch (e) {
      if (e instanceof Error && /closed|did not answer/.test(e.message)) this.drop(name);
      throw e;
    }
  }

  drop(name: string): void {
    const p = this.cache.get(name);
    this.cache.delete(name);
    void p?.then((c) => c.close()).catch(() => undefined);
  }

  closeAll(): void {
    for (const name of [...this.cache.keys()]) this.drop(name);
  }
}

/** The harness's loopback cluster seen as a ClusterUnderTest. */
export class LoopbackCluster implements ClusterUnderTest {
  readonly clients: Clients;
  private readonly logs = new Map<string, string[]>();

  constructor(readonly k: KumoCluster) {
    this.clients = new Clients(
      (n) => k.url(n),
      (n) => k.agents.get(n).dataDir,
    );
    for (const n of k.names) this.capture(n);
  }

  static async start(opts: Parameters<typeof KumoCluster.start>[0]): Promise<LoopbackCluster> {
    return new LoopbackCluster(await KumoCluster.start(opts));
  }

  get names(): string[] {
    return this.k.names;
  }

  get cloud(): MockCloud {
    return this.k.cloud;
  }

  instanceOf(name: string): string {
    return this.k.instanceOf(name);
  }

  /** Keeps the whole output of the agent's current process (the harness keeps only its tail). */
  private capture(name: string): void {
    const proc = this.k.agents.get(name);
    const log = this.logs.get(name) ?? [];
    this.logs.set(name, log);
    log.push(...proc.output);
    const child = proc.child;
    child?.stdout?.on('data', (d: Buffer) => log.push(d.toString('utf8')));
    child?.stderr?.on('data', (d: Buffer) => log.push(d.toString('utf8')));
  }

  client(name: string): Promise<AgentClient> {
    return this.clients.get(name);
  }

  url(name: string): string {
    return this.k.url(name);
  }

  running(name: string): boolean {
    const c = this.k.agents.get(name).child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  dataDir(name: string): string {
    return this.k.agents.get(name).dataDir;
  }

  output(name: string): string {
    return (this.logs.get(name) ?? []).join('');
  }

  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.clients.drop(name);
    await this.k.agents.kill(name, signal);
  }

  async startAgent(name: string): Promise<void> {
    this.clients.drop(name);
    await this.k.startAgent(name);
    this.capture(name);
  }

  async stop(): Promise<void> {
    this.clients.closeAll();
    await this.k.stop();
  }
}

export interface NsClusterOptions {
  /** Our loopback subnet in the root namespace: the emulator at .9, the relays to the agents at .21, .22… */
  subnet: string;
  servers?: number;
  heartbeat?: { intervalS: number; timeoutS: number };
  monitorIntervalS?: number;
  /** NP resolution: a plain HTTP target (the witness's HEAD /; the default), the witness, or none. */
  np?: 'witness' | 'http' | 'none';
  /** The witness's poll interval (default 1 s). */
  witnessIntervalS?: number;
  forcedStop?: boolean;
  hostMode?: 'simulated' | 'linux';
  /** Extra environment for the agents (e.g. a PATH with recording shims). */
  env?: Record<string, string>;
  /** The config to apply (default: the merged guide chapters for these addresses). */
  config?: (c: NsCluster) => ClusterConfigInput;
}

interface NsAgent {
  name: string;
  index: number;
  address: string;
  dataDir: string;
  proc: NsProcess | null;
  starting: Promise<void> | null;
  log: string[];
}

const CLOUD_PORT_IN_NS = 4566;
const IMDS_PORT_IN_NS = 4567;
const DNS_PORT_IN_NS = 5353;

/**
 * A cluster whose agents run in network namespaces joined by a bridge: server i at 192.0.2.(11+i), the witness
 * (and the plain NP target) at 192.0.2.10 in the hub. The emulator runs in the test process on our loopback
 * subnet and is reached from inside through the forwarders; a forced stop kills the agent for real.
 */
export class NsCluster implements ClusterUnderTest {
  readonly names: string[];
  readonly agents = new Map<string, NsAgent>();
  readonly clients: Clients;
  readonly keyFile: string;
  private witness: NsProcess | null = null;
  private stopped = false;

  private constructor(
    readonly opts: NsClusterOptions,
    readonly dir: string,
    readonly cloud: MockCloud,
    readonly lab: NetLab,
  ) {
    const n = opts.servers ?? 2;
    this.names = Array.from({ length: n }, (_, i) => `server${i + 1}`);
    this.names.forEach((name, index) => this.agents.set(name, { name, index, address: `192.0.2.${11 + index}`, dataDir: path.join(dir, name), proc: null, starting: null, log: [] }));
    this.keyFile = path.join(dir, 'cluster.key');
    this.clients = new Clients(
      (name) => this.url(name),
      (name) => this.agent(name).dataDir,
    );
  }

  static async start(opts: NsClusterOptions): Promise<NsCluster> {
    await NetLab.sweepStale();
    const dir = mkdtempSync(path.join(tmpdir(), 'kumo-faults-'));
    const ref: { c?: NsCluster } = {};
    const cloud = await startMockCloud({
      topology: GUIDE_TOPOLOGY_PATH,
      host: `${opts.subnet}.9`,
      changeSyncDelayMs: 300,
      instanceStopDelayMs: 300,
      instanceStartDelayMs: 300,
      onInstanceStateChange: (e) => void ref.c?.onInstanceState(e.instanceId, e.state),
    });
    const n = opts.servers ?? 2;
    let lab: NetLab;
    try {
      lab = await NetLab.create(path.join(dir, 's'), Array.from({ length: n }, (_, i) => ({ name: `server${i + 1}`, address: `192.0.2.${11 + i}` })));
    } catch (e) {
      await cloud.stop();
      rmSync(dir, { recursive: true, force: true });
      throw e;
    }
    const c = new NsCluster(opts, dir, cloud, lab);
    ref.c = c;
    try {
      await ClusterKey.generate().save(c.keyFile);
      await c.wire();
      await Promise.all([(opts.np ?? 'http') !== 'none' ? c.startWitness() : undefined, ...c.names.map((name) => c.startAgent(name))]);
      await c.apply(opts.config ? opts.config(c) : c.guide());
    } catch (e) {
      await c.stop();
      throw e;
    }
    return c;
  }

  agent(name: string): NsAgent {
    const a = this.agents.get(name);
    if (!a) throw new Error(`no agent ${name}`);
    return a;
  }

  get addresses(): string[] {
    return this.names.map((n) => this.agent(n).address);
  }

  /** The merged guide config for the namespace addresses. */
  guide(): ClusterConfigInput {
    const np = this.opts.np ?? 'http';
    return fullGuideConfig({
      addresses: this.addresses,
      np: np === 'none' ? null : { kind: np, host: HUB_ADDRESS, port: WITNESS_PORT, ...(this.opts.witnessIntervalS ? { intervalS: this.opts.witnessIntervalS } : {}) },
      dnsServer: `127.0.0.1:${DNS_PORT_IN_NS}`,
      heartbeat: this.opts.heartbeat ?? { intervalS: 0.5, timeoutS: 5 },
      monitorIntervalS: this.opts.monitorIntervalS ?? 1,
      forcedStop: this.opts.forcedStop ?? false,
    });
  }

  /** Relays: agents → emulator (EC2 + Route 53, their IMDS, DNS) and the test process → agents. */
  private async wire(): Promise<void> {
    const cloudUrl = new URL(this.cloud.url);
    const dns = this.cloud.dns;
    await Promise.all(this.names.map(async (name) => {
      const a = this.agent(name);
      const imds = new URL(this.cloud.imds[this.instanceOf(name)]!);
      const cloudSock = await this.lab.unixToTcp(`c${a.index}.sock`, { host: cloudUrl.hostname, port: Number(cloudUrl.port) });
      const imdsSock = await this.lab.unixToTcp(`m${a.index}.sock`, { host: imds.hostname, port: Number(imds.port) });
      const dnsSock = await this.lab.unixToUdp(`d${a.index}.sock`, { host: dns.host, port: dns.port });
      const agentSock = path.join(this.lab.sockDir, `a${a.index}.sock`);
      await this.lab.forwarder(name, [
        { listen: { host: '127.0.0.1', port: CLOUD_PORT_IN_NS }, connect: { path: cloudSock } },
        { listen: { host: '127.0.0.1', port: IMDS_PORT_IN_NS }, connect: { path: imdsSock } },
        { listen: { host: '127.0.0.1', port: DNS_PORT_IN_NS }, connect: { path: dnsSock }, udp: true },
        { listen: { path: agentSock }, connect: { host: a.address, port: 29003 } },
      ]);
      await this.lab.tcpToUnix({ host: `${this.opts.subnet}.${21 + a.index}`, port: 29003 }, `a${a.index}.sock`);
    }));
  }

  private async startWitness(): Promise<void> {
    this.witness = await this.lab.spawnIn('hub', [AGENT_BIN, 'witness', '--listen', `${HUB_ADDRESS}:${WITNESS_PORT}`, '--key', this.keyFile, '--log-level', 'warn'], {
      ready: '"witness"',
      timeoutMs: 90_000,
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
  }

  instanceOf(name: string): string {
    const id = INSTANCES[this.agent(name).index];
    if (!id) throw new Error(`${name} has no emulated instance`);
    return id;
  }

  /** Starts the agent unless it runs (or is starting: a forced-stop restart and a reset may race). */
  async startAgent(name: string): Promise<void> {
    const a = this.agent(name);
    if (this.running(name)) return;
    a.starting ??= this.spawnAgent(a).finally(() => (a.starting = null));
    return a.starting;
  }

  private async spawnAgent(a: NsAgent): Promise<void> {
    const name = a.name;
    this.clients.drop(name);
    const env: Record<string, string> = {
      ...this.cloud.env(this.instanceOf(name)),
      AWS_ENDPOINT_URL_EC2: `http://127.0.0.1:${CLOUD_PORT_IN_NS}`,
      AWS_ENDPOINT_URL_ROUTE_53: `http://127.0.0.1:${CLOUD_PORT_IN_NS}`,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: `http://127.0.0.1:${IMDS_PORT_IN_NS}`,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      KUMO_LOG_LEVEL: process.env['KUMO_TEST_LOG_LEVEL'] ?? 'info',
      ...(this.opts.env ?? {}),
    };
    const args = [AGENT_BIN, '--data-dir', a.dataDir, '--name', name, '--listen', `${a.address}:29003`, '--key', this.keyFile, '--host-mode', this.opts.hostMode ?? 'simulated'];
    const proc = await this.lab.spawnIn(name, args, { env, ready: '"ready":true', timeoutMs: 90_000 }).catch((e: unknown) => {
      a.log.push(String(e));
      throw e;
    });
    a.log.push(...proc.output);
    proc.output = a.log; // one log over all lives
    a.proc = proc;
  }

  private async onInstanceState(instanceId: string, state: string): Promise<void> {
    if (this.stopped) return;
    const name = this.names.find((n) => this.instanceOf(n) === instanceId);
    if (!name) return;
    if (state === 'stopping' || state === 'stopped') await this.kill(name);
    else if (state === 'running' && !this.running(name)) await this.startAgent(name).catch(() => undefined);
  }

  async apply(config: ClusterConfigInput, via = this.names[0]!): Promise<void> {
    await this.clients.call(via, (c) => c.call('config.apply', { config }, 30_000));
  }

  /**
   * A fresh start on the same namespaces (the expensive part to build): agents and witness restarted with empty
   * data directories, the emulator back to its topology, every cut healed, the config applied again.
   */
  async reset(opts: Pick<NsClusterOptions, 'np' | 'forcedStop' | 'witnessIntervalS'> = {}): Promise<void> {
    this.clients.closeAll();
    await Promise.all(this.names.map((n) => this.kill(n)));
    await killProcess(this.witness?.child);
    this.witness = null;
    await this.healAll();
    this.cloud.reset();
    for (const n of this.names) {
      rmSync(this.agent(n).dataDir, { recursive: true, force: true });
      this.agent(n).log.push('\n──── reset ────\n');
    }
    Object.assign(this.opts, opts);
    await Promise.all([(this.opts.np ?? 'http') !== 'none' ? this.startWitness() : undefined, ...this.names.map((n) => this.startAgent(n))]);
    await this.apply(this.opts.config ? this.opts.config(this) : this.guide());
  }

  client(name: string): Promise<AgentClient> {
    return this.clients.get(name);
  }

  url(name: string): string {
    return `http://${this.opts.subnet}.${21 + this.agent(name).index}:29003`;
  }

  running(name: string): boolean {
    const c = this.agent(name).proc?.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  dataDir(name: string): string {
    return this.agent(name).dataDir;
  }

  output(name: string): string {
    return this.agent(name).log.join('');
  }

  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    this.clients.drop(name);
    const a = this.agent(name);
    await killProcess(a.proc?.child, signal);
    a.proc = null;
  }

  // ─── Cuts (nftables inside the namespaces) ─────────────────────────────────────────────────────────────

  private readonly cuts = new Map<string, Set<string>>();

  private rulesFor(name: string): DropRule[] {
    const out: DropRule[] = [];
    for (const key of this.cuts.get(name) ?? []) {
      const [what, arg] = key.split(' ') as [string, string];
      if (what === 'peer') out.push({ to: this.agent(arg).address });
      else if (what === 'mdc') out.push({ to: this.agent(arg).address, proto: 'tcp', port: 29051 });
      else if (what === 'np') out.push({ to: HUB_ADDRESS });
      else if (what === 'aws') {
        out.push({ to: '127.0.0.1', proto: 'tcp', port: CLOUD_PORT_IN_NS }, { to: '127.0.0.1', proto: 'tcp', port: IMDS_PORT_IN_NS }, { to: '127.0.0.1', proto: 'udp', port: DNS_PORT_IN_NS });
      }
    }
    return out;
  }

  /** nft runs per namespace one at a time, each with the rules as they are when it runs (a later one wins). */
  private readonly nftQueue = new Map<string, Promise<void>>();

  private async update(name: string, key: string, on: boolean): Promise<void> {
    const set = this.cuts.get(name) ?? new Set<string>();
    this.cuts.set(name, set);
    if (on) set.add(key);
    else set.delete(key);
    const next = (this.nftQueue.get(name) ?? Promise.resolve()).catch(() => undefined).then(() => this.lab.setDrops(name, this.rulesFor(name)));
    this.nftQueue.set(name, next);
    await next;
  }

  /** Cuts everything between two servers (heartbeats, peer socket, MDC), both ways. */
  async cut(a: string, b: string): Promise<void> {
    await Promise.all([this.update(a, `peer ${b}`, true), this.update(b, `peer ${a}`, true)]);
  }

  async heal(a: string, b: string): Promise<void> {
    await Promise.all([this.update(a, `peer ${b}`, false), this.update(b, `peer ${a}`, false)]);
  }

  /** Cuts only the mirror disk connect (TCP 29051) between two servers. */
  async cutMdc(a: string, b: string, on = true): Promise<void> {
    await Promise.all([this.update(a, `mdc ${b}`, on), this.update(b, `mdc ${a}`, on)]);
  }

  /** The server can no longer reach the witness / NP target. */
  async cutNp(name: string, on = true): Promise<void> {
    await this.update(name, 'np -', on);
  }

  /** The server can no longer reach AWS (EC2, Route 53, its IMDS, DNS). */
  async cutAws(name: string, on = true): Promise<void> {
    await this.update(name, 'aws -', on);
  }

  async healAll(): Promise<void> {
    for (const name of this.names) {
      this.cuts.set(name, new Set());
      await this.update(name, '-', false);
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.clients.closeAll();
    await Promise.all(this.names.map((n) => this.kill(n)));
    await killProcess(this.witness?.child);
    await this.lab.close();
    await this.cloud.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
