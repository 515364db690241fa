/**
 * The cluster key: 32 random bytes in a file copied to every server, as Corosync's authkey is. Every peer
 * message and heartbeat is authenticated with it; it never leaves the server and is never logged.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, readFile, writeFile } from 'node:fs/promises';

const HEADER = 'kumo-cluster-key-v1';

export class ClusterKey {
  private constructor(private readonly secret: Buffer) {}

  static generate(): ClusterKey {
    return new ClusterKey(randomBytes(32));
  }

  static fromBytes(bytes: Buffer): ClusterKey {
    if (bytes.length < 32) throw new Error('a cluster key must be at least 32 bytes');
    return new ClusterKey(Buffer.from(bytes));
  }

  /** Reads a key file; the error says what is wrong and how to make one. */
  static async load(file: string): Promise<ClusterKey> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'ENOENT'
          ? `cluster key file ${file} does not exist; create it once with "kumo-agent keygen --out ${file}" and copy it to every server`
          : `cannot read cluster key file ${file} (${code ?? String(e)}); check its permissions`,
        { cause: e },
      );
    }
    const [header, body] = text.trim().split(/\s+/);
    if (header !== HEADER || !body || !/^[0-9a-f]{64,}$/.test(body)) {
      throw new Error(`${file} is not a Kumo cluster key file; create one with "kumo-agent keygen --out ${file}"`);
    }
    return new ClusterKey(Buffer.from(body, 'hex'));
  }

  async save(file: string): Promise<void> {
    await writeFile(file, `${HEADER} ${this.secret.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(file, 0o600);
  }

  /** Raw bytes, for subsystems that derive their own keys (the mirror disk connect). */
  derive(purpose: string): Buffer {
    return createHmac('sha256', this.secret).update(`kumo-derive|${purpose}`).digest();
  }

  hmac(data: string | Buffer): string {
    return createHmac('sha256', this.secret).update(data).digest('hex');
  }

  verify(data: string | Buffer, mac: string): boolean {
    return safeEqualHex(this.hmac(data), mac);
  }

  toJSON(): string {
    return '[cluster key]';
  }
}

export function hmacHex(key: Buffer, data: string | Buffer): string {
  return createHmac('sha256', key).update(data).digest('hex');
}

export function safeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length || !/^[0-9a-f]*$/.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

export function nonce(): string {
  return randomBytes(32).toString('hex');
}
