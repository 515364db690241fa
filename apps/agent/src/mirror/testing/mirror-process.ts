/**
 * Drives standalone.ts in a child process, so that tests can `kill -9` a mirror node for real.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { StandaloneConfig } from '../standalone.js';
import type { MirrorDiskStatus, MirrorEvent } from '../types.js';
import { EventLog } from './harness.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const STANDALONE = path.join(here, '..', 'standalone.ts');
const REPO_ROOT = path.resolve(here, '../../../../..');

interface Reply {
  reply: string;
  ok: boolean;
  status?: MirrorDiskStatus;
  error?: { code: string; message: string };
}

export class MirrorProcess {
  readonly log = new EventLog();
  readonly child: ChildProcess;
  private readonly replies: Reply[] = [];
  private replyWaiters: (() => void)[] = [];
  private exited: Promise<number | null>;
  stderr = '';

  private constructor(child: ChildProcess) {
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
        for (const w of this.replyWaiters.splice(0)) w();
      });
    });
  }

  /** Starts a node and waits until it has opened its partitions (or failed to). */
  static async start(config: StandaloneConfig, timeoutMs = 20_000): Promise<MirrorProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', STANDALONE, JSON.stringify(config)], {
      cwd: REPO_ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const mp = new MirrorProcess(child);
    child.stderr?.on('data', (d: Buffer) => {
      mp.stderr += d.toString();
    });
    child.stdin?.on('error', () => undefined);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${config.localServer} did not start: ${mp.stderr}`));
      }, timeoutMs);
      const rl = readline.createInterface({ input: child.stdout });
      rl.on('line', (line) => {
        let msg: unknown;
        try {
          msg = JSON.parse(line);
        } catch {
          return;
        }
        if (typeof msg !== 'object' || msg === null) return;
        if ('event' in msg) mp.log.push((msg as { event: MirrorEvent }).event);
        else if ('reply' in msg) {
          mp.replies.push(msg as Reply);
          for (const w of mp.replyWaiters.splice(0)) w();
        } else if ('ready' in msg) {
          clearTimeout(timer);
          resolve();
        } else if ('fatal' in msg) {
          clearTimeout(timer);
          reject(new Error(`${config.localServer} failed to open: ${JSON.stringify((msg).fatal)}`));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${config.localServer} exited with ${code}: ${mp.stderr}`));
      });
    });
    try {
      await ready;
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    return mp;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends a command line and waits for its reply. */
  async command(cmd: string, timeoutMs = 15_000): Promise<Reply> {
    const from = this.replies.length;
    this.child.stdin?.write(`${cmd}\n`);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = this.replies.slice(from).find((x) => x.reply === cmd);
      if (r) return r;
      if (!this.alive) throw new Error(`node exited while waiting for "${cmd}"`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply to "${cmd}"`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.replyWaiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  async status(): Promise<MirrorDiskStatus> {
    const r = await this.command('status');
    if (!r.status) throw new Error('status reply without status');
    return r.status;
  }

  /** kill -9, then wait for the exit. */
  async kill9(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Clean close; falls back to SIGKILL. */
  async stop(timeoutMs = 5000): Promise<void> {
    if (!this.alive) return;
    this.child.stdin?.write('close\n');
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await this.exited;
    clearTimeout(t);
  }
}
