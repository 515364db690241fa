/**
 * The mirror disks of this server (DESIGN §6): one MirrorDisk per `md` resource whose group this server may
 * run, opened when the config names it and closed when it no longer does. Both servers run theirs all the time
 * (the "mirror agent"); the md resource only promotes and demotes. Mirror events become CLUSTERPRO's alerts.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { groupServers, mdcAddress, RESOURCE_TYPES } from '@kumo/shared';
import type { AlertKey, ClusterStatus, MirrorStatus, ValidConfig } from '@kumo/shared';
import type { z } from 'zod';
import type { mdType } from '@kumo/shared';
import type { ClusterKey } from '../crypto/cluster-key.js';
import type { Host } from '../host/host.js';
import { MirrorDisk } from '../mirror/index.js';
import type { MirrorDiskStatus, MirrorEvent } from '../mirror/index.js';
import { KumoError } from '../util/errors.js';
import type { Logger } from '../util/log.js';

export type MdParams = z.output<typeof mdType.params>;

interface Entry {
  disk: MirrorDisk | null;
  opening: Promise<MirrorDisk | null> | null;
  signature: string;
  group: string;
  peer: string;
}

export interface MirrorManagerOptions {
  self: string;
  dataDir: string;
  key: ClusterKey;
  host: Host;
  log: Logger;
  alert: (key: AlertKey, args: (string | number)[]) => void;
  /** Size of file-backed partitions created on a simulated host (MiB). */
  fileSizeMiB: number;
  onChange: () => void;
  /** Tells `peer` that its copy of mirror disk `name` is outdated (over the agents' peer link); true if it confirmed. */
  outdatePeer: (peer: string, name: string) => Promise<boolean>;
}

export class MirrorManager {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: MirrorManagerOptions) {}

  /** Opens, reopens or closes mirror disks to match the config. */
  async configure(config: ValidConfig | null): Promise<void> {
    const wanted = new Map<string, { signature: string; group: string; peer: string; params: MdParams; mdc: { local: string; peer: string } }>();
    for (const g of config?.groups ?? []) {
      const servers = config ? groupServers(config, g) : [];
      if (!servers.includes(this.opts.self)) continue;
      const peer = servers.find((s) => s !== this.opts.self);
      if (!peer) continue;
      for (const r of g.resources.filter((x) => x.type === 'md')) {
        const parsed = RESOURCE_TYPES.md.params.safeParse({ ...r.params, ...(r.perServer[this.opts.self] ?? {}) });
        if (!parsed.success || !config) continue;
        const params = parsed.data;
        const local = mdcAddress(config, params.mdc, this.opts.self);
        const remote = mdcAddress(config, params.mdc, peer);
        if (!local || !remote) continue;
        const peerParams = RESOURCE_TYPES.md.params.safeParse({ ...r.params, ...(r.perServer[peer] ?? {}) });
        const signature = JSON.stringify([params, local, remote, peer, peerParams.success ? peerParams.data.mirrorPort : 0]);
        wanted.set(r.name, { signature, group: g.name, peer, params, mdc: { local, peer: remote } });
      }
    }
    for (const [name, e] of this.entries) {
      const w = wanted.get(name);
      if (!w || w.signature !== e.signature) {
        this.entries.delete(name);
        const disk = e.disk ?? (await e.opening);
        await disk?.close().catch((err: unknown) => this.opts.log.warn(`closing mirror disk ${name} failed`, { error: String(err) }));
      }
    }
    for (const [name, w] of wanted) {
      if (this.entries.has(name)) continue;
      const entry: Entry = { disk: null, opening: null, signature: w.signature, group: w.group, peer: w.peer };
      this.entries.set(name, entry);
      entry.opening = this.open(name, w.peer, w.params, w.mdc).then(
        (disk) => {
          if (this.entries.get(name) !== entry) {
            void disk.close();
            return null;
          }
          entry.disk = disk;
          this.opts.onChange();
          return disk;
        },
        (e: unknown) => {
          this.opts.log.error(`cannot open mirror disk ${name}`, { error: e instanceof Error ? e.message : String(e) });
          this.opts.alert('mirrorActivateFailed', [e instanceof Error ? e.message : String(e), name]);
          return null;
        },
      );
    }
  }

  private async open(name: string, peer: string, p: MdParams, mdc: { local: string; peer: string }): Promise<MirrorDisk> {
    const dir = path.join(this.opts.dataDir, 'md');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const dataPath = this.opts.host.devicePath(p.dataPartition);
    const clusterPath = this.opts.host.devicePath(p.clusterPartition);
    mkdirSync(path.dirname(dataPath), { recursive: true });
    return MirrorDisk.open({
      name,
      localServer: this.opts.self,
      peerServer: peer,
      dataPath,
      clusterPath,
      ...(this.opts.host.kind === 'simulated' ? { createSizeBytes: this.opts.fileSizeMiB * 1024 * 1024 } : {}),
      listen: { host: mdc.local, port: p.mirrorPort },
      peer: { host: mdc.peer, port: p.mirrorPort },
      clusterKey: this.opts.key.derive(`mdc|${name}`),
      nbdSocketPath: path.join(dir, `${name}.sock`),
      params: {
        ackTimeoutMs: p.ackTimeoutS * 1000,
        connectTimeoutMs: p.connectTimeoutS * 1000,
        pingIntervalMs: p.heartbeatIntervalS * 1000,
        pingTimeoutMs: Math.max(2000, p.heartbeatIntervalS * 2500),
        initialCopy: p.initialCopy,
        autoRecovery: p.autoRecovery,
        recoveryMaxRateBytesPerSec: p.recoveryRateLimitMiBs * 1024 * 1024,
      },
      onEvent: (e) => this.onEvent(e, p),
      outdatePeer: () => this.opts.outdatePeer(peer, name),
    });
  }

  private onEvent(e: MirrorEvent, p: MdParams): void {
    const a = this.opts.alert;
    const name = e.resource;
    switch (e.type) {
      case 'connected':
        a('mirrorConnected', [name, e.peer]);
        break;
      case 'disconnected':
        a('mirrorDisconnected', [name, e.peer]);
        break;
      case 'mirror-broken':
        a('mirrorBroken', [name, `The mirror with ${e.peer} is broken.`]);
        break;
      case 'recovery-started':
        if (e.direction === 'send') a(e.kind === 'full' ? 'mirrorInitialStarted' : 'mirrorRecoveryStarted', e.kind === 'full' ? [name] : [name, e.bytes]);
        break;
      case 'recovery-completed':
        if (e.direction === 'send') a(e.kind === 'full' ? 'mirrorInitialCompleted' : 'mirrorRecoveryCompleted', [name]);
        break;
      case 'recovery-failed':
        a('mirrorRecoveryFailed', [e.reason, name]);
        break;
      case 'split-brain':
      case 'unrelated-data':
        a('mirrorSplitBrain', [name]);
        break;
      case 'connect-refused':
      case 'peer-auth-failed':
        a('peerRefused', [`(mirror ${name})`, 'remote' in e ? e.remote : e.peer, e.message]);
        break;
      case 'stale-refused':
        a('mirrorForceRecovery', [name]);
        break;
      case 'isolated':
        a('mirrorBroken', [name, 'It was isolated by the operator (mirror break).']);
        break;
      case 'peer-outdated':
        if (!e.confirmed) this.opts.log.warn(`${name}: writing without ${e.peer}, which could not be told that its copy is outdated (is it down or cut off?)`);
        break;
      case 'outdated-by-peer':
        a('mirrorBroken', [name, `${e.peer} goes on writing alone: this copy is outdated until a mirror recovery.`]);
        break;
      case 'opened':
        // A new disk skips the initial copy only when told to (the disks are known to be identical).
        if (e.created && !p.initialCopy) a('mirrorInitialSkipped', [name]);
        break;
      case 'io-error':
      case 'problem':
        a('mirrorActivateFailed', ['message' in e ? e.message : '', name]);
        break;
      case 'partition-reinitialised':
      case 'recovery-pending':
      case 'promoted':
      case 'demoted':
      case 'forced':
        break;
      default: {
        const check: never = e;
        throw new Error(`unhandled mirror event ${JSON.stringify(check)}`);
      }
    }
    this.opts.onChange();
  }

  /** The open mirror disk of an md resource (waiting for it to open); undefined when this server has none. */
  async get(name: string): Promise<MirrorDisk | undefined> {
    const e = this.entries.get(name);
    if (!e) return undefined;
    return (e.disk ?? (await e.opening)) ?? undefined;
  }

  async require(name: string): Promise<MirrorDisk> {
    const d = await this.get(name);
    if (!d) throw new KumoError('KUMO_E_MIRROR', `mirror disk ${name} is not open on ${this.opts.self}; check that the resource exists and that this server may run its group`);
    return d;
  }

  statusOf(name: string): MirrorDiskStatus | undefined {
    return this.entries.get(name)?.disk?.status();
  }

  /** The mirror disks in the status model (this server's view of both servers). */
  statuses(): ClusterStatus['mirrors'] {
    const out: MirrorStatus[] = [];
    for (const [name, e] of this.entries) {
      const st = e.disk?.status();
      if (!st) {
        out.push({ name, group: e.group, status: 'unknown', perServer: { [this.opts.self]: { color: 'GRAY' }, [e.peer]: { color: 'GRAY' } }, recovery: null });
        continue;
      }
      out.push({
        name,
        group: e.group,
        status: st.mirrorState,
        perServer: {
          [st.local.server]: { color: st.local.color, role: st.local.role, diskState: st.local.diskState, lastUpdateTime: st.local.lastUpdateTime, breakTime: st.local.breakTime },
          [st.peer.server]: { color: st.peer.color, role: st.peer.role, diskState: st.peer.diskState, lastUpdateTime: st.peer.lastUpdateTime, breakTime: st.peer.breakTime },
        },
        recovery: st.recovery
          ? {
              source: st.recovery.source,
              target: st.recovery.target,
              totalBytes: st.recovery.totalBytes,
              doneBytes: st.recovery.doneBytes,
              rateBytesPerSec: st.recovery.rateBytesPerSec,
              remainingSeconds: st.recovery.remainingMs === null ? null : Math.round(st.recovery.remainingMs / 1000),
            }
          : null,
      });
    }
    return out;
  }

  async close(): Promise<void> {
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map(async (e) => (e.disk ?? (await e.opening))?.close().catch(() => undefined)));
  }
}
