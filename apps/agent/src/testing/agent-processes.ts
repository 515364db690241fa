/**
 * Test support: real `kumo-agent` processes on loopback addresses (each server its own 127.x.y.z, the real
 * ports), a shared cluster key, and clean-up of every process and directory. `kill()` is a real `kill -9`.
 * Used by the agent's integration tests; the e2e harness builds on it with the AWS emulator.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ClusterKey } from '../crypto/cluster-key.js';
import { AgentClient } from '../cli/client.js';
import { Sessions } from '../ui/sessions.js';

const AGENT_BIN = fileURLToPath(new URL('../../bin/kumo-agent.mjs', import.meta.url));

export interface AgentSpec {
  name: string;
  address: string;
  port?: number;
  hostMode?: 'linux' | 'simulated';
  env?: Record<string, string>;
  args?: string[];
}

export interface AgentProcess {
  spec: AgentSpec;
  dataDir: string;
  url: string;
  child: ChildProcess | null;
  output: string[];
}

export class AgentProcesses {
  readonly dir: string;
  readonly keyFile: string;
  readonly agents = new Map<string, AgentProcess>();
  private readonly clients: AgentClient[] = [];

  private constructor(dir: string) {
    this.dir = dir;
    this.keyFile = path.join(dir, 'cluster.key');
  }

  /** A set of agents sharing a new cluster key, in a temporary directory (or `dir`, emptied first). */
  static async create(prefix = 'kumo-it-', dir?: string): Promise<AgentProcesses> {
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } else dir = mkdtempSync(path.join(tmpdir(), prefix));
    const t = new AgentProcesses(dir);
    await ClusterKey.generate().save(t.keyFile);
    return t;
  }

  get(name: string): AgentProcess {
    const a = this.agents.get(name);
    if (!a) throw new Error(`no agent ${name}`);
    return a;
  }

  /** Starts (or restarts) an agent process and waits until it listens. */
  async start(spec: AgentSpec, opts: { keyFile?: string; timeoutMs?: number } = {}): Promise<AgentProcess> {
    const known = this.agents.get(spec.name);
    const dataDir = known?.dataDir ?? path.join(this.dir, spec.name);
    const port = spec.port ?? 29003;
    const url = `http://${spec.address}:${port}`;
    const proc: AgentProcess = known ?? { spec, dataDir, url, child: null, output: [] };
    proc.spec = spec;
    const args = [
      AGENT_BIN,
      '--data-dir', dataDir,
      '--name', spec.name,
      '--listen', `${spec.address}:${port}`,
      '--key', opts.keyFile ?? this.keyFile,
      '--host-mode', spec.hostMode ?? 'simulated',
      ...(spec.args ?? []),
    ];
    const child = spawn(process.execPath, args, {
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', KUMO_LOG_LEVEL: process.env['KUMO_TEST_LOG_LEVEL'] ?? 'warn', ...(spec.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.child = child;
    this.agents.set(spec.name, proc);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${spec.name} did not start within ${opts.timeoutMs ?? 60_000} ms:\n${proc.output.join('')}`)), opts.timeoutMs ?? 60_000);
      const onData = (d: Buffer) => {
        const text = d.toString('utf8');
        proc.output.push(text);
        if (proc.output.length > 500) proc.output.splice(0, 100);
        const ready = /\{"ready":true[^\n]*\}/.exec(text);
        if (ready) {
          const announced = (JSON.parse(ready[0]) as { url?: unknown }).url;
          if (typeof announced === 'string') proc.url = announced;
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', (d: Buffer) => {
        proc.output.push(d.toString('utf8'));
        if (proc.output.length > 500) proc.output.splice(0, 100);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${spec.name} exited with ${code}:\n${proc.output.join('')}`));
      });
    });
    child.removeAllListeners('exit');
    return proc;
  }

  /** `kill -9`: no cleanup, no goodbye, as a crash. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const a = this.get(name);
    const child = a.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
    });
    a.child = null;
  }

  async restart(name: string): Promise<AgentProcess> {
    await this.kill(name);
    return this.start(this.get(name).spec);
  }

  /** A client logged in as the local administrator (the CLI's token file). */
  async client(name: string): Promise<AgentClient> {
    const a = this.get(name);
    const c = await AgentClient.connect(a.url);
    this.clients.push(c);
    const token = await Sessions.readLocalToken(a.dataDir);
    await c.call('session.login', { localToken: token });
    return c;
  }

  async stop(): Promise<void> {
    for (const c of this.clients.splice(0)) c.close();
    await Promise.all([...this.agents.keys()].map((n) => this.kill(n)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Polls until `check` returns a value (not undefined/false), or fails with the last state after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last instanceof Error ? last.message : JSON.stringify(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
