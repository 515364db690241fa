/**
 * Everything the agent does to its own server goes through `Host` (DESIGN §4): addresses on NICs, scripts,
 * block devices and mounts, shutdown. `LinuxHost` does it for real with `execFile` and argument arrays (never a
 * shell string); `SimulatedHost` records it in a file in the data directory, so that — like a real host's VIP —
 * it survives the agent being killed, and the demo and tests can run many servers on one machine.
 */
export interface ScriptResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Host {
  readonly kind: 'linux' | 'simulated';
  /** Adds `ip/32` to a NIC (the one named, or the one holding `nearIp`). Idempotent. */
  addAddress(ip: string, opts: { nic?: string | undefined; nearIp?: string | undefined; signal?: AbortSignal }): Promise<void>;
  /** Removes `ip` from whichever NIC has it. Idempotent. */
  removeAddress(ip: string, opts?: { signal?: AbortSignal }): Promise<void>;
  hasAddress(ip: string, opts?: { signal?: AbortSignal }): Promise<boolean>;
  /**
   * Runs a script from the config (written to a file in the data directory, executed with /bin/sh by argument
   * array) with the given environment. A timeout kills its whole process group.
   */
  runScript(name: string, script: string, env: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<ScriptResult>;
  /** Resolves a configured device path to what the agent opens (a simulated host maps /dev/... to files). */
  devicePath(path: string): string;
  /** Whether this host can attach an NBD export as a block device and mount it. */
  canAttachBlockDevices(): Promise<boolean>;
  /** Attach an NBD unix-socket export as a block device; returns the device (e.g. /dev/nbd0). */
  attachNbd(socketPath: string, exportName: string, signal?: AbortSignal): Promise<string>;
  detachNbd(device: string, signal?: AbortSignal): Promise<void>;
  /** Makes a file system when the device has none (never formats existing data). Returns whether it made one. */
  ensureFileSystem(device: string, fs: 'ext3' | 'ext4' | 'xfs', signal?: AbortSignal): Promise<boolean>;
  mount(device: string, mountPoint: string, fs: string, options: string, signal?: AbortSignal): Promise<void>;
  unmount(mountPoint: string, signal?: AbortSignal): Promise<void>;
  isMounted(mountPoint: string): Promise<boolean>;
  /** Final actions and the isolation action. A simulated host only records them. */
  shutdown(): Promise<void>;
  reboot(): Promise<void>;
}
