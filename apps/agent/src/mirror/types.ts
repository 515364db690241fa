/**
 * The mirror disk's public shapes: options, events and status. The agent's md resource driver, the
 * mdw/mdnw monitors and the CLI consume these; keep them stable.
 */

export interface MirrorParams {
  /** How long a write or flush waits for the standby's ack before the link is declared dead. Default 10 s. */
  ackTimeoutMs: number;
  /** TCP connect and authentication timeout. Default 5 s. */
  connectTimeoutMs: number;
  /** Ping every this often when the link is idle. Default 2 s. */
  pingIntervalMs: number;
  /** No pong within this: the link is dead. Default 5 s. */
  pingTimeoutMs: number;
  /** Longest pause between reconnection attempts (exponential backoff from 100 ms). Default 5 s. */
  reconnectMaxMs: number;
  /** Copy everything at the first connect of two new partitions. False: the disks are known identical. Default true. */
  initialCopy: boolean;
  /** Start recovery as soon as the servers connect (CLUSTERPRO's auto mirror recovery). Default true. */
  autoRecovery: boolean;
  /** Recovery rate cap in bytes/s; 0 = unlimited. Default 100 MiB/s (DRBD's c-max-rate). */
  recoveryMaxRateBytesPerSec: number;
  /** Recovery rate while application I/O is active. Default 4 MiB/s. */
  recoveryMinRateBytesPerSec: number;
  /** Write-intent granularity, fixed when the cluster partition is created. Default 4 MiB. */
  regionBytes: number;
  /** Out-of-sync bitmap checkpoint and write-intent cleanup interval. Default 2 s. */
  checkpointIntervalMs: number;
  /** Largest resync chunk. Default 1 MiB. */
  recoveryChunkBytes: number;
  /** A write-intent region idle this long is retired at the next checkpoint. Default 10 s. */
  writeIntentIdleMs: number;
  /**
   * Retire least-recently-written idle regions beyond this many (DRBD's al-extents). A crashed primary's
   * recovery copies at most this many regions. Default 1237.
   */
  maxActiveRegions: number;
}

export const DEFAULT_PARAMS: MirrorParams = {
  ackTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  pingIntervalMs: 2_000,
  pingTimeoutMs: 5_000,
  reconnectMaxMs: 5_000,
  initialCopy: true,
  autoRecovery: true,
  recoveryMaxRateBytesPerSec: 100 * 1024 * 1024,
  recoveryMinRateBytesPerSec: 4 * 1024 * 1024,
  regionBytes: 4 * 1024 * 1024,
  checkpointIntervalMs: 2_000,
  recoveryChunkBytes: 1024 * 1024,
  writeIntentIdleMs: 10_000,
  maxActiveRegions: 1237,
};

export interface MirrorDiskOptions {
  /** Resource name, e.g. 'md1'; also the NBD export name. */
  name: string;
  /** Server names. The one that sorts first dials the MDC; both listen. */
  localServer: string;
  peerServer: string;
  /** Files or block devices. */
  dataPath: string;
  clusterPath: string;
  /** When the paths are regular files that do not exist: create the data file with this size and a cluster file. */
  createSizeBytes?: number;
  /** This server's MDC address and mirror data port. */
  listen: { host: string; port: number };
  peer: { host: string; port: number };
  /** Shared secret authenticating the MDC (HMAC-SHA256 challenge-response). */
  clusterKey: Buffer;
  /** Export socket; it exists only while this server is primary. */
  nbdSocketPath: string;
  params?: Partial<MirrorParams>;
  onEvent?: (e: MirrorEvent) => void;
  /**
   * DRBD's fence-peer handler: called once when the primary first goes on writing without its peer, before that
   * write is acknowledged. It should tell the peer, over another channel (the agents' peer link), that its copy
   * is outdated, so that it refuses to serve as the latest; it answers whether the peer confirmed. When it cannot
   * (a full partition), the primary goes on anyway, and the cluster's own partition handling decides.
   */
  outdatePeer?: () => Promise<boolean>;
  /** Injectable wall clock (ms since the epoch) for timestamps. */
  now?: () => number;
}

export type RecoveryKind = 'full' | 'differential';
export type RecoveryDirection = 'send' | 'receive';

interface EventBase {
  /** Resource name. */
  resource: string;
  /** Wall-clock ms. */
  time: number;
}

/** Everything the agent turns into alert-log lines. */
export type MirrorEvent = EventBase &
  (
    | { type: 'opened'; created: boolean; crashedPrimary: boolean; dirtyBytes: number }
    | { type: 'partition-reinitialised'; path: string }
    | { type: 'connected'; peer: string; decision: string }
    | { type: 'disconnected'; peer: string; reason: string }
    | { type: 'mirror-broken'; peer: string; breakTime: number }
    | {
        type: 'recovery-pending';
        kind: RecoveryKind;
        bytes: number;
        source: string;
        target: string;
      }
    | {
        type: 'recovery-started';
        kind: RecoveryKind;
        bytes: number;
        regions: number;
        source: string;
        target: string;
        direction: RecoveryDirection;
      }
    | { type: 'recovery-completed'; kind: RecoveryKind; bytes: number; regions: number; ms: number; direction: RecoveryDirection }
    | { type: 'recovery-failed'; reason: string; direction: RecoveryDirection }
    | { type: 'split-brain'; peer: string; rule: string; message: string }
    | { type: 'unrelated-data'; peer: string; message: string }
    | { type: 'connect-refused'; peer: string; reason: string; message: string }
    | { type: 'peer-auth-failed'; remote: string; kind: string; message: string }
    | { type: 'promoted'; force: boolean }
    | { type: 'demoted' }
    | { type: 'stale-refused'; code: string; message: string }
    | { type: 'isolated' }
    | { type: 'peer-outdated'; peer: string; confirmed: boolean }
    | { type: 'outdated-by-peer'; peer: string }
    | { type: 'forced'; source: 'local' | 'peer' }
    | { type: 'io-error'; op: string; message: string }
    | { type: 'problem'; message: string }
  );

export type MirrorEventType = MirrorEvent['type'];

/** CLUSTERPRO's mirror colours. */
export type MirrorColor = 'GREEN' | 'YELLOW' | 'RED' | 'GRAY';

export type DiskState = 'uptodate' | 'outdated' | 'inconsistent' | 'no-construction' | 'split-brain' | 'unknown';

export interface ServerMirrorStatus {
  server: string;
  color: MirrorColor;
  role: 'primary' | 'secondary' | 'unknown';
  diskState: DiskState;
  /** Last time data on this server changed (ms), null if never or unknown. */
  lastUpdateTime: number | null;
  /** When this server's copy stopped being mirrored (ms), null while in sync. */
  breakTime: number | null;
}

/**
 * normal: connected and identical. recovering: a copy is running. recovery-pending: a copy is needed and
 * waits for recover() (auto recovery off). broken: not connected (the peer is down or the link is cut).
 * isolated: breakMirror() was run here. split-brain / unrelated / refused: connected, but the data cannot be
 * reconciled without the operator. no-construction: the initial mirror construction has not run.
 */
export type MirrorState =
  | 'normal'
  | 'recovering'
  | 'recovery-pending'
  | 'broken'
  | 'isolated'
  | 'split-brain'
  | 'unrelated'
  | 'refused'
  | 'no-construction'
  | 'closed';

export type ConnectionState = 'connecting' | 'handshaking' | 'connected' | 'standalone' | 'closed';

export interface RecoveryStatus {
  kind: RecoveryKind;
  direction: RecoveryDirection;
  source: string;
  target: string;
  totalBytes: number;
  doneBytes: number;
  /** 0..1 */
  progress: number;
  rateBytesPerSec: number;
  /** null until a rate is known. */
  remainingMs: number | null;
  startedAt: number;
}

export interface LastRecovery {
  kind: RecoveryKind;
  direction: RecoveryDirection;
  /** Bytes copied: the whole disk for a full copy, only the dirty blocks for a differential one. */
  bytes: number;
  /** Distinct write-intent regions the copied blocks fall in. */
  regions: number;
  ms: number;
  completedAt: number;
}

export interface MirrorCounters {
  reads: number;
  readBytes: number;
  writes: number;
  writeBytes: number;
  fuaWrites: number;
  zeroWrites: number;
  trims: number;
  flushes: number;
  /** Writes acknowledged by the standby too. */
  replicatedWrites: number;
  /** Writes completed on this server only (peer absent or lost): their blocks were marked out of sync. */
  localOnlyWrites: number;
  /** Writes received from the primary and applied here. */
  peerWritesApplied: number;
  peerBytesApplied: number;
  writeIntentActivations: number;
  checkpoints: number;
  linkUps: number;
  linkDrops: number;
  authFailures: number;
  recoveriesCompleted: number;
  recoveriesFailed: number;
  recoveryBytesSent: number;
  recoveryBytesReceived: number;
  lastRecovery: LastRecovery | null;
}

export interface MirrorDiskStatus {
  name: string;
  local: ServerMirrorStatus;
  peer: ServerMirrorStatus;
  mirrorState: MirrorState;
  connection: ConnectionState;
  /** True while the NBD export socket is open (primary). */
  exporting: boolean;
  nbdSocketPath: string;
  sizeBytes: number;
  regionBytes: number;
  /** Bytes this server knows differ from the peer (4 KiB granularity). */
  outOfSyncBytes: number;
  /** Write-intent regions currently marked on disk. */
  activeRegions: number;
  recovery: RecoveryStatus | null;
  generation: { current: string; bitmap: string; history: string[] };
  counters: MirrorCounters;
}
