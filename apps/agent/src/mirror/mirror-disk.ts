/**
 * The mirror disk: one data partition kept identical on two servers by synchronous replication (DRBD's
 * protocol C), exported over NBD on the active server. See reference/mirror-disk.md §7 for the design.
 *
 * Write path on the primary: range lock (overlapping writes keep one order on both sides) → write-intent
 * region persisted if it was clean → local write and MDC send in parallel → the NBD reply waits for both.
 * A write the standby does not acknowledge completes locally, marks its 4 KiB blocks out of sync and, the
 * first time, gives this side a new current generation UUID (persisted before the reply).
 *
 * Control plane: every state change (API calls, connect handshakes, recovery start and end) runs through
 * one serial queue; the data path never waits on it. The peer answers requests that the other side's
 * control task waits for (role, recover) directly from its frame handler, so the two queues never wait on
 * each other in a cycle.
 */
import { randomBytes } from 'node:crypto';
import { Coalescer, Gate, InflightCounter, SerialQueue } from './async-utils.js';
import { Bitmap, BITMAP_PAGE_BYTES } from './bitmap.js';
import { BlockFile } from './block-file.js';
import { BLOCK_BYTES, ClusterPartition, SbFlag, type Superblock } from './cluster-partition.js';
import { BlockIoError, ERRNO, MirrorError, errorMessage } from './errors.js';
import { MdcEndpoint, type AuthFailure } from './mdc-endpoint.js';
import type { LinkCloseKind, MdcLink } from './mdc-link.js';
import {
  type DecisionMessage,
  type Frame,
  FrameFlag,
  FrameType,
  type StateMessage,
  decisionSchema,
  frameBytes,
  hexToUuid,
  jsonPayload,
  parsePayload,
  reasonSchema,
  stateSchema,
  syncStartSchema,
  uuidToHex,
} from './mdc-protocol.js';
import { NbdServer, type NbdBackend } from './nbd-server.js';
import { RangeLock } from './range-lock.js';
import { RateMeter, ResyncSource, type ResyncResult } from './resync.js';
import { type SideState, decideSync } from './sync-decision.js';
import {
  type ConnectionState,
  DEFAULT_PARAMS,
  type DiskState,
  type MirrorColor,
  type MirrorCounters,
  type MirrorDiskOptions,
  type MirrorDiskStatus,
  type MirrorEvent,
  type MirrorParams,
  type MirrorState,
  type RecoveryKind,
  type RecoveryStatus,
  type ServerMirrorStatus,
} from './types.js';

type Role = 'primary' | 'secondary';
type Repl =
  | 'off'
  | 'established'
  | 'sync-source-pending'
  | 'sync-source'
  | 'sync-target-pending'
  | 'sync-target'
  | 'split-brain'
  | 'unrelated'
  | 'refused';

/** Flags that make this side's data not the latest. */
const STALE_FLAGS = SbFlag.INCONSISTENT | SbFlag.OUTDATED | SbFlag.DISCARD_MY_DATA | SbFlag.ISOLATED;

/** Write-intent region states. */
const WI_CLEAN = 0;
const WI_PENDING = 1;
const WI_ACTIVE = 2;

interface Handshake {
  peerState: StateMessage | null;
  peerBits: Uint8Array;
  bitmapDone: boolean;
  decision: DecisionMessage | null;
  wake: (() => void) | null;
}

interface RecoveryRun extends Pick<RecoveryStatus, 'kind' | 'direction' | 'source' | 'target' | 'totalBytes' | 'doneBytes' | 'startedAt'> {
  regions: number;
  startedPerf: number;
  meter: RateMeter;
}

interface PendingSync {
  source: string;
  target: string;
  full: boolean;
  autoStart: boolean;
}

type Event = MirrorEvent extends infer E ? (E extends MirrorEvent ? Omit<E, 'resource' | 'time'> : never) : never;

export class MirrorDisk {
  readonly name: string;
  private readonly opts: MirrorDiskOptions;
  private readonly params: MirrorParams;
  private readonly now: () => number;
  private readonly data: BlockFile;
  private readonly cp: ClusterPartition;
  private readonly sb: Omit<Superblock, 'seq'>;
  private readonly sizeBytes: number;
  private readonly regionBytes: number;
  private readonly blocks: number;
  private readonly regions: number;
  private readonly oos: Bitmap;
  private readonly wi: Bitmap;
  private readonly wiState: Uint8Array;
  private readonly wiInflight: Int32Array;
  /** performance.now() of each region's last write start. */
  private readonly wiLastTouch: Float64Array;
  private readonly wiPending = new Set<number>();
  private readonly wiFlusher: Coalescer;
  /** Every out-of-sync write-back goes through here, one at a time, so pages never land out of order. */
  private readonly oosWriter: Coalescer;
  private readonly checkpointer: Coalescer;
  private readonly locks = new RangeLock();
  private readonly ctl = new SerialQueue();
  private readonly writeGate = new Gate();
  private readonly writes = new InflightCounter();
  private readonly endpoint: MdcEndpoint;
  private readonly counters: MirrorCounters = {
    reads: 0,
    readBytes: 0,
    writes: 0,
    writeBytes: 0,
    fuaWrites: 0,
    zeroWrites: 0,
    trims: 0,
    flushes: 0,
    replicatedWrites: 0,
    localOnlyWrites: 0,
    peerWritesApplied: 0,
    peerBytesApplied: 0,
    writeIntentActivations: 0,
    checkpoints: 0,
    linkUps: 0,
    linkDrops: 0,
    authFailures: 0,
    recoveriesCompleted: 0,
    recoveriesFailed: 0,
    recoveryBytesSent: 0,
    recoveryBytesReceived: 0,
    lastRecovery: null,
  };

  private role: Role = 'secondary';
  private link: MdcLink | null = null;
  private conn: ConnectionState = 'connecting';
  private repl: Repl = 'off';
  private peerState: StateMessage | null = null;
  private hs: Handshake | null = null;
  private pendingSync: PendingSync | null = null;
  private resync: ResyncSource | null = null;
  private recovery: RecoveryRun | null = null;
  private recoverRequested = false;
  private promoting = false;
  private nbd: NbdServer | null = null;
  private exportDraining = false;
  private rotating: Promise<void> | null = null;
  private lastAppIo = -Infinity;
  private lastWriteAt: number | null;
  private timesDirty = false;
  private closingPromise: Promise<void> | null = null;
  private closed = false;
  private timer: NodeJS.Timeout | null = null;
  private lastAuthFailure = '';

  private readonly backend: NbdBackend;

  private constructor(
    opts: MirrorDiskOptions,
    params: MirrorParams,
    data: BlockFile,
    cp: ClusterPartition,
    sb: Superblock,
    wiBytes: Uint8Array,
    oosBytes: Uint8Array,
  ) {
    this.name = opts.name;
    this.opts = opts;
    this.params = params;
    this.now = opts.now ?? Date.now;
    this.data = data;
    this.cp = cp;
    const { seq: _seq, ...rest } = sb;
    this.sb = rest;
    this.sizeBytes = sb.sizeBytes;
    this.regionBytes = sb.regionBytes;
    this.blocks = cp.layout.blocks;
    this.regions = cp.layout.regions;
    this.oos = new Bitmap(this.blocks, oosBytes);
    this.wi = new Bitmap(this.regions, wiBytes);
    this.wiState = new Uint8Array(this.regions);
    this.wiInflight = new Int32Array(this.regions);
    this.wiLastTouch = new Float64Array(this.regions);
    this.lastWriteAt = sb.lastUpdateTime;
    this.wiFlusher = new Coalescer(() => this.flushWriteIntent());
    this.oosWriter = new Coalescer(() => this.cp.writeBitmapPages('oos', this.oos, this.oos.takeDirtyPages()));
    this.checkpointer = new Coalescer(() => this.runCheckpoint());
    this.endpoint = new MdcEndpoint({
      localServer: opts.localServer,
      peerServer: opts.peerServer,
      resource: opts.name,
      listen: opts.listen,
      peer: opts.peer,
      key: opts.clusterKey,
      connectTimeoutMs: params.connectTimeoutMs,
      reconnectMaxMs: params.reconnectMaxMs,
      ackTimeoutMs: params.ackTimeoutMs,
      pingIntervalMs: params.pingIntervalMs,
      pingTimeoutMs: params.pingTimeoutMs,
      onLink: (link) => {
        this.onLinkUp(link);
      },
      onAuthFailure: (f) => {
        this.onAuthFailure(f);
      },
      onProblem: (message) => {
        this.emit({ type: 'problem', message });
      },
    });
    this.backend = {
      size: this.sizeBytes,
      exportRefusal: () => this.exportRefusal(),
      read: (offset, into, intoOffset, length) => this.appRead(offset, into, intoOffset, length),
      write: (offset, parts, length, fua) => this.appWrite(offset, length, parts, fua),
      writeZeroes: (offset, length, fua) => this.appWrite(offset, length, null, fua),
      trim: (offset, length, fua) => this.appTrim(offset, length, fua),
      flush: () => this.appFlush(),
    };
  }

  /** Opens the partitions, reads the superblock, and starts listening (and dialing, on one side). */
  static async open(opts: MirrorDiskOptions): Promise<MirrorDisk> {
    const params: MirrorParams = { ...DEFAULT_PARAMS, ...opts.params };
    validateOptions(opts, params);
    const now = opts.now ?? Date.now;
    let data: BlockFile;
    try {
      data = await BlockFile.open(opts.dataPath, opts.createSizeBytes !== undefined ? { createSize: opts.createSizeBytes } : {});
    } catch (err) {
      throw new MirrorError('BAD_CONFIG', `cannot open data partition ${opts.dataPath}: ${errorMessage(err)}`, { cause: err });
    }
    if (data.size < BLOCK_BYTES) {
      await data.close();
      throw new MirrorError('BAD_CONFIG', `data partition ${opts.dataPath} is smaller than 4 KiB`);
    }
    let md: MirrorDisk | null = null;
    try {
      let opened;
      try {
        opened = await ClusterPartition.open({
          path: opts.clusterPath,
          dataSize: data.size,
          regionBytes: params.regionBytes,
          resourceName: opts.name,
          serverName: opts.localServer,
          allowCreate: opts.createSizeBytes !== undefined,
          now: now(),
        });
      } catch (err) {
        if (err instanceof MirrorError) throw err;
        throw new MirrorError('BAD_CONFIG', `cannot open cluster partition ${opts.clusterPath}: ${errorMessage(err)}`, { cause: err });
      }
      const { partition, superblock } = opened;
      const wiBytes = await partition.readBitmap('wi');
      const oosBytes = await partition.readBitmap('oos');
      md = new MirrorDisk(opts, params, data, partition, superblock, wiBytes, oosBytes);
      if (opened.reinitialised) md.emit({ type: 'partition-reinitialised', path: opts.clusterPath });
      await md.recoverMetadataAfterOpen(opened.created);
      await md.startNetworking();
      return md;
    } catch (err) {
      if (md) await md.close().catch(() => undefined);
      else await data.close().catch(() => undefined);
      throw err;
    }
  }

  // ==== public API ========================================================================================

  /** Becomes primary and starts the NBD export. Rejects with a MirrorError that says what to do instead. */
  promote(opts: { force?: boolean } = {}): Promise<void> {
    const force = opts.force === true;
    return this.ctl.run(async () => {
      this.assertOpen();
      if (this.role === 'primary') return;
      this.promoting = true;
      try {
        // The data first; then the peer's role, asked afresh while a link is up (the role it last announced may
        // be a moment old: a move promotes here right after the peer demoted), remembered only otherwise.
        let refusal = force ? null : this.staleRefusal();
        if (!refusal && !(this.link && !this.link.isClosed)) refusal = this.promotionRefusal(force);
        // Ask the peer even mid-handshake: it answers from its frame handler, whatever its own state.
        if (!refusal && this.link && !this.link.isClosed) {
          const link = this.link;
          const reply = await link.request(FrameType.ROLE_REQ);
          this.assertOpen(); // close() may have run meanwhile
          if (reply && reply.arg !== 0) {
            const why = parsePayload(reasonSchema, frameBytes(reply))?.reason ?? 'the peer is primary';
            refusal = new MirrorError('PEER_IS_PRIMARY', `${this.name}: cannot promote ${this.opts.localServer}: ${why}. Demote ${this.opts.peerServer} first.`);
          } else if (!reply) {
            // The link died while we asked: decide again as a disconnected server.
            refusal = this.promotionRefusal(force);
          }
        }
        if (refusal) {
          this.emit({ type: 'stale-refused', code: refusal.code, message: refusal.message });
          throw refusal;
        }
        let renegotiate = false;
        if (force && (this.isStale() || this.sb.current === 0n)) {
          // The operator overrides: this data becomes a new generation, so the peer can never mistake it
          // for the data it has (at the next connect: split brain, or this side is the source).
          this.sb.flags &= ~(STALE_FLAGS | SbFlag.SPLIT_BRAIN);
          if (this.sb.current === 0n) this.sb.current = newUuid();
          else this.rotateCurrent();
          renegotiate = this.link !== null;
        }
        if (this.sb.current === 0n) this.sb.current = newUuid(); // designated source of the initial construction
        this.sb.flags |= SbFlag.PRIMARY;
        await this.persistSb();
        this.role = 'primary';
        try {
          await this.startExport();
        } catch (err) {
          this.role = 'secondary';
          this.sb.flags &= ~SbFlag.PRIMARY;
          await this.persistSb().catch(() => undefined);
          throw new MirrorError('EXPORT_FAILED', `${this.name}: cannot open the NBD export ${this.opts.nbdSocketPath}: ${errorMessage(err)}`, {
            cause: err,
          });
        }
        this.publishState();
        this.emit({ type: 'promoted', force });
        if (renegotiate) this.renegotiate('forced promotion');
      } finally {
        this.promoting = false;
      }
    });
  }

  /** Drains in-flight I/O, stops the export and becomes secondary. Idempotent. */
  demote(): Promise<void> {
    return this.ctl.run(async () => {
      if (this.closed || this.role !== 'primary') return;
      await this.stopExport();
      await this.writes.idle();
      this.role = 'secondary';
      this.sb.flags &= ~SbFlag.PRIMARY;
      await this.checkpointer.request();
      await this.persistSb();
      this.emit({ type: 'demoted' });
      if (this.repl === 'refused') this.renegotiate('role changed');
    });
  }

  status(): MirrorDiskStatus {
    const local = this.localStatus();
    const rec = this.recovery;
    let recovery: MirrorDiskStatus['recovery'] = null;
    if (rec) {
      const rate = rec.meter.rate();
      const left = Math.max(0, rec.totalBytes - rec.doneBytes);
      recovery = {
        kind: rec.kind,
        direction: rec.direction,
        source: rec.source,
        target: rec.target,
        totalBytes: rec.totalBytes,
        doneBytes: rec.doneBytes,
        progress: rec.totalBytes > 0 ? Math.min(1, rec.doneBytes / rec.totalBytes) : 1,
        rateBytesPerSec: Math.round(rate),
        remainingMs: rate > 0 ? Math.round((left / rate) * 1000) : null,
        startedAt: rec.startedAt,
      };
    }
    return {
      name: this.name,
      local,
      peer: this.peerStatus(),
      mirrorState: this.mirrorState(),
      connection: this.closed ? 'closed' : this.conn,
      exporting: this.nbd !== null && !this.exportDraining,
      nbdSocketPath: this.opts.nbdSocketPath,
      sizeBytes: this.sizeBytes,
      regionBytes: this.regionBytes,
      outOfSyncBytes: this.dirtyBytes(),
      activeRegions: this.wi.count,
      recovery,
      generation: {
        current: uuidToHex(this.sb.current),
        bitmap: uuidToHex(this.sb.bitmap),
        history: this.sb.history.map(uuidToHex),
      },
      counters: { ...this.counters, lastRecovery: this.counters.lastRecovery ? { ...this.counters.lastRecovery } : null },
    };
  }

  /** Starts recovery now (auto recovery off, or after breakMirror). Resolves once it is started or requested. */
  recover(): Promise<void> {
    return this.ctl.run(async () => {
      this.assertOpen();
      this.recoverRequested = true;
      if ((this.sb.flags & SbFlag.ISOLATED) !== 0) {
        this.sb.flags &= ~SbFlag.ISOLATED;
        await this.persistSb();
        this.conn = 'connecting';
        this.endpoint.setEnabled(true);
        return;
      }
      const link = this.link;
      if (!link || this.conn !== 'connected') {
        this.endpoint.kick();
        return;
      }
      switch (this.repl) {
        case 'sync-source-pending':
          void this.ctl.run(() => this.startResync(link));
          return;
        case 'sync-target-pending': {
          const reply = await link.request(FrameType.RECOVER_REQ);
          if (!reply) throw new MirrorError('NOT_CONNECTED', `${this.name}: the link to ${this.opts.peerServer} was lost; recovery starts when it is back`);
          return;
        }
        case 'split-brain':
          throw new MirrorError('SPLIT_BRAIN', this.splitBrainMessage());
        case 'unrelated':
          throw new MirrorError(
            'UNRELATED_DATA',
            `${this.name}: ${this.opts.localServer} and ${this.opts.peerServer} hold unrelated data; choose the server to keep with forceRecover()`,
          );
        case 'refused':
          throw new MirrorError(
            'PEER_IS_PRIMARY',
            `${this.name}: the server to be recovered is primary; demote it first, then recovery starts`,
          );
        case 'off':
        case 'established':
        case 'sync-source':
        case 'sync-target':
          return;
        default: {
          const never: never = this.repl;
          return never;
        }
      }
    });
  }

  /**
   * The operator picks the up-to-date side (split brain, RED/RED, unrelated data). 'local': this server's
   * data is kept and copied to the peer; 'peer': this server's data is discarded. The copy is a union of both
   * bitmaps when they share a base, a full copy otherwise; it starts at the next connect.
   */
  forceRecover(source: 'local' | 'peer'): Promise<void> {
    return this.ctl.run(async () => {
      this.assertOpen();
      if (source === 'local') {
        if (this.conn === 'connected' && this.peerState?.role === 'primary') {
          throw new MirrorError(
            'PEER_IS_PRIMARY',
            `${this.name}: ${this.opts.peerServer} is primary; demote it before overwriting its data from ${this.opts.localServer}`,
          );
        }
        this.sb.flags = (this.sb.flags | SbFlag.FORCE_SOURCE) & ~(STALE_FLAGS | SbFlag.SPLIT_BRAIN);
      } else {
        if (this.role === 'primary') {
          throw new MirrorError('IS_PRIMARY', `${this.name}: ${this.opts.localServer} is primary; demote it before discarding its data`);
        }
        this.sb.flags = (this.sb.flags | SbFlag.DISCARD_MY_DATA | SbFlag.OUTDATED) & ~(SbFlag.FORCE_SOURCE | SbFlag.SPLIT_BRAIN | SbFlag.ISOLATED);
      }
      await this.persistSb();
      this.recoverRequested = true;
      this.emit({ type: 'forced', source });
      this.endpoint.setEnabled(true);
      if (this.link) this.renegotiate('forced recovery');
      else this.endpoint.kick();
    });
  }

  /** clpmdctrl --break: disconnects and marks this side stale and isolated until recover(). */
  breakMirror(): Promise<void> {
    return this.ctl.run(async () => {
      this.assertOpen();
      if (this.role === 'primary') {
        throw new MirrorError('IS_PRIMARY', `${this.name}: ${this.opts.localServer} is primary; break the mirror on the standby, or demote first`);
      }
      this.sb.flags |= SbFlag.ISOLATED | SbFlag.OUTDATED;
      this.sb.breakTime ??= this.now();
      await this.persistSb();
      this.endpoint.setEnabled(false);
      this.link?.close('local', 'mirror broken by the operator');
      this.conn = 'standalone';
      this.emit({ type: 'isolated' });
    });
  }

  /** Checkpoints and closes sockets and files. Idempotent. */
  close(): Promise<void> {
    this.closingPromise ??= (async () => {
      this.closed = true;
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      this.resync?.abort('mirror disk closing');
      await this.endpoint.stop().catch(() => undefined);
      this.link?.close('local', 'mirror disk closing');
      await this.ctl.run(async () => {
        await this.stopExport();
        await this.writes.idle();
        await this.wiFlusher.idle();
        this.role = 'secondary';
        this.sb.flags &= ~SbFlag.PRIMARY;
        try {
          await this.checkpointer.request();
          await this.retireAllRegions();
          this.sb.lastUpdateTime = this.lastWriteAt;
          await this.cp.writeSuperblock(this.sb);
        } finally {
          await this.cp.close().catch(() => undefined);
          await this.data.close().catch(() => undefined);
          this.conn = 'closed';
        }
      });
    })();
    return this.closingPromise;
  }

  // ==== open ==============================================================================================

  private async recoverMetadataAfterOpen(created: boolean): Promise<void> {
    const crashed = (this.sb.flags & SbFlag.PRIMARY) !== 0;
    if (crashed) {
      // The last run died while primary: writes in its write-intent regions may have reached this disk and
      // not the peer's. Those regions count as dirty; the bits are persisted before the regions are retired.
      for (let r = this.wi.nextSet(0); r >= 0; r = this.wi.nextSet(r + 1)) {
        this.oos.setRange(this.regionFirstBlock(r), this.regionFirstBlock(r + 1));
      }
      this.sb.flags = (this.sb.flags & ~SbFlag.PRIMARY) | SbFlag.CRASHED_PRIMARY;
    }
    const pages = this.oos.takeDirtyPages();
    await this.cp.writeBitmapPages('oos', this.oos, pages); // nothing else runs yet
    if (crashed) await this.cp.writeSuperblock(this.sb);
    if (this.wi.count > 0) {
      this.wi.clearAll();
      await this.cp.writeBitmapPages('wi', this.wi, this.wi.takeDirtyPages());
    }
    this.emit({ type: 'opened', created, crashedPrimary: crashed, dirtyBytes: this.dirtyBytes() });
  }

  private async startNetworking(): Promise<void> {
    try {
      await this.endpoint.start();
    } catch (err) {
      throw new MirrorError(
        'BAD_CONFIG',
        `${this.name}: cannot listen on ${this.opts.listen.host}:${this.opts.listen.port} for the mirror disk connect: ${errorMessage(err)}`,
        { cause: err },
      );
    }
    if ((this.sb.flags & SbFlag.ISOLATED) !== 0) {
      this.endpoint.setEnabled(false);
      this.conn = 'standalone';
    }
    this.timer = setInterval(() => {
      this.checkpointer.request().catch((err: unknown) => {
        this.emit({ type: 'io-error', op: 'checkpoint', message: errorMessage(err) });
      });
    }, this.params.checkpointIntervalMs);
    this.timer.unref();
  }

  // ==== NBD backend =======================================================================================

  private exportRefusal(): string | null {
    if (this.role === 'primary' && !this.exportDraining && !this.closed) return null;
    return `${this.name}: ${this.opts.localServer} is not the active server for this mirror disk; connect to the active server`;
  }

  private async appRead(offset: number, into: Buffer, intoOffset: number, length: number): Promise<void> {
    if (this.role !== 'primary') throw shutdown();
    this.lastAppIo = performance.now();
    this.counters.reads += 1;
    this.counters.readBytes += length;
    await this.data.read(offset, into, intoOffset, length);
  }

  /** WRITE (payload) and WRITE_ZEROES (payload null). */
  private async appWrite(offset: number, length: number, payload: readonly Buffer[] | null, fua: boolean): Promise<void> {
    if (this.role !== 'primary') throw shutdown();
    while (this.writeGate.wait) await this.writeGate.wait;
    this.writes.enter();
    const end = offset + length;
    const r0 = Math.floor(offset / this.regionBytes);
    const r1 = length > 0 ? Math.ceil(end / this.regionBytes) : r0;
    let release: (() => void) | null = null;
    try {
      release = await this.locks.acquire(offset, end);
      const t = performance.now();
      for (let r = r0; r < r1; r += 1) {
        this.wiInflight[r] = (this.wiInflight[r] ?? 0) + 1;
        this.wiLastTouch[r] = t;
      }
      this.lastAppIo = t;
      this.counters.writes += 1;
      this.counters.writeBytes += length;
      if (fua) this.counters.fuaWrites += 1;
      if (!payload) this.counters.zeroWrites += 1;
      if (length === 0) return;
      if (!this.regionsActive(r0, r1)) await this.activateRegions(r0, r1);

      const link = this.replicationLink();
      const flags = fua ? FrameFlag.FUA : 0;
      const remote = link
        ? payload
          ? link.request(FrameType.WRITE, flags, offset, 0, payload)
          : link.request(FrameType.ZEROES, flags, offset, length)
        : null;
      let localError: unknown = null;
      try {
        if (payload) await this.data.writev(offset, payload);
        else await this.data.writeZeroes(offset, length);
        if (fua) await this.data.sync();
      } catch (err) {
        localError = err;
      }
      const ack = remote ? await remote : null;
      if (ack && ack.arg !== 0) link?.close('error', `${this.opts.peerServer} failed to write (errno ${ack.arg})`);
      if (ack?.arg === 0 && localError === null) {
        this.counters.replicatedWrites += 1;
      } else {
        this.counters.localOnlyWrites += 1;
        this.markOutOfSync(offset, end);
        await this.ensureRotated();
      }
      if (localError !== null) {
        this.emit({ type: 'io-error', op: 'write', message: errorMessage(localError) });
        throw localError instanceof Error ? localError : new BlockIoError(ERRNO.EIO, errorMessage(localError));
      }
      this.lastWriteAt = this.now();
    } finally {
      for (let r = r0; r < r1; r += 1) this.wiInflight[r] = (this.wiInflight[r] ?? 1) - 1;
      release?.();
      this.writes.leave();
    }
  }

  /** TRIM is advisory in NBD: both replicas keep their (identical) bytes, so nothing needs replicating. */
  private async appTrim(_offset: number, _length: number, fua: boolean): Promise<void> {
    if (this.role !== 'primary') throw shutdown();
    this.counters.trims += 1;
    if (fua) await this.appFlush();
  }

  private async appFlush(): Promise<void> {
    if (this.role !== 'primary') throw shutdown();
    this.counters.flushes += 1;
    const link = this.replicationLink();
    const remote = link ? link.request(FrameType.FLUSH) : null;
    await this.data.sync();
    const ack = remote ? await remote : null;
    if (ack && ack.arg !== 0) link?.close('error', `${this.opts.peerServer} failed to flush (errno ${ack.arg})`);
  }

  private replicationLink(): MdcLink | null {
    return this.repl === 'established' || this.repl === 'sync-source' ? this.link : null;
  }

  private markOutOfSync(offset: number, end: number): void {
    this.oos.setRange(Math.floor(offset / BLOCK_BYTES), Math.ceil(end / BLOCK_BYTES));
  }

  /**
   * The first write the peer misses starts a new generation: the old current UUID becomes the bitmap UUID
   * (the base the peer still has), persisted before that write is acknowledged.
   */
  private ensureRotated(): Promise<void> {
    if (this.rotating) return this.rotating;
    if (this.sb.bitmap !== 0n || this.sb.current === 0n) return Promise.resolve();
    this.rotateCurrent();
    const breakTime = this.sb.breakTime ?? this.now();
    this.sb.breakTime = breakTime;
    this.emit({ type: 'mirror-broken', peer: this.opts.peerServer, breakTime });
    const p = Promise.all([this.persistSb(), this.fencePeer()]).then(() => undefined).finally(() => {
      this.rotating = null;
    });
    this.rotating = p;
    return p;
  }

  /** Tells the peer its copy is now outdated (see `outdatePeer`), before the first write it misses is acknowledged. */
  private async fencePeer(): Promise<void> {
    const outdate = this.opts.outdatePeer;
    if (!outdate) return;
    const confirmed = await outdate().catch(() => false);
    this.emit({ type: 'peer-outdated', peer: this.opts.peerServer, confirmed });
  }

  /**
   * The peer went on writing without this server (it said so over the agents' link): this copy is outdated
   * and must not be promoted until a recovery brings it up to date. Refused while this side is primary.
   */
  markOutdated(): Promise<boolean> {
    return this.ctl.run(async () => {
      this.assertOpen();
      if (this.role === 'primary' || this.promoting) return false;
      if ((this.sb.flags & SbFlag.OUTDATED) === 0) {
        this.sb.flags |= SbFlag.OUTDATED;
        this.sb.breakTime ??= this.now();
        await this.persistSb();
        this.emit({ type: 'outdated-by-peer', peer: this.opts.peerServer });
        this.publishState();
      }
      return true;
    });
  }

  private rotateCurrent(): void {
    if (this.sb.bitmap === 0n) this.sb.bitmap = this.sb.current;
    else this.pushHistory(this.sb.current);
    this.sb.current = newUuid();
  }

  private pushHistory(u: bigint): void {
    if (u === 0n || u === this.sb.current || this.sb.history.includes(u)) return;
    this.sb.history.unshift(u);
    if (this.sb.history.length > 4) this.sb.history.length = 4;
  }

  // ==== write intent and checkpoints =====================================================================

  private regionsActive(r0: number, r1: number): boolean {
    for (let r = r0; r < r1; r += 1) if (this.wiState[r] !== WI_ACTIVE) return false;
    return true;
  }

  private async activateRegions(r0: number, r1: number): Promise<void> {
    for (let r = r0; r < r1; r += 1) {
      if (this.wiState[r] === WI_CLEAN) {
        this.wiState[r] = WI_PENDING;
        this.wi.set(r);
        this.wiPending.add(r);
        this.counters.writeIntentActivations += 1;
      }
    }
    while (!this.regionsActive(r0, r1)) await this.wiFlusher.request();
  }

  private async flushWriteIntent(): Promise<void> {
    const pending = [...this.wiPending];
    this.wiPending.clear();
    try {
      await this.cp.writeBitmapPages('wi', this.wi, this.wi.takeDirtyPages());
    } catch (err) {
      for (const r of pending) this.wiPending.add(r);
      this.emit({ type: 'io-error', op: 'write-intent', message: errorMessage(err) });
      throw new BlockIoError(ERRNO.EIO, `cannot persist the write-intent bitmap: ${errorMessage(err)}`, { cause: err });
    }
    for (const r of pending) if (this.wiState[r] === WI_PENDING) this.wiState[r] = WI_ACTIVE;
  }

  /**
   * Persists the out-of-sync bitmap, then retires write-intent regions that are idle: no write in flight and
   * none for writeIntentIdleMs, or the least recently written idle ones beyond maxActiveRegions. Their
   * writes are complete and their out-of-sync bits are on disk by then, so a crash cannot lose them.
   */
  private async runCheckpoint(): Promise<void> {
    const now = performance.now();
    const idle: { r: number; touched: number }[] = [];
    let active = 0;
    for (let r = this.wi.nextSet(0); r >= 0; r = this.wi.nextSet(r + 1)) {
      active += 1;
      if (this.wiState[r] === WI_ACTIVE && this.wiInflight[r] === 0) idle.push({ r, touched: this.wiLastTouch[r] ?? 0 });
    }
    idle.sort((x, y) => x.touched - y.touched);
    const overCap = Math.max(0, active - this.params.maxActiveRegions);
    const candidates = idle.filter((x, i) => i < overCap || now - x.touched >= this.params.writeIntentIdleMs);
    await this.oosWriter.request();
    let cleared = false;
    for (const { r, touched } of candidates) {
      // A write that started since the selection keeps its region.
      if (this.wiState[r] === WI_ACTIVE && this.wiInflight[r] === 0 && this.wiLastTouch[r] === touched) {
        this.wiState[r] = WI_CLEAN;
        this.wi.clear(r);
        cleared = true;
      }
    }
    if (cleared) await this.wiFlusher.request();
    if (this.lastWriteAt !== this.sb.lastUpdateTime || this.timesDirty) {
      this.timesDirty = false;
      this.sb.lastUpdateTime = this.lastWriteAt;
      await this.persistSb();
    }
    this.counters.checkpoints += 1;
  }

  /** On close nothing is in flight: every active region is retired (after the checkpoint above). */
  private async retireAllRegions(): Promise<void> {
    if (this.wi.count === 0) return;
    for (let r = this.wi.nextSet(0); r >= 0; r = this.wi.nextSet(r + 1)) this.wiState[r] = WI_CLEAN;
    this.wi.clearAll();
    await this.cp.writeBitmapPages('wi', this.wi, this.wi.takeDirtyPages());
  }

  private async persistSb(): Promise<void> {
    this.sb.lastUpdateTime = this.lastWriteAt;
    await this.cp.writeSuperblock(this.sb);
    this.publishState();
  }

  // ==== the link ==========================================================================================

  private onAuthFailure(f: AuthFailure): void {
    this.counters.authFailures += 1;
    // One alert per distinct failure, not one per reconnection attempt.
    const key = `${f.kind}|${f.remote.replace(/:\d+$/, '')}`;
    if (key === this.lastAuthFailure) return;
    this.lastAuthFailure = key;
    if (f.kind === 'protocol') this.emit({ type: 'problem', message: `${this.name}: MDC handshake with ${f.remote}: ${f.message}` });
    else this.emit({ type: 'peer-auth-failed', remote: f.remote, kind: f.kind, message: `${this.name}: ${f.message}` });
  }

  private onLinkUp(link: MdcLink): void {
    if (this.closed) {
      link.close('local', 'mirror disk closing');
      return;
    }
    this.lastAuthFailure = '';
    this.link?.close('local', 'replaced by a newer connection from the peer');
    this.link = link;
    this.conn = 'handshaking';
    this.repl = 'off';
    this.peerState = null;
    const hs: Handshake = {
      peerState: null,
      peerBits: new Uint8Array(this.oos.bytes.length),
      bitmapDone: false,
      decision: null,
      wake: null,
    };
    this.hs = hs;
    link.onClose((kind, reason) => {
      this.onLinkDown(link, kind, reason);
    });
    link.setHandler((f) => {
      this.onFrame(link, f);
    });
    this.ctl
      .run(() => this.handshake(link, hs))
      .catch((err: unknown) => {
        this.emit({ type: 'problem', message: `${this.name}: connect handshake with ${this.opts.peerServer} failed: ${errorMessage(err)}` });
        link.close('error', `handshake failed: ${errorMessage(err)}`);
      });
  }

  private onLinkDown(link: MdcLink, _kind: LinkCloseKind, reason: string): void {
    if (link !== this.link) return;
    const wasConn = this.conn;
    const wasRepl = this.repl;
    this.link = null;
    this.repl = 'off';
    this.peerState = null;
    this.pendingSync = null;
    if (this.conn !== 'standalone') this.conn = 'connecting';
    if (this.hs) this.hs.wake?.();
    this.resync?.abort(reason);
    if (wasRepl === 'established' || wasRepl === 'sync-source' || wasRepl === 'sync-target') {
      this.sb.breakTime ??= this.now();
      this.timesDirty = true;
    }
    if (wasRepl === 'sync-target') {
      this.recovery = null;
      this.counters.recoveriesFailed += 1;
      this.emit({ type: 'recovery-failed', reason, direction: 'receive' });
    }
    if (wasConn === 'connected') {
      this.counters.linkDrops += 1;
      this.emit({ type: 'disconnected', peer: this.opts.peerServer, reason });
    }
  }

  /** Drops the link so that both sides run the connect handshake again with their current state. */
  private renegotiate(reason: string): void {
    const link = this.link;
    if (!link) return;
    link.sendJson(FrameType.GOODBYE, { reason });
    link.close('local', `renegotiating: ${reason}`);
    this.endpoint.kick();
  }

  private onFrame(link: MdcLink, f: Frame): void {
    if (link !== this.link) return;
    switch (f.type) {
      case FrameType.WRITE:
      case FrameType.ZEROES:
        this.applyPeerWrite(link, f);
        return;
      case FrameType.FLUSH:
        this.data.sync().then(
          () => {
            link.reply(f, 0);
          },
          () => {
            link.reply(f, ERRNO.EIO);
          },
        );
        return;
      case FrameType.RS_DATA:
        this.applyResyncData(link, f);
        return;
      case FrameType.STATE: {
        const msg = parsePayload(stateSchema, frameBytes(f));
        if (!msg) return this.protocolError(link, 'malformed STATE');
        if ((f.flags & FrameFlag.HANDSHAKE) !== 0 && this.hs) {
          this.hs.peerState = msg;
          this.hs.wake?.();
        } else {
          this.onPeerState(link, msg);
        }
        return;
      }
      case FrameType.BITMAP: {
        const hs = this.hs;
        if (!hs || f.offset + f.length > hs.peerBits.length) return this.protocolError(link, 'unexpected BITMAP');
        hs.peerBits.set(frameBytes(f), f.offset);
        return;
      }
      case FrameType.BITMAP_END:
        if (!this.hs) return this.protocolError(link, 'unexpected BITMAP_END');
        this.hs.bitmapDone = true;
        this.hs.wake?.();
        return;
      case FrameType.DECISION: {
        const msg = parsePayload(decisionSchema, frameBytes(f));
        if (!msg || !this.hs) return this.protocolError(link, 'unexpected or malformed DECISION');
        this.hs.decision = msg;
        this.hs.wake?.();
        return;
      }
      case FrameType.ROLE_REQ: {
        let deny: string | null = null;
        if (this.role === 'primary') deny = `${this.opts.localServer} is primary`;
        else if (this.promoting && this.endpoint.dials) deny = `${this.opts.localServer} is being promoted`;
        link.reply(f, deny ? 1 : 0, deny ? jsonPayload({ reason: deny }) : null);
        return;
      }
      case FrameType.RECOVER_REQ:
        link.reply(f, 0);
        this.recoverRequested = true;
        void this.ctl.run(() => this.startResync(link));
        return;
      case FrameType.SYNC_START:
        void this.ctl.run(() => this.onSyncStart(link, f));
        return;
      case FrameType.SYNC_DONE:
        void this.ctl.run(() => this.onSyncDone(link, f));
        return;
      case FrameType.GOODBYE:
        return;
      default:
        // An unknown type from a newer peer: ignore rather than break the mirror.
        return;
    }
  }

  private protocolError(link: MdcLink, what: string): void {
    this.emit({ type: 'problem', message: `${this.name}: protocol error from ${this.opts.peerServer}: ${what}` });
    link.close('corrupt', what);
  }

  private onPeerState(link: MdcLink, msg: StateMessage): void {
    const before = this.peerState;
    this.peerState = msg;
    // A refused connect (the would-be target is primary) is worth retrying once roles change.
    if (this.repl === 'refused' && before && before.role !== msg.role) this.renegotiate('peer role changed');
    void link;
  }

  /** The standby applies a replicated write, in arrival order for overlapping ranges. */
  private applyPeerWrite(link: MdcLink, f: Frame): void {
    const zeroes = f.type === FrameType.ZEROES;
    const length = zeroes ? f.arg : f.length;
    if (this.role === 'primary') {
      link.reply(f, ERRNO.EPERM);
      link.close('error', `${this.opts.peerServer} sent a write while ${this.opts.localServer} is primary`);
      return;
    }
    if (f.offset + length > this.sizeBytes) {
      link.reply(f, ERRNO.ENOSPC);
      return;
    }
    void this.locks.acquire(f.offset, f.offset + length).then(async (release) => {
      let errno = 0;
      try {
        if (zeroes) await this.data.writeZeroes(f.offset, length);
        else await this.data.writevInline(f.offset, f.parts, length);
        if ((f.flags & FrameFlag.FUA) !== 0) await this.data.sync();
        this.lastWriteAt = this.now();
        this.counters.peerWritesApplied += 1;
        this.counters.peerBytesApplied += length;
      } catch (err) {
        errno = err instanceof BlockIoError ? err.errno : ERRNO.EIO;
        this.emit({ type: 'io-error', op: 'replicated write', message: errorMessage(err) });
        // The primary marks the range out of sync when it sees the error; remember we are behind too.
        this.markOutOfSync(f.offset, f.offset + length);
      } finally {
        release();
      }
      link.reply(f, errno);
    });
  }

  private applyResyncData(link: MdcLink, f: Frame): void {
    if (this.repl !== 'sync-target') {
      link.reply(f, ERRNO.EPERM);
      return;
    }
    const length = f.length;
    if (f.offset % BLOCK_BYTES !== 0 || f.offset + length > this.sizeBytes) {
      link.reply(f, ERRNO.EINVAL);
      return;
    }
    void this.locks.acquire(f.offset, f.offset + length).then(async (release) => {
      let errno = 0;
      try {
        await this.data.writev(f.offset, f.parts);
        this.lastWriteAt = this.now();
        this.oos.clearRange(f.offset / BLOCK_BYTES, Math.ceil((f.offset + length) / BLOCK_BYTES));
        this.counters.recoveryBytesReceived += length;
        const rec = this.recovery;
        if (rec) {
          rec.doneBytes += length;
          rec.meter.add(length);
        }
      } catch (err) {
        errno = ERRNO.EIO;
        this.emit({ type: 'io-error', op: 'recovery write', message: errorMessage(err) });
      } finally {
        release();
      }
      link.reply(f, errno);
    });
  }

  // ==== connect handshake =================================================================================

  private async handshake(link: MdcLink, hs: Handshake): Promise<void> {
    if (link !== this.link || link.isClosed) return;
    // Freeze new writes until the decision is applied: the state sent must stay true until then.
    this.writeGate.close();
    try {
      await this.writes.idle();
      if (this.rotating) await this.rotating;
      if (link !== this.link || link.isClosed) return;
      link.send(FrameType.STATE, FrameFlag.HANDSHAKE, 0, 0, jsonPayload(this.stateMessage()));
      const bytes = this.oos.bytes;
      for (let off = 0; off < bytes.length; off += BITMAP_PAGE_BYTES) {
        const page = bytes.subarray(off, off + BITMAP_PAGE_BYTES);
        if (page.some((v) => v !== 0)) link.send(FrameType.BITMAP, 0, off, 0, Buffer.from(page));
      }
      link.send(FrameType.BITMAP_END);
      const timeoutMs = this.params.connectTimeoutMs + this.params.ackTimeoutMs;
      await this.waitHandshake(link, hs, () => hs.peerState !== null && hs.bitmapDone, timeoutMs);
      const peer = hs.peerState;
      if (!peer) return;
      if (peer.sizeBytes !== this.sizeBytes) {
        this.emit({
          type: 'connect-refused',
          peer: this.opts.peerServer,
          reason: 'size-mismatch',
          message: `${this.name}: ${this.opts.peerServer}'s data partition has ${peer.sizeBytes} bytes, ${this.opts.localServer}'s ${this.sizeBytes}; both must be the same size`,
        });
        link.close('local', 'data partition sizes differ');
        return;
      }
      this.oos.unionWith(hs.peerBits);
      let decision: DecisionMessage;
      if (this.endpoint.dials) {
        const d = decideSync({
          dialer: this.sideState(),
          acceptor: sideFromMessage(peer),
          unionBits: this.oos.count,
          initialCopy: this.params.initialCopy && peer.initialCopy,
        });
        decision = d.kind === 'adopt' ? { ...d, uuid: uuidToHex(newUuid()) } : d;
        link.sendJson(FrameType.DECISION, decision);
      } else {
        await this.waitHandshake(link, hs, () => hs.decision !== null, timeoutMs);
        if (!hs.decision) return;
        decision = hs.decision;
      }
      if (this.hs === hs) this.hs = null;
      await this.applyDecision(link, peer, decision);
    } finally {
      if (this.hs === hs) this.hs = null;
      this.writeGate.open();
    }
    const pending = this.pendingSync;
    if (this.repl === 'sync-source-pending' && pending && (pending.autoStart || this.recoverRequested)) {
      void this.ctl.run(() => this.startResync(link));
    }
  }

  private async waitHandshake(link: MdcLink, hs: Handshake, ready: () => boolean, timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (!ready()) {
      if (link.isClosed || link !== this.link) return;
      const left = deadline - performance.now();
      if (left <= 0) {
        link.close('timeout', 'the peer did not finish the connect handshake');
        return;
      }
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        hs.wake = () => {
          clearTimeout(t);
          hs.wake = null;
          resolve();
        };
      });
    }
  }

  private async applyDecision(link: MdcLink, peer: StateMessage, d: DecisionMessage): Promise<void> {
    if (link !== this.link || link.isClosed) return;
    const me = this.opts.localServer;
    // A STATE update sent after the peer applied the decision may already have arrived: keep the newer one.
    this.peerState ??= peer;
    let flagsBefore = this.sb.flags;
    const persistIfChanged = async (): Promise<void> => {
      if (this.sb.flags !== flagsBefore || this.timesDirty) {
        this.timesDirty = false;
        flagsBefore = this.sb.flags;
        await this.persistSb();
      }
    };
    this.conn = 'connected';
    this.counters.linkUps += 1;
    const decisionText = d.kind === 'sync' ? `sync ${d.source}→${d.target} (${d.full ? 'full' : 'differential'}, ${d.rule})` : d.kind;
    this.emit({ type: 'connected', peer: this.opts.peerServer, decision: decisionText });
    switch (d.kind) {
      case 'in-sync':
        this.repl = 'established';
        this.sb.flags &= ~(SbFlag.CRASHED_PRIMARY | SbFlag.OUTDATED | SbFlag.SPLIT_BRAIN);
        if (this.sb.bitmap !== 0n) {
          this.pushHistory(this.sb.bitmap);
          this.sb.bitmap = 0n;
          this.timesDirty = true;
        }
        if (this.sb.breakTime !== null) {
          this.sb.breakTime = null;
          this.timesDirty = true;
        }
        await persistIfChanged();
        break;
      case 'adopt':
        this.sb.current = hexToUuid(d.uuid);
        this.sb.bitmap = 0n;
        this.repl = 'established';
        await this.persistSb();
        break;
      case 'sync': {
        const iAmSource = d.source === me;
        const sourceAuto = iAmSource ? this.params.autoRecovery : peer.autoRecovery;
        this.pendingSync = { source: d.source, target: d.target, full: d.full, autoStart: sourceAuto };
        this.repl = iAmSource ? 'sync-source-pending' : 'sync-target-pending';
        if (!iAmSource) {
          // We now know we are behind: persist it, so a restart cannot make this side look current.
          this.sb.flags |= SbFlag.OUTDATED;
          await persistIfChanged();
        }
        if (!sourceAuto && !this.recoverRequested) {
          this.emit({
            type: 'recovery-pending',
            kind: d.full ? 'full' : 'differential',
            bytes: d.full ? this.sizeBytes : this.dirtyBytes(),
            source: d.source,
            target: d.target,
          });
        }
        break;
      }
      case 'split-brain':
        this.repl = 'split-brain';
        this.sb.flags |= SbFlag.SPLIT_BRAIN;
        await persistIfChanged();
        this.emit({ type: 'split-brain', peer: this.opts.peerServer, rule: d.rule, message: this.splitBrainMessage() });
        break;
      case 'unrelated':
        this.repl = 'unrelated';
        this.emit({
          type: 'unrelated-data',
          peer: this.opts.peerServer,
          message: `${this.name}: ${me} and ${this.opts.peerServer} hold unrelated data (no common generation); choose the server to keep with forceRecover()`,
        });
        break;
      case 'refused':
        this.repl = 'refused';
        this.emit({ type: 'connect-refused', peer: this.opts.peerServer, reason: d.reason, message: this.refusedMessage(d.reason) });
        break;
      default: {
        const never: never = d;
        return never;
      }
    }
    this.publishState();
  }

  // ==== recovery ==========================================================================================

  private async startResync(link: MdcLink): Promise<void> {
    const pending = this.pendingSync;
    if (link !== this.link || link.isClosed || this.repl !== 'sync-source-pending' || !pending || this.closed) return;
    this.recoverRequested = false;
    const kind: RecoveryKind = pending.full ? 'full' : 'differential';
    if (this.sb.current === 0n) this.sb.current = newUuid();
    // From now on the target's data is based on our current generation plus our bitmap.
    if (this.sb.bitmap !== this.sb.current) {
      this.pushHistory(this.sb.bitmap);
      this.sb.bitmap = this.sb.current;
    }
    this.sb.flags &= ~(SbFlag.FORCE_SOURCE | SbFlag.SPLIT_BRAIN);
    if (pending.full) this.oos.setRange(0, this.blocks);
    await this.oosWriter.request();
    await this.persistSb();
    const bytes = this.dirtyBytes();
    const regions = this.dirtyRegions();
    const reply = await link.requestJson(FrameType.SYNC_START, {
      kind,
      bytes,
      regions,
      current: uuidToHex(this.sb.current),
      history: this.sb.history.map(uuidToHex),
    });
    if (!reply || reply.arg !== 0 || link !== this.link) {
      this.counters.recoveriesFailed += 1;
      this.emit({ type: 'recovery-failed', reason: reply ? `${this.opts.peerServer} refused to start recovery` : 'the link was lost', direction: 'send' });
      return;
    }
    this.repl = 'sync-source';
    const run: RecoveryRun = {
      kind,
      direction: 'send',
      source: this.opts.localServer,
      target: this.opts.peerServer,
      totalBytes: bytes,
      doneBytes: 0,
      regions,
      startedAt: this.now(),
      startedPerf: performance.now(),
      meter: new RateMeter(),
    };
    this.recovery = run;
    this.emit({ type: 'recovery-started', kind, bytes, regions, source: run.source, target: run.target, direction: 'send' });
    const rs = new ResyncSource({
      oos: this.oos,
      sizeBytes: this.sizeBytes,
      data: this.data,
      locks: this.locks,
      link,
      rate: () => this.recoveryRate(),
      maxChunkBytes: this.params.recoveryChunkBytes,
      maxInflightBytes: Math.max(4 * this.params.recoveryChunkBytes, 8 * 1024 * 1024),
      onChunkDone: (n) => {
        run.doneBytes += n;
        run.meter.add(n);
        this.counters.recoveryBytesSent += n;
      },
    });
    this.resync = rs;
    void rs.run().then((result) => this.ctl.run(() => this.finishResync(link, rs, run, result)));
  }

  private recoveryRate(): number {
    const busy = performance.now() - this.lastAppIo < 250;
    const max = this.params.recoveryMaxRateBytesPerSec;
    if (!busy) return max;
    const min = this.params.recoveryMinRateBytesPerSec;
    return max > 0 ? Math.min(min, max) : min;
  }

  private async finishResync(link: MdcLink, rs: ResyncSource, run: RecoveryRun, result: ResyncResult): Promise<void> {
    if (this.resync !== rs) return;
    this.resync = null;
    const fail = (reason: string): void => {
      this.recovery = null;
      this.counters.recoveriesFailed += 1;
      if (link === this.link && !link.isClosed) this.repl = 'sync-source-pending';
      this.emit({ type: 'recovery-failed', reason, direction: 'send' });
    };
    if (!result.ok) return fail(result.reason);
    if (link !== this.link || link.isClosed) return fail('the link was lost');
    const reply = await link.requestJson(FrameType.SYNC_DONE, { current: uuidToHex(this.sb.current), history: this.sb.history.map(uuidToHex) });
    if (!reply || reply.arg !== 0) return fail(reply ? `${this.opts.peerServer} refused to finish recovery` : 'the link was lost');
    this.pushHistory(this.sb.bitmap);
    this.sb.bitmap = 0n;
    this.sb.flags &= ~SbFlag.CRASHED_PRIMARY;
    this.sb.breakTime = null;
    await this.persistSb();
    if (link === this.link) this.repl = 'established';
    this.pendingSync = null;
    this.completeRecovery(run);
  }

  private async onSyncStart(link: MdcLink, f: Frame): Promise<void> {
    const msg = parsePayload(syncStartSchema, frameBytes(f));
    if (link !== this.link || link.isClosed) return;
    if (!msg || this.role === 'primary' || this.repl !== 'sync-target-pending') {
      link.reply(f, 1);
      return;
    }
    this.sb.flags = (this.sb.flags | SbFlag.INCONSISTENT) & ~(SbFlag.OUTDATED | SbFlag.DISCARD_MY_DATA | SbFlag.SPLIT_BRAIN | SbFlag.FORCE_SOURCE | SbFlag.CRASHED_PRIMARY);
    const src = hexToUuid(msg.current);
    if (this.sb.current !== src) {
      const old = this.sb.current;
      this.sb.current = src;
      this.pushHistory(old);
    }
    if (this.sb.bitmap !== 0n) {
      this.pushHistory(this.sb.bitmap);
      this.sb.bitmap = 0n;
    }
    if (msg.kind === 'full') this.oos.setRange(0, this.blocks);
    await this.oosWriter.request();
    await this.persistSb();
    if (link !== this.link || link.isClosed) return;
    this.repl = 'sync-target';
    this.recovery = {
      kind: msg.kind,
      direction: 'receive',
      source: this.opts.peerServer,
      target: this.opts.localServer,
      totalBytes: msg.bytes,
      doneBytes: 0,
      regions: msg.regions,
      startedAt: this.now(),
      startedPerf: performance.now(),
      meter: new RateMeter(),
    };
    this.emit({
      type: 'recovery-started',
      kind: msg.kind,
      bytes: msg.bytes,
      regions: msg.regions,
      source: this.opts.peerServer,
      target: this.opts.localServer,
      direction: 'receive',
    });
    this.publishState();
    link.reply(f, 0);
  }

  private async onSyncDone(link: MdcLink, f: Frame): Promise<void> {
    if (link !== this.link || link.isClosed) return;
    const run = this.recovery;
    if (this.repl !== 'sync-target' || !run) {
      link.reply(f, 1);
      return;
    }
    // Wait for resync writes still being applied (their acks were sent, so there are none, but be exact).
    this.sb.flags &= ~(SbFlag.INCONSISTENT | SbFlag.OUTDATED | SbFlag.CRASHED_PRIMARY);
    this.sb.bitmap = 0n;
    this.sb.breakTime = null;
    this.oos.clearAll();
    await this.oosWriter.request();
    await this.persistSb();
    this.repl = 'established';
    this.pendingSync = null;
    this.completeRecovery(run);
    this.publishState();
    link.reply(f, 0);
  }

  private completeRecovery(run: RecoveryRun): void {
    const ms = Math.round(performance.now() - run.startedPerf);
    this.recovery = null;
    this.counters.recoveriesCompleted += 1;
    this.counters.lastRecovery = { kind: run.kind, direction: run.direction, bytes: run.doneBytes, regions: run.regions, ms, completedAt: this.now() };
    this.emit({ type: 'recovery-completed', kind: run.kind, bytes: run.doneBytes, regions: run.regions, ms, direction: run.direction });
  }

  // ==== export ============================================================================================

  private async startExport(): Promise<void> {
    const nbd = new NbdServer({
      exportName: this.name,
      description: `Kumo mirror disk ${this.name} on ${this.opts.localServer}`,
      backend: this.backend,
    });
    await nbd.listen({ path: this.opts.nbdSocketPath });
    this.nbd = nbd;
  }

  private async stopExport(): Promise<void> {
    const nbd = this.nbd;
    if (!nbd) return;
    this.exportDraining = true;
    try {
      await nbd.stop();
    } finally {
      this.nbd = null;
      this.exportDraining = false;
    }
  }

  // ==== state and status ==================================================================================

  private assertOpen(): void {
    if (this.closed) throw new MirrorError('CLOSED', `${this.name}: the mirror disk is closed`);
  }

  private isStale(): boolean {
    return (this.sb.flags & (STALE_FLAGS | SbFlag.SPLIT_BRAIN)) !== 0 || this.repl === 'sync-target-pending' || this.repl === 'sync-target';
  }

  private promotionRefusal(force: boolean): MirrorError | null {
    const refusal = force ? null : this.staleRefusal();
    if (refusal) return refusal;
    if (this.conn === 'connected' && this.peerState?.role === 'primary') {
      const { name } = this;
      return new MirrorError('PEER_IS_PRIMARY', `${name}: ${this.opts.peerServer} is active; demote it (move the group) before promoting ${this.opts.localServer}`);
    }
    return null;
  }

  /** Why this side's data may not serve as the latest without the operator's force, or null. */
  private staleRefusal(): MirrorError | null {
    const { name } = this;
    const me = this.opts.localServer;
    const peer = this.opts.peerServer;
    if ((this.sb.flags & SbFlag.SPLIT_BRAIN) !== 0 || this.repl === 'split-brain') return new MirrorError('SPLIT_BRAIN', this.splitBrainMessage());
    if (this.sb.current === 0n && this.repl !== 'sync-source-pending') {
      return new MirrorError(
        'NOT_CONSTRUCTED',
        this.conn === 'connected'
          ? `${name}: the initial mirror construction has not run on ${me}; wait for it to copy from ${peer} (or run recover())`
          : `${name}: ${me} has never been mirrored and ${peer} is not connected; start ${peer}, or promote with force to use ${me}'s disk as it is`,
      );
    }
    if ((this.sb.flags & SbFlag.INCONSISTENT) !== 0 || this.repl === 'sync-target') {
      return new MirrorError(
        'STALE',
        `${name}: ${me}'s data is inconsistent (a mirror recovery into it did not finish); let the recovery from ${peer} complete, or promote with force to accept ${me}'s data as it is`,
      );
    }
    if ((this.sb.flags & STALE_FLAGS) !== 0 || this.repl === 'sync-target-pending') {
      return new MirrorError(
        'STALE',
        `${name}: ${me}'s data is stale (${peer} holds newer writes); recover it from ${peer} (recover()), or promote with force if ${peer}'s data is lost`,
      );
    }
    return null;
  }

  private splitBrainMessage(): string {
    return (
      `${this.name}: split brain: ${this.opts.localServer} and ${this.opts.peerServer} both changed the data while apart. ` +
      `Choose the server whose data to keep and run forceRecover('local') there (or forceRecover('peer') on the other); the other server's changes are discarded`
    );
  }

  private refusedMessage(reason: string): string {
    switch (reason) {
      case 'target-is-primary':
        return `${this.name}: the server that must be recovered is active; demote it, then the recovery starts`;
      case 'both-primary':
        return `${this.name}: both servers are active; demote one`;
      default:
        return `${this.name}: neither server has up-to-date data; choose one with forceRecover('local')`;
    }
  }

  private stateMessage(): StateMessage {
    const local = this.localStatus();
    return {
      v: 1,
      server: this.opts.localServer,
      resource: this.name,
      sizeBytes: this.sizeBytes,
      role: this.role,
      current: uuidToHex(this.sb.current),
      bitmap: uuidToHex(this.sb.bitmap),
      history: this.sb.history.map(uuidToHex),
      flags: this.sb.flags,
      initialCopy: this.params.initialCopy,
      autoRecovery: this.params.autoRecovery,
      color: local.color,
      diskState: local.diskState,
      lastUpdateTime: local.lastUpdateTime,
      breakTime: local.breakTime,
    };
  }

  private sideState(): SideState {
    return {
      server: this.opts.localServer,
      role: this.role,
      current: this.sb.current,
      bitmap: this.sb.bitmap,
      history: this.sb.history,
      flags: this.sb.flags,
    };
  }

  private publishState(): void {
    if (this.link && this.conn === 'connected' && !this.hs) {
      this.link.send(FrameType.STATE, 0, 0, 0, jsonPayload(this.stateMessage()));
    }
  }

  private localDiskState(): DiskState {
    if (this.sb.current === 0n && this.repl !== 'sync-source-pending' && this.repl !== 'sync-source') return 'no-construction';
    if ((this.sb.flags & SbFlag.SPLIT_BRAIN) !== 0 || this.repl === 'split-brain') return 'split-brain';
    if ((this.sb.flags & SbFlag.INCONSISTENT) !== 0) return 'inconsistent';
    if ((this.sb.flags & STALE_FLAGS) !== 0 || this.repl === 'sync-target-pending') return 'outdated';
    return 'uptodate';
  }

  private localStatus(): ServerMirrorStatus {
    const diskState = this.localDiskState();
    let color: MirrorColor;
    if (this.closed) color = 'GRAY';
    else if (this.repl === 'sync-target') color = 'YELLOW';
    else color = diskState === 'uptodate' ? 'GREEN' : 'RED';
    return {
      server: this.opts.localServer,
      color,
      role: this.role,
      diskState,
      lastUpdateTime: this.lastWriteAt,
      breakTime: this.sb.breakTime,
    };
  }

  private peerStatus(): ServerMirrorStatus {
    const p = this.peerState;
    if (!p || this.conn !== 'connected' || this.closed) {
      return { server: this.opts.peerServer, color: 'GRAY', role: 'unknown', diskState: 'unknown', lastUpdateTime: null, breakTime: null };
    }
    return {
      server: p.server,
      color: p.color,
      role: p.role,
      diskState: p.diskState,
      lastUpdateTime: p.lastUpdateTime,
      breakTime: p.breakTime,
    };
  }

  private mirrorState(): MirrorState {
    if (this.closed) return 'closed';
    if ((this.sb.flags & SbFlag.ISOLATED) !== 0) return 'isolated';
    switch (this.repl) {
      case 'sync-source':
      case 'sync-target':
        return 'recovering';
      case 'sync-source-pending':
      case 'sync-target-pending':
        return this.sb.current === 0n || this.peerState?.current === uuidToHex(0n) ? 'no-construction' : 'recovery-pending';
      case 'split-brain':
        return 'split-brain';
      case 'unrelated':
        return 'unrelated';
      case 'refused':
        return 'refused';
      case 'established':
        return 'normal';
      case 'off':
        if (this.sb.current === 0n) return 'no-construction';
        return (this.sb.flags & SbFlag.SPLIT_BRAIN) !== 0 ? 'split-brain' : 'broken';
      default: {
        const never: never = this.repl;
        return never;
      }
    }
  }

  /** Out-of-sync bytes, exact at the (possibly partial) last block. */
  private dirtyBytes(): number {
    let bytes = this.oos.count * BLOCK_BYTES;
    const tail = this.sizeBytes % BLOCK_BYTES;
    if (tail !== 0 && this.oos.get(this.blocks - 1)) bytes -= BLOCK_BYTES - tail;
    return bytes;
  }

  private dirtyRegions(): number {
    const perRegion = this.regionBytes / BLOCK_BYTES;
    let n = 0;
    for (let b = this.oos.nextSet(0); b >= 0; b = this.oos.nextSet((Math.floor(b / perRegion) + 1) * perRegion)) n += 1;
    return n;
  }

  private regionFirstBlock(r: number): number {
    return Math.min(this.blocks, (r * this.regionBytes) / BLOCK_BYTES);
  }

  private emit(e: Event): void {
    const handler = this.opts.onEvent;
    if (!handler) return;
    try {
      handler({ ...e, resource: this.name, time: this.now() });
    } catch {
      // A listener's failure must never reach the data path.
    }
  }
}

function sideFromMessage(m: StateMessage): SideState {
  return {
    server: m.server,
    role: m.role,
    current: hexToUuid(m.current),
    bitmap: hexToUuid(m.bitmap),
    history: m.history.map(hexToUuid),
    flags: m.flags,
  };
}

function newUuid(): bigint {
  let u = 0n;
  while (u === 0n) u = randomBytes(8).readBigUInt64BE(0);
  return u;
}

function shutdown(): BlockIoError {
  return new BlockIoError(ERRNO.ESHUTDOWN, 'the mirror disk is not active on this server');
}

function validateOptions(opts: MirrorDiskOptions, params: MirrorParams): void {
  const bad = (msg: string): never => {
    throw new MirrorError('BAD_CONFIG', `${opts.name || 'mirror disk'}: ${msg}`);
  };
  const nameOk = (s: string): boolean => s.length > 0 && Buffer.byteLength(s) <= 64 && !s.includes('\0');
  if (!nameOk(opts.name)) bad('the resource name must be 1-64 bytes');
  if (!nameOk(opts.localServer) || !nameOk(opts.peerServer)) bad('server names must be 1-64 bytes');
  if (opts.localServer === opts.peerServer) bad('the local and peer server names must differ');
  if (opts.clusterKey.length === 0) bad('the cluster key is empty');
  if (params.regionBytes < BLOCK_BYTES || params.regionBytes % BLOCK_BYTES !== 0) bad('regionBytes must be a multiple of 4096');
  if (opts.createSizeBytes !== undefined && (opts.createSizeBytes <= 0 || opts.createSizeBytes % BLOCK_BYTES !== 0)) {
    bad('createSizeBytes must be a positive multiple of 4096');
  }
  for (const k of ['ackTimeoutMs', 'connectTimeoutMs', 'pingIntervalMs', 'pingTimeoutMs', 'reconnectMaxMs', 'checkpointIntervalMs'] as const) {
    if (!(params[k] > 0)) bad(`${k} must be positive`);
  }
  if (params.recoveryChunkBytes < BLOCK_BYTES || params.recoveryChunkBytes % BLOCK_BYTES !== 0 || params.recoveryChunkBytes > 16 * 1024 * 1024) {
    bad('recoveryChunkBytes must be a multiple of 4096, at most 16 MiB');
  }
  if (!(params.writeIntentIdleMs >= 0) || !(params.maxActiveRegions >= 1)) bad('writeIntentIdleMs must be >= 0 and maxActiveRegions >= 1');
  if (params.recoveryMaxRateBytesPerSec < 0 || params.recoveryMinRateBytesPerSec <= 0) bad('recovery rates must be positive (max 0 = unlimited)');
}
