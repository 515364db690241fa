/**
 * Known data on a mirror disk, written and read through a server's NBD export with the Debian clients (qemu-io
 * over `nbd+unix://`). Each write has its own byte pattern at its own offset; only writes the client saw
 * acknowledged (qemu-io exited 0 after a flush) are promised, and `verify` reads every one of them back —
 * DRBD's protocol C promise: no acknowledged write is lost by a failover.
 */
import { execFile as execFileCb } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCb);

export interface Written {
  offset: number;
  length: number;
  pattern: number;
}

export function nbdUri(dataDir: string, disk = 'md'): string {
  return `nbd+unix:///${disk}?socket=${path.join(dataDir, 'md', `${disk}.sock`)}`;
}

export class MirrorData {
  readonly acknowledged: Written[] = [];
  readonly failed: Written[] = [];
  private next = 0;

  /** Region `index` of `length` bytes: the writes of a scenario never overlap. */
  constructor(private readonly length = 64 * 1024, private readonly base = 1024 * 1024) {}

  /** Writes the next region through `dataDir`'s export; true when acknowledged. */
  async write(dataDir: string, timeoutMs = 15_000): Promise<boolean> {
    const w: Written = { offset: this.base + this.next * this.length, length: this.length, pattern: 0x11 + (this.next % 200) };
    this.next += 1;
    try {
      await execFile('qemu-io', ['-f', 'raw', '-t', 'none', nbdUri(dataDir), '-c', `write -P ${w.pattern} ${w.offset} ${w.length}`, '-c', 'flush'], { timeout: timeoutMs });
      this.acknowledged.push(w);
      return true;
    } catch {
      this.failed.push(w);
      return false;
    }
  }

  async writeMany(dataDir: string, n: number): Promise<number> {
    let ok = 0;
    for (let i = 0; i < n; i += 1) if (await this.write(dataDir)) ok += 1;
    return ok;
  }

  /** Reads every acknowledged write back through `dataDir`'s export; the problems, or [] when all is there. */
  async verify(dataDir: string): Promise<string[]> {
    if (this.acknowledged.length === 0) return [];
    const args = ['-f', 'raw', '-t', 'none', '-r', nbdUri(dataDir)];
    for (const w of this.acknowledged) args.push('-c', `read -P ${w.pattern} ${w.offset} ${w.length}`);
    try {
      const { stdout } = await execFile('qemu-io', args, { timeout: 30_000 });
      return stdout.includes('Pattern verification failed') ? stdout.split('\n').filter((l) => l.includes('failed')) : [];
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string; message: string };
      const lines = `${err.stdout ?? ''}\n${err.stderr ?? ''}`.split('\n').filter((l) => /fail|error|cannot|refused/i.test(l));
      return lines.length > 0 ? lines.slice(0, 5) : [err.message];
    }
  }
}

/** SHA-256 of a whole export (to prove that nothing changed it). */
export async function exportHash(dataDir: string): Promise<string> {
  const { stdout } = await execFile('sh', ['-c', 'nbdcopy "$1" - | sha256sum', 'sh', nbdUri(dataDir)], { timeout: 60_000 });
  return stdout.split(' ')[0] ?? '';
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}
