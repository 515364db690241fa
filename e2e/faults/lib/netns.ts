/**
 * A private network for partition tests: one namespace per server and a hub namespace whose bridge joins them
 * (the witness and the plain NP target live on the bridge at 192.0.2.10). Addresses are TEST-NET-1 and exist
 * only inside the namespaces; no namespace has a default route, so nothing leaves. Links are cut with nftables
 * tables inside the namespaces (silent drops, like a real partition; stack-notes §4).
 *
 * The root namespace never addresses a namespace IP: the test process reaches the agents, and the agents reach
 * the AWS emulator, only through Unix sockets relayed by a forwarder process in each namespace (bin/forwarder.mjs).
 * Everything created here is removed by `close()`, and `sweepStale()` removes what a killed run left behind.
 */
import { execFile as execFileCb, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);
const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const FORWARDER = fileURLToPath(new URL('../bin/forwarder.mjs', import.meta.url));
const NS_PREFIX = 'kumof';

export const HUB_ADDRESS = '192.0.2.10';

export interface Endpoint {
  host: string;
  port: number;
}

export interface NsProcess {
  child: ChildProcess;
  output: string[];
}

async function ip(...args: string[]): Promise<void> {
  await execFile('ip', args);
}

/** Spawns a process and waits for a line containing `ready`; rejects (and kills it) on exit or timeout. */
export async function spawnReady(cmd: string, args: string[], opts: { env?: Record<string, string>; ready: string; timeoutMs: number; cwd?: string }): Promise<NsProcess> {
  const child = spawn(cmd, args, { env: { ...process.env, ...(opts.env ?? {}) }, stdio: ['ignore', 'pipe', 'pipe'], cwd: opts.cwd ?? E2E_DIR });
  const proc: NsProcess = { child, output: [] };
  const keep = (d: Buffer) => {
    proc.output.push(d.toString('utf8'));
    if (proc.output.length > 20_000) proc.output.splice(0, 5000);
  };
  child.stderr?.on('data', keep);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${cmd} ${args.slice(0, 6).join(' ')} was not ready within ${opts.timeoutMs} ms:\n${proc.output.join('')}`));
    }, opts.timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      keep(d);
      if (d.toString('utf8').includes(opts.ready)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} ${args.slice(0, 6).join(' ')} exited with ${code}:\n${proc.output.join('')}`));
    });
  });
  child.removeAllListeners('exit');
  return proc;
}

/** Kills one process we started and waits for it to be gone. */
export async function killProcess(child: ChildProcess | null | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

/** The nftables rules one namespace drops (its output hook; both sides together cut both directions). */
export type DropRule = { to: string; proto?: 'tcp' | 'udp'; port?: number };

export class NetLab {
  readonly id = `${NS_PREFIX}${process.pid}${Math.random().toString(36).slice(2, 5)}`;
  private readonly created: string[] = [];
  private readonly procs = new Set<ChildProcess>();
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly drops = new Map<string, DropRule[]>();

  private constructor(readonly sockDir: string) {}

  /** Namespaces `hub` (bridge at 192.0.2.10/24) and one per member, each joined to the bridge by a veth pair. */
  static async create(sockDir: string, members: { name: string; address: string }[]): Promise<NetLab> {
    mkdirSync(sockDir, { recursive: true, mode: 0o700 });
    const lab = new NetLab(sockDir);
    try {
      const hub = lab.ns('hub');
      await lab.add(hub);
      await ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge');
      await ip('-n', hub, 'addr', 'add', `${HUB_ADDRESS}/24`, 'dev', 'br0');
      await ip('-n', hub, 'link', 'set', 'br0', 'up');
      for (const m of members) {
        const ns = lab.ns(m.name);
        await lab.add(ns);
        await ip('-n', hub, 'link', 'add', `v-${m.name}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
        await ip('-n', hub, 'link', 'set', `v-${m.name}`, 'master', 'br0', 'up');
        await ip('-n', ns, 'addr', 'add', `${m.address}/24`, 'dev', 'eth0');
        await ip('-n', ns, 'link', 'set', 'eth0', 'up');
      }
    } catch (e) {
      await lab.close();
      throw e;
    }
    return lab;
  }

  /** Removes namespaces left by runs whose process is gone (a crashed or killed test run). */
  static async sweepStale(): Promise<void> {
    const { stdout } = await execFile('ip', ['netns', 'list']).catch(() => ({ stdout: '' }));
    for (const line of stdout.split('\n')) {
      const name = line.split(' ')[0] ?? '';
      const m = new RegExp(`^${NS_PREFIX}(\\d+)[a-z0-9]{0,3}-`).exec(name);
      if (!m) continue;
      const pid = Number(m[1]);
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (!alive || pid === process.pid) await ip('netns', 'del', name).catch(() => undefined);
    }
  }

  ns(member: string): string {
    return `${this.id}-${member}`;
  }

  private async add(ns: string): Promise<void> {
    await ip('netns', 'add', ns);
    this.created.push(ns);
    await ip('-n', ns, 'link', 'set', 'lo', 'up');
  }

  /** Starts `node <args>` inside a member's namespace (the PID of `ip netns exec` is node's: it execs). */
  async spawnIn(member: string, nodeArgs: string[], opts: { env?: Record<string, string>; ready: string; timeoutMs?: number }): Promise<NsProcess> {
    const p = await spawnReady('ip', ['netns', 'exec', this.ns(member), process.execPath, ...nodeArgs], { ...opts, timeoutMs: opts.timeoutMs ?? 30_000 });
    this.track(p.child);
    return p;
  }

  track(child: ChildProcess): void {
    this.procs.add(child);
    child.once('exit', () => this.procs.delete(child));
  }

  /** A forwarder in a member's namespace: each mapping listens inside and connects (through a socket) outside. */
  async forwarder(member: string, mappings: { listen: Endpoint | { path: string }; connect: Endpoint | { path: string }; udp?: boolean }[]): Promise<NsProcess> {
    return this.spawnIn(member, [FORWARDER, JSON.stringify(mappings)], { ready: '"ready":true', timeoutMs: 20_000 });
  }

  /** Root side: a Unix socket whose connections are piped to a TCP endpoint (the emulator, an IMDS). */
  async unixToTcp(file: string, to: Endpoint): Promise<string> {
    const p = path.join(this.sockDir, file);
    await this.listen(net.createServer((c) => pipe(c, net.connect(to.port, to.host))), p);
    return p;
  }

  /** Root side: a TCP listener (on our loopback subnet) piped to a Unix socket (an agent, via its forwarder). */
  async tcpToUnix(at: Endpoint, file: string): Promise<void> {
    const p = path.join(this.sockDir, file);
    await this.listen(net.createServer((c) => pipe(c, net.connect(p))), at);
  }

  /** Root side of a UDP relay: each connection carries one datagram to `to` and gets the reply back. */
  async unixToUdp(file: string, to: Endpoint): Promise<string> {
    const p = path.join(this.sockDir, file);
    const server = net.createServer((c) => {
      const chunks: Buffer[] = [];
      c.on('data', (d: Buffer) => chunks.push(d));
      c.on('error', () => c.destroy());
      c.on('end', () => {
        const sock = dgram.createSocket('udp4');
        const timer = setTimeout(() => {
          sock.close();
          c.destroy();
        }, 5000);
        sock.on('message', (reply) => {
          clearTimeout(timer);
          sock.close();
          c.end(reply);
        });
        sock.send(Buffer.concat(chunks), to.port, to.host);
      });
    });
    await this.listen(server, p);
    return p;
  }

  private listen(server: net.Server, at: Endpoint | string): Promise<void> {
    this.servers.push(server);
    server.on('connection', (c: net.Socket) => {
      this.sockets.add(c);
      c.once('close', () => this.sockets.delete(c));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      if (typeof at === 'string') server.listen(at, () => resolve());
      else server.listen(at.port, at.host, () => resolve());
    });
  }

  /** Replaces the drop rules of a member's namespace (an empty list heals it). */
  async setDrops(member: string, rules: DropRule[]): Promise<void> {
    this.drops.set(member, rules);
    const table = 'kumo_faults';
    const lines = [`add table inet ${table}`, `flush table inet ${table}`, `add chain inet ${table} out { type filter hook output priority 0; policy accept; }`];
    for (const r of rules) {
      const match = r.proto ? ` ${r.proto} dport ${r.port ?? 0}` : '';
      lines.push(`add rule inet ${table} out ip daddr ${r.to}${match} drop`);
      // A port rule also drops the answers (source port), so an established connection stalls both ways.
      if (r.proto) lines.push(`add rule inet ${table} out ip daddr ${r.to} ${r.proto} sport ${r.port ?? 0} drop`);
    }
    await new Promise<void>((resolve, reject) => {
      const child = spawn('ip', ['netns', 'exec', this.ns(member), 'nft', '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`nft in ${member} failed: ${err}`))));
      child.stdin.end(`${lines.join('\n')}\n`);
    });
  }

  dropsOf(member: string): DropRule[] {
    return this.drops.get(member) ?? [];
  }

  async close(): Promise<void> {
    await Promise.all([...this.procs].map((c) => killProcess(c)));
    for (const s of this.servers.splice(0)) s.close();
    for (const c of this.sockets) c.destroy();
    this.sockets.clear();
    for (const ns of this.created.splice(0).reverse()) await ip('netns', 'del', ns).catch(() => undefined);
  }
}

function pipe(a: net.Socket, b: net.Socket): void {
  a.pipe(b).pipe(a);
  const drop = () => {
    a.destroy();
    b.destroy();
  };
  a.on('error', drop);
  b.on('error', drop);
  a.on('close', drop);
  b.on('close', drop);
}
