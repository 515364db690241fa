/**
 * A host whose NICs, mounts and power are a JSON file in the data directory: the demo and the tests run several
 * "servers" on one machine. The file survives `kill -9` of the agent, as a real VIP survives on a real NIC, so a
 * restarted agent's probe finds what it left behind. Scripts run for real.
 */
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { Host, ScriptResult } from './host.js';
import { runScriptFile } from './run-script.js';

interface SimState {
  addresses: { ip: string; nic: string }[];
  mounts: Record<string, string>;
  events: { time: number; what: string }[];
}

export class SimulatedHost implements Host {
  readonly kind = 'simulated';
  private readonly file: string;

  constructor(private readonly dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.file = path.join(dataDir, 'simulated-host.json');
  }

  private read(): SimState {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as Partial<SimState>;
      return { addresses: parsed.addresses ?? [], mounts: parsed.mounts ?? {}, events: parsed.events ?? [] };
    } catch {
      return { addresses: [], mounts: {}, events: [] };
    }
  }

  private write(s: SimState): void {
    s.events = s.events.slice(-200);
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(s, null, 1));
    renameSync(tmp, this.file);
  }

  private record(s: SimState, what: string): void {
    s.events.push({ time: Date.now(), what });
  }

  /** What the simulated host holds (tests and the demo's status read it). */
  snapshot(): SimState {
    return this.read();
  }

  async addAddress(ip: string, opts: { nic?: string | undefined; nearIp?: string | undefined }): Promise<void> {
    const s = this.read();
    if (!s.addresses.some((a) => a.ip === ip)) {
      const nic = opts.nic ?? 'eth0';
      s.addresses.push({ ip, nic });
      this.record(s, `ip addr add ${ip}/32 dev ${nic}`);
      this.write(s);
    }
  }

  async removeAddress(ip: string): Promise<void> {
    const s = this.read();
    const had = s.addresses.find((a) => a.ip === ip);
    if (had) {
      s.addresses = s.addresses.filter((a) => a.ip !== ip);
      this.record(s, `ip addr del ${ip}/32 dev ${had.nic}`);
      this.write(s);
    }
  }

  async hasAddress(ip: string): Promise<boolean> {
    return this.read().addresses.some((a) => a.ip === ip);
  }

  runScript(name: string, script: string, env: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<ScriptResult> {
    return runScriptFile(path.join(this.dataDir, 'scripts'), name, script, env, timeoutMs, signal);
  }

  devicePath(p: string): string {
    if (!p.startsWith('/dev/')) return p;
    return path.join(this.dataDir, 'devices', `${p.slice(5).replace(/\//g, '_')}.img`);
  }

  async canAttachBlockDevices(): Promise<boolean> {
    return false;
  }

  attachNbd(): Promise<string> {
    return Promise.reject(new Error('a simulated host has no block devices; the NBD export itself is the device'));
  }

  async detachNbd(): Promise<void> {
    /* nothing attached */
  }

  async ensureFileSystem(): Promise<boolean> {
    return false;
  }

  async mount(device: string, mountPoint: string): Promise<void> {
    const s = this.read();
    s.mounts[mountPoint] = device;
    this.record(s, `mount ${device} ${mountPoint}`);
    this.write(s);
  }

  async unmount(mountPoint: string): Promise<void> {
    const s = this.read();
    if (s.mounts[mountPoint]) {
      delete s.mounts[mountPoint];
      this.record(s, `umount ${mountPoint}`);
      this.write(s);
    }
  }

  async isMounted(mountPoint: string): Promise<boolean> {
    return mountPoint in this.read().mounts;
  }

  async shutdown(): Promise<void> {
    const s = this.read();
    this.record(s, 'shutdown (simulated: the cluster service stopped, the agent stays up)');
    this.write(s);
  }

  async reboot(): Promise<void> {
    const s = this.read();
    this.record(s, 'reboot (simulated: the cluster service stopped, the agent stays up)');
    this.write(s);
  }
}

/** Creates the simulated host's directory for devices (file-backed partitions of mirror disks). */
export function ensureDeviceDir(dataDir: string): void {
  mkdirSync(path.join(dataDir, 'devices'), { recursive: true });
}
