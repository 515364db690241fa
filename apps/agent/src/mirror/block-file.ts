/**
 * Positioned I/O on a data or cluster partition: a regular file or a block device. The hot path uses the
 * callback form of node:fs on a raw descriptor (one libuv request per call, no FileHandle bookkeeping) and
 * loops on short transfers.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { BlockIoError, ERRNO, errorMessage } from './errors.js';

const ZERO_CHUNK = Buffer.alloc(1024 * 1024);
const INLINE_WRITE_MAX = 64 * 1024;

export class BlockFile {
  readonly path: string;
  readonly size: number;
  readonly isBlockDevice: boolean;
  private readonly handle: fsp.FileHandle;
  private readonly fd: number;
  private closed = false;

  private constructor(path: string, handle: fsp.FileHandle, size: number, isBlockDevice: boolean) {
    this.path = path;
    this.handle = handle;
    this.fd = handle.fd;
    this.size = size;
    this.isBlockDevice = isBlockDevice;
  }

  /**
   * Opens an existing file or block device read-write. With `createSize`, a missing regular file is created
   * sparse with that size; `minSize` grows a regular file that is too short (never a device).
   */
  static async open(path: string, opts: { createSize?: number; minSize?: number } = {}): Promise<BlockFile> {
    let created = false;
    let handle: fsp.FileHandle;
    try {
      handle = await fsp.open(path, 'r+');
    } catch (err) {
      if (!(isErrno(err, 'ENOENT') && opts.createSize !== undefined)) throw err;
      handle = await fsp.open(path, 'wx+');
      created = true;
    }
    try {
      const st = await handle.stat({ bigint: true });
      if (st.isBlockDevice()) {
        const size = await blockDeviceSize(st.rdev);
        return new BlockFile(path, handle, size, true);
      }
      if (!st.isFile()) throw new Error(`${path} is neither a regular file nor a block device`);
      let size = Number(st.size);
      const want = Math.max(created ? (opts.createSize ?? 0) : 0, opts.minSize ?? 0);
      if (size < want) {
        await handle.truncate(want);
        size = want;
      }
      return new BlockFile(path, handle, size, false);
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw err;
    }
  }

  read(offset: number, into: Uint8Array, intoOffset = 0, length = into.length - intoOffset): Promise<void> {
    return new Promise((resolve, reject) => {
      const step = (done: number): void => {
        if (done >= length) {
          resolve();
          return;
        }
        fs.read(this.fd, into, intoOffset + done, length - done, offset + done, (err, n) => {
          if (err) reject(ioError('read', this.path, err));
          else if (n === 0) {
            // Past the end of a regular file that is shorter than advertised: the bytes are zeroes.
            into.fill(0, intoOffset + done, intoOffset + length);
            resolve();
          } else step(done + n);
        });
      };
      step(0);
    });
  }

  write(offset: number, data: Uint8Array, dataOffset = 0, length = data.length - dataOffset): Promise<void> {
    return new Promise((resolve, reject) => {
      const step = (done: number): void => {
        if (done >= length) {
          resolve();
          return;
        }
        fs.write(this.fd, data, dataOffset + done, length - done, offset + done, (err, n) => {
          if (err) reject(ioError('write', this.path, err));
          else step(done + n);
        });
      };
      step(0);
    });
  }

  /**
   * pwritev of a small scatter list on the calling thread. A page-cache write of a few KiB takes
   * microseconds, less than the hand-off to libuv's thread pool and back; the standby uses this for
   * replicated writes, whose latency is on every acknowledgement's critical path. Larger payloads take the
   * async path so the event loop is never held for long.
   */
  writevInline(offset: number, parts: readonly Uint8Array[], length: number): Promise<void> {
    if (length > INLINE_WRITE_MAX) return this.writev(offset, parts);
    try {
      let list = parts;
      let done = 0;
      while (done < length) {
        const n = fs.writevSync(this.fd, list, offset + done);
        done += n;
        if (done < length) list = skipBytes(list, n);
      }
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(ioError('write', this.path, err as NodeJS.ErrnoException));
    }
  }

  /** pwritev of a scatter list at `offset`; loops on short writes. */
  writev(offset: number, parts: readonly Uint8Array[]): Promise<void> {
    if (parts.length === 1 && parts[0]) return this.write(offset, parts[0]);
    return new Promise((resolve, reject) => {
      const step = (list: readonly Uint8Array[], at: number): void => {
        const total = list.reduce((s, p) => s + p.length, 0);
        if (total === 0) {
          resolve();
          return;
        }
        fs.writev(this.fd, list as Uint8Array[], at, (err, n) => {
          if (err) reject(ioError('write', this.path, err));
          else if (n >= total) resolve();
          else step(skipBytes(list, n), at + n);
        });
      };
      step(parts, offset);
    });
  }

  async writeZeroes(offset: number, length: number): Promise<void> {
    let done = 0;
    while (done < length) {
      const n = Math.min(ZERO_CHUNK.length, length - done);
      await this.write(offset + done, ZERO_CHUNK, 0, n);
      done += n;
    }
  }

  /** fdatasync: every write completed before the call is durable when it resolves. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      fs.fdatasync(this.fd, (err) => {
        if (err) reject(ioError('fdatasync', this.path, err));
        else resolve();
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
  }
}

function skipBytes(list: readonly Uint8Array[], n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let skip = n;
  for (const p of list) {
    if (skip >= p.length) {
      skip -= p.length;
      continue;
    }
    out.push(skip > 0 ? p.subarray(skip) : p);
    skip = 0;
  }
  return out;
}

/** Linux's encoding of dev_t (glibc gnu_dev_major/minor). */
export function devMajorMinor(rdev: bigint): { major: number; minor: number } {
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { major, minor };
}

/** Node has no BLKGETSIZE64 ioctl; sysfs gives the size in 512-byte sectors. */
async function blockDeviceSize(rdev: bigint): Promise<number> {
  const { major, minor } = devMajorMinor(rdev);
  const text = await fsp.readFile(`/sys/dev/block/${major}:${minor}/size`, 'utf8');
  const sectors = Number.parseInt(text.trim(), 10);
  if (!Number.isSafeInteger(sectors) || sectors <= 0) throw new Error(`cannot read the size of block device ${major}:${minor}`);
  return sectors * 512;
}

function isErrno(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === code;
}

function ioError(op: string, path: string, err: NodeJS.ErrnoException): BlockIoError {
  const errno = err.code === 'ENOSPC' ? ERRNO.ENOSPC : ERRNO.EIO;
  return new BlockIoError(errno, `${op} ${path}: ${errorMessage(err)}`, { cause: err });
}
