/**
 * The real host: `ip`, `nbd-client`, `blkid`, `mkfs.*`, `mount`, `umount` and `systemctl`, each run with
 * `execFile` and an argument array — names from the config never reach a shell.
 */
import { execFile as execFileCb } from 'node:child_process';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Host, ScriptResult } from './host.js';
import { runScriptFile } from './run-script.js';

const execFile = promisify(execFileCb);

async function run(cmd: string, args: string[], signal?: AbortSignal): Promise<string> {
  try {
    const { stdout } = await execFile(cmd, args, { signal, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new Error(`${cmd} is not installed on this server; install it (Debian: apt-get install ${cmd === 'nbd-client' ? 'nbd-client' : 'iproute2'})`, { cause: e });
    throw new Error(`${cmd} ${args.join(' ')} failed: ${(err.stderr ?? err.message).trim()}`, { cause: e });
  }
}

interface IpAddrJson {
  ifname: string;
  addr_info?: { local: string; prefixlen: number }[];
}

export class LinuxHost implements Host {
  readonly kind = 'linux';

  constructor(private readonly dataDir: string) {}

  private async addresses(signal?: AbortSignal): Promise<IpAddrJson[]> {
    return JSON.parse(await run('ip', ['-j', 'addr', 'show'], signal)) as IpAddrJson[];
  }

  async addAddress(ip: string, opts: { nic?: string | undefined; nearIp?: string | undefined; signal?: AbortSignal }): Promise<void> {
    if (await this.hasAddress(ip, opts)) return;
    let nic = opts.nic;
    if (!nic && opts.nearIp) nic = (await this.addresses(opts.signal)).find((i) => i.addr_info?.some((a) => a.local === opts.nearIp))?.ifname;
    if (!nic) throw new Error(`no network interface holds ${opts.nearIp ?? 'the ENI address'}; set the NIC in the resource's tuning tab`);
    await run('ip', ['addr', 'add', `${ip}/32`, 'dev', nic], opts.signal);
  }

  async removeAddress(ip: string, opts: { signal?: AbortSignal } = {}): Promise<void> {
    for (const i of await this.addresses(opts.signal)) {
      if (i.addr_info?.some((a) => a.local === ip)) await run('ip', ['addr', 'del', `${ip}/32`, 'dev', i.ifname], opts.signal);
    }
  }

  async hasAddress(ip: string, opts: { signal?: AbortSignal } = {}): Promise<boolean> {
    return (await this.addresses(opts.signal)).some((i) => i.addr_info?.some((a) => a.local === ip));
  }

  runScript(name: string, script: string, env: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<ScriptResult> {
    return runScriptFile(path.join(this.dataDir, 'scripts'), name, script, env, timeoutMs, signal);
  }

  devicePath(p: string): string {
    return p;
  }

  async canAttachBlockDevices(): Promise<boolean> {
    try {
      await access('/dev/nbd0');
      await run('nbd-client', ['-h']).catch(() => '');
      return true;
    } catch {
      return false;
    }
  }

  async attachNbd(socketPath: string, exportName: string, signal?: AbortSignal): Promise<string> {
    for (let n = 0; n < 16; n += 1) {
      const device = `/dev/nbd${n}`;
      const size = await readFile(`/sys/block/nbd${n}/size`, 'utf8').catch(() => '');
      if (size.trim() !== '0') continue;
      await run('nbd-client', ['-unix', socketPath, device, '-N', exportName, '-b', '4096'], signal);
      return device;
    }
    throw new Error('no free /dev/nbdN device; load the module with more devices (modprobe nbd nbds_max=16)');
  }

  async detachNbd(device: string, signal?: AbortSignal): Promise<void> {
    await run('nbd-client', ['-d', device], signal);
  }

  async ensureFileSystem(device: string, fs: 'ext3' | 'ext4' | 'xfs', signal?: AbortSignal): Promise<boolean> {
    const existing = await run('blkid', ['-o', 'value', '-s', 'TYPE', device], signal).catch(() => '');
    if (existing.trim()) return false;
    await run(`mkfs.${fs}`, fs === 'xfs' ? ['-q', device] : ['-q', '-F', device], signal);
    return true;
  }

  async mount(device: string, mountPoint: string, fs: string, options: string, signal?: AbortSignal): Promise<void> {
    if (await this.isMounted(mountPoint)) return;
    await run('mount', ['-t', fs, '-o', options, device, mountPoint], signal);
  }

  async unmount(mountPoint: string, signal?: AbortSignal): Promise<void> {
    if (await this.isMounted(mountPoint)) await run('umount', [mountPoint], signal);
  }

  async isMounted(mountPoint: string): Promise<boolean> {
    const mounts = await readFile('/proc/self/mounts', 'utf8');
    return mounts.split('\n').some((l) => l.split(' ')[1] === mountPoint);
  }

  async shutdown(): Promise<void> {
    await run('systemctl', ['poweroff']);
  }

  async reboot(): Promise<void> {
    await run('systemctl', ['reboot']);
  }
}
