/**
 * Heartbeats: a signed UDP datagram on every interconnect every `heartbeat.interval` (DESIGN §4). A server is
 * down only when no heartbeat arrived on any interconnect for `heartbeat.timeout`; a gap past half the timeout
 * raises CLUSTERPRO's heartbeat-delay warning. Packets are authenticated with the cluster key and protected
 * against replay: each carries the sender's boot id and a sequence number that must increase, and a boot id
 * never seen before is only accepted with a fresh timestamp.
 */
import dgram from 'node:dgram';
import { heartbeatAddresses, heartbeatSchema } from '@kumo/shared';
import type { Heartbeat, ServiceState, ValidConfig } from '@kumo/shared';
import type { ClusterKey } from '../crypto/cluster-key.js';
import type { Logger } from '../util/log.js';

/** How far a new boot's timestamp may be from our clock (servers are time-synced, as CLUSTERPRO requires). */
const FRESHNESS_MS = 60_000;
const MAX_PACKET = 2048;

export interface HeartbeatEvents {
  up: (server: string, bootId: string, service: ServiceState) => void;
  down: (server: string) => void;
  refused: (from: string, reason: string) => void;
  delayed: (server: string, interconnect: number, gapMs: number) => void;
}

interface Peer {
  /** Last arrival per interconnect priority. */
  lastSeen: Map<number, number>;
  alive: boolean;
  bootId: string | null;
  service: ServiceState;
  delayedWarned: Map<number, boolean>;
}

export interface HeartbeatStatus {
  server: string;
  interconnects: { priority: number; address: string; state: 'normal' | 'delayed' | 'error' | 'unknown'; lastSeenMsAgo: number | null }[];
}

export class HeartbeatService {
  private sockets: { priority: number; socket: dgram.Socket }[] = [];
  private config: ValidConfig | null = null;
  private seq = 0;
  private service: ServiceState = 'stopped';
  private readonly peers = new Map<string, Peer>();
  /** Per sender: boot id → highest sequence number accepted. */
  private readonly seen = new Map<string, Map<string, number>>();
  private sendTimer: NodeJS.Timeout | undefined;
  private checkTimer: NodeJS.Timeout | undefined;
  private readonly refusedLogged = new Map<string, number>();

  constructor(
    private readonly opts: {
      key: ClusterKey;
      self: string;
      bootId: string;
      events: HeartbeatEvents;
      log: Logger;
      now?: () => number;
    },
  ) {}

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }

  setService(service: ServiceState): void {
    if (this.service === service) return;
    this.service = service;
    this.sendAll(); // peers learn a service change at once, not one interval later
  }

  /**
   * (Re)binds the interconnect sockets for a config; keeps what it knows about peers. Calls run one after the
   * other (two config changes in a row, a catch-up and a commit, must not bind the same port twice), and a
   * config whose interconnects, port and interval are unchanged (most applies) keeps the sockets and timers:
   * no gap in the heartbeats.
   */
  configure(config: ValidConfig | null): Promise<void> {
    const run = this.configuring.then(() => this.reconfigure(config));
    this.configuring = run.catch(() => undefined);
    return run;
  }

  private configuring: Promise<void> = Promise.resolve();
  private bound = '';

  private async reconfigure(config: ValidConfig | null): Promise<void> {
    const member = !!config && config.servers.some((s) => s.name === this.opts.self);
    const bound = member ? JSON.stringify([config.cluster.ports.heartbeat, config.cluster.heartbeat.intervalS, heartbeatAddresses(config, this.opts.self)]) : '';
    const keep = member && bound === this.bound && this.sockets.length > 0;
    if (!keep) {
      this.close();
      this.bound = '';
    }
    this.config = config;
    if (!config || !member) return;
    for (const name of config.servers.map((s) => s.name)) {
      if (name !== this.opts.self && !this.peers.has(name)) {
        this.peers.set(name, { lastSeen: new Map(), alive: false, bootId: null, service: 'stopped', delayedWarned: new Map() });
      }
    }
    for (const name of [...this.peers.keys()]) if (!config.servers.some((s) => s.name === name)) this.peers.delete(name);
    if (keep) return;
    const port = config.cluster.ports.heartbeat;
    for (const { priority, address } of heartbeatAddresses(config, this.opts.self)) {
      const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
      socket.on('message', (msg, rinfo) => this.onPacket(msg, `${rinfo.address}:${rinfo.port}`, priority));
      socket.on('error', (e) => this.opts.log.warn(`heartbeat socket ${address}:${port} error`, { error: e.message }));
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, address, () => {
          socket.off('error', reject);
          resolve();
        });
      }).catch((e: unknown) => {
        socket.close();
        throw new Error(`cannot listen for heartbeats on ${address}:${port} (${e instanceof Error ? e.message : String(e)}); is another agent using this address?`, { cause: e });
      });
      this.sockets.push({ priority, socket });
    }
    const intervalMs = config.cluster.heartbeat.intervalS * 1000;
    this.sendTimer = setInterval(() => this.sendAll(), intervalMs);
    this.checkTimer = setInterval(() => this.checkTimeouts(), Math.max(50, Math.min(250, intervalMs / 2)));
    this.bound = bound;
    this.sendAll();
  }

  private sendAll(): void {
    const config = this.config;
    if (!config) return;
    const port = config.cluster.ports.heartbeat;
    for (const { priority, socket } of this.sockets) {
      const row = config.interconnects.find((ic) => ic.priority === priority);
      if (!row) continue;
      this.seq += 1;
      const hb: Heartbeat = {
        v: 1,
        cluster: config.cluster.name,
        server: this.opts.self,
        bootId: this.opts.bootId,
        seq: this.seq,
        time: this.now(),
        service: this.service,
        configHash: null,
        interconnect: priority,
      };
      const body = JSON.stringify(hb);
      const packet = Buffer.from(`{"hb":${body},"mac":"${this.opts.key.hmac(body)}"}`);
      for (const [server, address] of Object.entries(row.addresses)) {
        if (server === this.opts.self) continue;
        socket.send(packet, port, address, (e) => {
          if (e) this.opts.log.debug(`heartbeat to ${server} ${address} failed`, { error: e.message });
        });
      }
    }
  }

  private refuse(from: string, reason: string): void {
    const key = `${from}|${reason.slice(0, 30)}`;
    const last = this.refusedLogged.get(key) ?? 0;
    if (this.now() - last < 30_000) return;
    this.refusedLogged.set(key, this.now());
    this.opts.log.warn(`refused a heartbeat from ${from}: ${reason}`);
    this.opts.events.refused(from, reason);
  }

  /** Parses and authenticates one datagram; exported behaviour is tested through `receive`. */
  receive(msg: Buffer, from: string, priority: number): void {
    this.onPacket(msg, from, priority);
  }

  private onPacket(msg: Buffer, from: string, priority: number): void {
    if (!this.config) return;
    if (msg.length > MAX_PACKET) return this.refuse(from, 'oversized packet');
    let outer: unknown;
    try {
      outer = JSON.parse(msg.toString('utf8'));
    } catch {
      return this.refuse(from, 'not a Kumo heartbeat (malformed)');
    }
    if (typeof outer !== 'object' || outer === null || !('hb' in outer) || !('mac' in outer) || typeof outer.mac !== 'string') {
      return this.refuse(from, 'not a Kumo heartbeat');
    }
    const body = JSON.stringify(outer.hb);
    if (!this.opts.key.verify(body, outer.mac)) return this.refuse(from, 'bad signature: the sender does not hold the cluster key');
    const parsed = heartbeatSchema.safeParse(outer.hb);
    if (!parsed.success) return this.refuse(from, 'malformed heartbeat');
    const hb = parsed.data;
    if (hb.cluster !== this.config.cluster.name) return this.refuse(from, `heartbeat of another cluster (${hb.cluster})`);
    const peer = this.peers.get(hb.server);
    if (!peer || hb.server === this.opts.self) return this.refuse(from, `heartbeat from ${hb.server}, which is not a server of this cluster`);
    // Replay protection.
    let boots = this.seen.get(hb.server);
    if (!boots) {
      boots = new Map();
      this.seen.set(hb.server, boots);
    }
    const last = boots.get(hb.bootId);
    if (last === undefined) {
      if (Math.abs(this.now() - hb.time) > FRESHNESS_MS) return this.refuse(from, 'stale heartbeat (replayed or the clocks differ by more than a minute)');
      if (boots.size >= 8) boots.delete(boots.keys().next().value as string);
    } else if (hb.seq <= last) {
      return this.refuse(from, `replayed heartbeat from ${hb.server} (sequence ${hb.seq} already seen)`);
    }
    boots.set(hb.bootId, hb.seq);

    const now = this.now();
    const previous = peer.lastSeen.get(priority);
    const timeoutMs = this.config.cluster.heartbeat.timeoutS * 1000;
    if (previous !== undefined && peer.alive && now - previous > timeoutMs / 2 && !peer.delayedWarned.get(priority)) {
      peer.delayedWarned.set(priority, true);
      this.opts.events.delayed(hb.server, priority, now - previous);
    } else if (previous !== undefined && now - previous <= timeoutMs / 2) peer.delayedWarned.set(priority, false);
    peer.lastSeen.set(priority, now);
    const changed = !peer.alive || peer.bootId !== hb.bootId || peer.service !== hb.service;
    peer.alive = true;
    peer.bootId = hb.bootId;
    peer.service = hb.service;
    if (changed) this.opts.events.up(hb.server, hb.bootId, hb.service);
  }

  /** When a heartbeat from `server` last arrived on any interconnect (this service's clock), or null. */
  lastHeard(server: string): number | null {
    const seen = [...(this.peers.get(server)?.lastSeen.values() ?? [])];
    return seen.length > 0 ? Math.max(...seen) : null;
  }

  private checkTimeouts(): void {
    if (!this.config) return;
    const timeoutMs = this.config.cluster.heartbeat.timeoutS * 1000;
    const now = this.now();
    for (const [server, peer] of this.peers) {
      if (!peer.alive) continue;
      if (now - (this.lastHeard(server) ?? 0) > timeoutMs) {
        peer.alive = false;
        this.opts.events.down(server);
      }
    }
  }

  status(): HeartbeatStatus[] {
    const config = this.config;
    if (!config) return [];
    const timeoutMs = config.cluster.heartbeat.timeoutS * 1000;
    const now = this.now();
    return [...this.peers.entries()].map(([server, peer]) => ({
      server,
      interconnects: heartbeatAddresses(config, server).map(({ priority, address }) => {
        const seen = peer.lastSeen.get(priority);
        const ago = seen === undefined ? null : now - seen;
        const state = ago === null ? 'unknown' : ago > timeoutMs ? 'error' : ago > timeoutMs / 2 ? 'delayed' : 'normal';
        return { priority, address, state, lastSeenMsAgo: ago };
      }),
    }));
  }

  isAlive(server: string): boolean {
    return this.peers.get(server)?.alive ?? false;
  }

  close(): void {
    if (this.sendTimer) clearInterval(this.sendTimer);
    if (this.checkTimer) clearInterval(this.checkTimer);
    this.sendTimer = undefined;
    this.checkTimer = undefined;
    for (const { socket } of this.sockets) socket.close();
    this.sockets = [];
  }
}
