/**
 * The mirror's NBD export against the Debian clients: libnbd (nbdinfo, nbdcopy, nbdsh, fio's nbd engine)
 * and qemu (qemu-io, qemu-img). Runs on an in-process mirror pair, so every write below also goes to the
 * standby, and the two data files must end identical. Loopback 127.0.3.10-11.
 */
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NbdServer } from './nbd-server.js';
import { MiB, type Pair, filesIdentical, makeTempDir, nbdUri, openPair, randomFile, runTool, waitFor } from './testing/harness.js';
import { NbdTestClient } from './testing/nbd-test-client.js';

const SIZE = 32 * MiB;
let dir: string;
let pair: Pair;
let uri: string;
let sock: string;

beforeAll(async () => {
  dir = await makeTempDir('nbd');
  pair = await openPair({ dir, net: '127.0.3', n: 10, sizeBytes: SIZE, params: { initialCopy: false } });
  await waitFor(() => pair.a.status().mirrorState === 'normal', 'mirror normal');
  await pair.a.promote();
  sock = pair.layout.a.nbdSocketPath;
  uri = nbdUri(sock);
}, 20_000);

afterAll(async () => {
  try {
    await (pair as Pair | undefined)?.close();
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
});

describe('NBD export with the Debian clients', { timeout: 30_000 }, () => {
  it('nbdinfo reports the export and its flags; --list names it', async () => {
    const info = await runTool('nbdinfo', [uri]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toContain(`export-size: ${SIZE}`);
    for (const flag of ['can_flush: true', 'can_fua: true', 'can_trim: true', 'can_zero: true', 'can_multi_conn: true', 'is_read_only: false']) {
      expect(info.stdout).toContain(flag);
    }
    const list = await runTool('nbdinfo', ['--list', uri]);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toContain('export="md1"');
    const json = await runTool('nbdinfo', ['--json', 'nbd+unix:///md1?socket=' + sock]);
    expect(json.code, json.stderr).toBe(0);
  });

  it('qemu-io writes and reads patterns, FUA, write-zeroes, flush and discard', async () => {
    const r = await runTool('qemu-io', [
      '-f', 'raw',
      '-c', 'write -P 0xab 0 1M',
      '-c', 'read -P 0xab 0 1M',
      '-c', 'write -z 1M 1M',
      '-c', 'read -P 0 1M 1M',
      '-c', 'write -P 0x5c 2M 4k',
      '-c', 'read -P 0x5c 2M 4k',
      '-c', 'flush',
      '-c', 'discard 4M 64k',
      uri,
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/verification failed|error/i);
    const fua = await runTool('qemu-io', [
      '--image-opts',
      '-c', 'write -P 0xcd -f 3M 64k',
      '-c', 'read -P 0xcd 3M 64k',
      `driver=nbd,server.type=unix,server.path=${sock}`,
    ]);
    expect(fua.code, fua.stdout + fua.stderr).toBe(0);
    expect(fua.stdout).not.toMatch(/verification failed/i);
    const c = pair.a.status().counters;
    expect(c.fuaWrites).toBeGreaterThan(0);
    expect(c.zeroWrites).toBeGreaterThan(0);
    expect(c.flushes).toBeGreaterThan(0);
    expect(c.trims).toBeGreaterThan(0);
  });

  it('nbdcopy round-trips 8 MiB and qemu-img compares it identical', async () => {
    const src = path.join(dir, 'src.img');
    const back = path.join(dir, 'back.img');
    await randomFile(src, 8 * MiB);
    await fsp.truncate(src, SIZE);
    const put = await runTool('nbdcopy', ['--flush', src, uri]);
    expect(put.code, put.stderr).toBe(0);
    const get = await runTool('nbdcopy', [uri, back]);
    expect(get.code, get.stderr).toBe(0);
    expect(await filesIdentical(src, back)).toBe(true);
    const cmp = await runTool('qemu-img', ['compare', '-f', 'raw', '-F', 'raw', src, uri]);
    expect(cmp.stdout).toContain('Images are identical');
    const info = await runTool('qemu-img', ['info', '-f', 'raw', uri]);
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/virtual size: 32 MiB/);
  });

  it('nbdsh writes and reads through libnbd', async () => {
    const r = await runTool('nbdsh', ['-u', uri, '-c', 'h.pwrite(b"mirror-disk!" * 4, 12288)', '-c', 'print(h.pread(12, 12288 + 12))', '-c', 'h.flush()']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("b'mirror-disk!'");
  });

  it("fio's nbd engine runs random writes (no timing asserted)", async () => {
    const r = await runTool('fio', [
      '--name=conformance', '--ioengine=nbd', `--uri=${uri}`, '--rw=randwrite', '--bs=4k', '--iodepth=8',
      '--size=8M', '--offset=16M', '--runtime=1', '--time_based', '--output-format=json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const parsed = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { jobs: { error: number; write: { total_ios: number } }[] };
    expect(parsed.jobs[0]?.error).toBe(0);
    expect(parsed.jobs[0]?.write.total_ios).toBeGreaterThan(0);
  });

  it('survives clients that vanish mid-request, send garbage or stop halfway', async () => {
    const c = await NbdTestClient.connect(sock);
    const inflight = Array.from({ length: 64 }, (_, i) => c.write(24 * MiB + i * 4096, Buffer.alloc(4096, i)).catch(() => undefined));
    c.destroy();
    await Promise.all(inflight);
    // Half a request header, then gone.
    const half = net.connect(sock);
    half.on('error', () => undefined);
    await new Promise((r) => half.once('connect', r));
    half.write(Buffer.concat([Buffer.from('00000003', 'hex'), Buffer.from('IHAVEOPT'), Buffer.alloc(4)]));
    half.destroy();
    // Garbage right away.
    const junk = net.connect(sock);
    junk.on('error', () => undefined);
    junk.resume();
    junk.write(Buffer.alloc(100, 0x41));
    await new Promise((r) => junk.once('close', r));
    // A client after a GO that sends a bad request magic, and one that just disconnects.
    const bad = await NbdTestClient.connect(sock);
    bad.rawWrite(Buffer.alloc(28, 0x77));
    await bad.read(0, 512).catch(() => undefined);
    const polite = await NbdTestClient.connect(sock);
    await polite.write(0, Buffer.alloc(512, 1));
    await polite.disconnect();
    // Still serving.
    const info = await runTool('nbdinfo', [uri]);
    expect(info.code).toBe(0);
  });

  it('left both data partitions identical', async () => {
    const r = await runTool('nbdsh', ['-u', uri, '-c', 'h.flush()']);
    expect(r.code).toBe(0);
    await waitFor(async () => filesIdentical(pair.layout.a.dataPath, pair.layout.b.dataPath), 'identical data partitions', 5000, 100);
    expect(pair.a.status().counters.localOnlyWrites).toBe(0);
  });
});

describe('a server that refuses to export (the standby)', { timeout: 20_000 }, () => {
  it('answers GO with ERR_POLICY and a message, and closes on EXPORT_NAME', async () => {
    const refusing = path.join(dir, 'standby.sock');
    const server = new NbdServer({
      exportName: 'md1',
      backend: {
        size: 1 * MiB,
        exportRefusal: () => 'md1: srv2 is not the active server for this mirror disk',
        read: () => Promise.reject(new Error('no')),
        write: () => Promise.reject(new Error('no')),
        writeZeroes: () => Promise.reject(new Error('no')),
        trim: () => Promise.reject(new Error('no')),
        flush: () => Promise.reject(new Error('no')),
      },
    });
    await server.listen({ path: refusing });
    try {
      const info = await runTool('nbdinfo', [nbdUri(refusing)]);
      expect(info.code).not.toBe(0); // libnbd 1.14 does not print the server's message; qemu does
      const io = await runTool('qemu-io', ['-f', 'raw', '-c', 'read 0 4k', nbdUri(refusing)]);
      expect(io.code).not.toBe(0);
      expect(io.stderr).toMatch(/Denied by server[\s\S]*not the active server/);
      // Old-style EXPORT_NAME has no error reply: the server must hang up.
      const s = net.connect(refusing);
      s.on('error', () => undefined);
      await new Promise((r) => s.once('connect', r));
      const name = Buffer.from('md1');
      const opt = Buffer.alloc(4 + 16);
      opt.writeUInt32BE(1, 0); // client flags: fixed newstyle
      opt.write('IHAVEOPT', 4, 'ascii');
      opt.writeUInt32BE(1, 12); // NBD_OPT_EXPORT_NAME
      opt.writeUInt32BE(name.length, 16);
      s.write(Buffer.concat([opt, name]));
      let got = 0;
      s.on('data', (d: Buffer) => {
        got += d.length;
      });
      await new Promise((r) => s.once('close', r));
      expect(got).toBe(18); // the greeting, then nothing
    } finally {
      await server.stop();
    }
  });

  it('the mirror standby has no export socket, and a demoted primary removes its own', async () => {
    await expect(fsp.stat(pair.layout.b.nbdSocketPath)).rejects.toThrow();
    const other = await makeTempDir('nbd2');
    const p = await openPair({ dir: other, net: '127.0.3', n: 20, sizeBytes: 4 * MiB, params: { initialCopy: false } });
    try {
      await waitFor(() => p.a.status().mirrorState === 'normal', 'normal');
      await p.a.promote();
      const before = await runTool('nbdinfo', [nbdUri(p.layout.a.nbdSocketPath)]);
      expect(before.code).toBe(0);
      await p.a.demote();
      await expect(fsp.stat(p.layout.a.nbdSocketPath)).rejects.toThrow();
    } finally {
      await p.close();
      await fsp.rm(other, { recursive: true, force: true });
    }
  });
});
