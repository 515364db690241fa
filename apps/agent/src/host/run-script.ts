/** Runs a config script as a file with /bin/sh by argument array; a deadline kills its whole process group. */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ScriptResult } from './host.js';

const MAX_OUTPUT = 64 * 1024;

export async function runScriptFile(
  dir: string,
  name: string,
  script: string,
  env: Record<string, string>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ScriptResult> {
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, `${safe}.sh`);
  await writeFile(file, script, { mode: 0o700 });
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', [file], {
      env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = () => {
      timedOut = true;
      kill();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < MAX_OUTPUT) stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < MAX_OUTPUT) stderr += d.toString('utf8');
    });
    const finish = (code: number | null, sig: string | null) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({ code, signal: sig, stdout, stderr, timedOut });
    };
    child.on('error', (e) => {
      stderr += e.message;
      finish(127, null);
    });
    child.on('close', (code, sig) => finish(code, sig));
  });
}
