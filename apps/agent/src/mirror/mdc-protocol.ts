/**
 * Mirror disk connect (MDC) wire format: one TCP connection per mirror disk, framed as
 *
 *   0  u32 magic 'KMDC'      8  u64 seq        24 u32 arg (length, errno, ...)
 *   4  u8  type              16 u64 offset     28 u32 payload length
 *   5  u8  flags                               32 u32 CRC32C over bytes 0..31 and the payload
 *   6  u16 reserved
 *
 * followed by the payload. A reply carries FLAG_REPLY and the seq of its request. Control payloads are
 * small JSON documents validated with zod on receipt; data payloads (writes, resync chunks, bitmap pages)
 * are raw bytes.
 */
import { z } from 'zod';
import { ChunkQueue } from './chunk-queue.js';
import { crc32c, crc32cList } from './crc32c.js';

export const HEADER_BYTES = 36;
const EMPTY = Buffer.alloc(0);
const MAGIC = 0x4b4d4443;
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

export const FrameType = {
  AUTH_HELLO: 1,
  AUTH_PROOF: 2,
  AUTH_FAIL: 3,
  STATE: 10,
  BITMAP: 11,
  BITMAP_END: 12,
  DECISION: 13,
  ROLE_REQ: 14,
  RECOVER_REQ: 16,
  SYNC_START: 17,
  SYNC_DONE: 19,
  GOODBYE: 21,
  WRITE: 30,
  ZEROES: 32,
  FLUSH: 33,
  RS_DATA: 35,
  PING: 40,
  PONG: 41,
} as const;
export type FrameTypeId = (typeof FrameType)[keyof typeof FrameType];

export const FrameFlag = {
  REPLY: 0x80,
  /** WRITE/ZEROES: persist before acknowledging (NBD FUA). */
  FUA: 0x01,
  /** STATE: part of the connect handshake rather than an update. */
  HANDSHAKE: 0x02,
} as const;

export interface Frame {
  type: number;
  flags: number;
  seq: number;
  offset: number;
  arg: number;
  /** The payload as received: zero-copy views of socket chunks. Use frameBytes() for one buffer. */
  parts: readonly Buffer[];
  length: number;
}

/** A frame's payload as one buffer (copied only when it arrived in several chunks). */
export function frameBytes(f: Frame): Buffer {
  if (f.parts.length === 1 && f.parts[0]) return f.parts[0];
  return f.parts.length === 0 ? EMPTY : Buffer.concat(f.parts, f.length);
}

export type Payload = Uint8Array | readonly Uint8Array[] | null;

export function payloadLength(p: Payload): number {
  if (!p) return 0;
  if (p instanceof Uint8Array) return p.length;
  let n = 0;
  for (const x of p) n += x.length;
  return n;
}

export function encodeHeader(type: number, flags: number, seq: number, offset: number, arg: number, payload: Payload): Buffer {
  const h = Buffer.allocUnsafe(HEADER_BYTES);
  h.writeUInt32BE(MAGIC, 0);
  h.writeUInt8(type, 4);
  h.writeUInt8(flags, 5);
  h.writeUInt16BE(0, 6);
  writeU64(h, 8, seq);
  writeU64(h, 16, offset);
  h.writeUInt32BE(arg >>> 0, 24);
  const len = payloadLength(payload);
  h.writeUInt32BE(len, 28);
  let crc = crc32c(h, 0, 0, 32);
  if (payload instanceof Uint8Array) crc = crc32c(payload, crc);
  else if (payload) crc = crc32cList(payload, crc);
  h.writeUInt32BE(crc, 32);
  return h;
}

export class FrameError extends Error {
  readonly kind: 'magic' | 'crc' | 'too-big';
  constructor(kind: 'magic' | 'crc' | 'too-big', message: string) {
    super(message);
    this.name = 'FrameError';
    this.kind = kind;
  }
}

/** Incremental decoder: push socket chunks, get whole verified frames. */
export class FrameDecoder {
  private readonly queue = new ChunkQueue();
  private header: Buffer | null = null;

  /** Calls `onFrame` for every complete frame; throws FrameError on a corrupt stream. */
  push(chunk: Buffer, onFrame: (f: Frame) => void): void {
    this.queue.push(chunk);
    for (;;) {
      if (!this.header) {
        if (this.queue.length < HEADER_BYTES) return;
        const h = this.queue.take(HEADER_BYTES);
        if (h.readUInt32BE(0) !== MAGIC) throw new FrameError('magic', 'bad frame magic');
        if (h.readUInt32BE(28) > MAX_PAYLOAD_BYTES) throw new FrameError('too-big', 'frame payload too large');
        this.header = h;
      }
      const h = this.header;
      const len = h.readUInt32BE(28);
      if (this.queue.length < len) return;
      this.header = null;
      const parts = len > 0 ? this.queue.takeList(len) : [];
      const crc = crc32cList(parts, crc32c(h, 0, 0, 32));
      if (crc !== h.readUInt32BE(32)) throw new FrameError('crc', `CRC32C mismatch on a type ${h.readUInt8(4)} frame`);
      onFrame({
        type: h.readUInt8(4),
        flags: h.readUInt8(5),
        seq: readU64(h, 8),
        offset: readU64(h, 16),
        arg: h.readUInt32BE(24),
        parts,
        length: len,
      });
    }
  }
}

export function readU64(b: Buffer, off: number): number {
  return b.readUInt32BE(off) * 0x100000000 + b.readUInt32BE(off + 4);
}

export function writeU64(b: Buffer, off: number, v: number): void {
  b.writeUInt32BE(Math.floor(v / 0x100000000) >>> 0, off);
  b.writeUInt32BE(v >>> 0, off + 4);
}

// ---- control payloads ---------------------------------------------------------------------------------

const hex64 = z.string().regex(/^[0-9a-f]{16}$/);
const serverName = z.string().min(1).max(64);

export const authHelloSchema = z.object({
  v: z.literal(1),
  server: serverName,
  peer: serverName,
  resource: serverName,
  nonce: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuthHello = z.infer<typeof authHelloSchema>;

export const authFailSchema = z.object({ reason: z.string().max(500) });

export const colorSchema = z.enum(['GREEN', 'YELLOW', 'RED', 'GRAY']);
export const diskStateSchema = z.enum(['uptodate', 'outdated', 'inconsistent', 'no-construction', 'split-brain', 'unknown']);

export const stateSchema = z.object({
  v: z.literal(1),
  server: serverName,
  resource: serverName,
  sizeBytes: z.number().int().nonnegative(),
  role: z.enum(['primary', 'secondary']),
  current: hex64,
  bitmap: hex64,
  history: z.array(hex64).max(8),
  flags: z.number().int().nonnegative(),
  initialCopy: z.boolean(),
  autoRecovery: z.boolean(),
  color: colorSchema,
  diskState: diskStateSchema,
  lastUpdateTime: z.number().nullable(),
  breakTime: z.number().nullable(),
});
export type StateMessage = z.infer<typeof stateSchema>;

export const decisionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('in-sync') }),
  z.object({ kind: z.literal('adopt'), rule: z.literal('both-just-created'), uuid: hex64 }),
  z.object({
    kind: z.literal('sync'),
    source: serverName,
    target: serverName,
    full: z.boolean(),
    rule: z.enum(['operator', 'initial-construction', 'peer-just-created', 'current-equal', 'bitmap', 'history']),
  }),
  z.object({ kind: z.literal('split-brain'), rule: z.enum(['common-parent', 'history-only', 'both-forced']) }),
  z.object({ kind: z.literal('unrelated') }),
  z.object({ kind: z.literal('refused'), reason: z.enum(['target-is-primary', 'both-primary', 'no-up-to-date-data']) }),
]);
export type DecisionMessage = z.infer<typeof decisionSchema>;

export const syncStartSchema = z.object({
  kind: z.enum(['full', 'differential']),
  bytes: z.number().int().nonnegative(),
  regions: z.number().int().nonnegative(),
  current: hex64,
  history: z.array(hex64).max(8),
});
export type SyncStartMessage = z.infer<typeof syncStartSchema>;

export const reasonSchema = z.object({ reason: z.string().max(1000) });

export function jsonPayload(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** Parses a JSON control payload; returns null when it is not JSON or does not match the schema. */
export function parsePayload<T>(schema: z.ZodType<T>, payload: Buffer): T | null {
  let raw: unknown;
  try {
    raw = JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
  const r = schema.safeParse(raw);
  return r.success ? r.data : null;
}

export function uuidToHex(u: bigint): string {
  return u.toString(16).padStart(16, '0');
}

export function hexToUuid(h: string): bigint {
  return BigInt(`0x${h}`);
}
