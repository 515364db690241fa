/**
 * The Cluster WebUI's bundle: the total of apps/webui/dist, and its JavaScript and CSS raw and gzipped (level 9,
 * as a web server would serve them pre-compressed). Builds the WebUI first when dist is missing.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { REPO } from '../harness/cluster.js';
import { figure } from './figures.js';
import type { Figure } from './figures.js';

const DIST = path.join(REPO, 'apps', 'webui', 'dist');

export interface WebuiResult {
  figures: Figure[];
  details: { built: boolean; builtAt: string | null; files: { file: string; bytes: number; gzipBytes: number | null }[] };
  errors: string[];
}

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

function build(log: (line: string) => void): Promise<{ ok: boolean; output: string }> {
  log('webui: apps/webui/dist is missing; building it (pnpm --filter @kumo/webui run build)');
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['--filter', '@kumo/webui', 'run', 'build'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (d: Buffer) => {
      output = (output + d.toString('utf8')).slice(-4000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (e) => resolve({ ok: false, output: e.message }));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

export async function benchWebui(log: (line: string) => void): Promise<WebuiResult> {
  let built = false;
  if (!existsSync(path.join(DIST, 'index.html'))) {
    const r = await build(log);
    if (!r.ok) return { figures: [], details: { built: false, builtAt: null, files: [] }, errors: [`webui: the build failed:\n${r.output}`] };
    built = true;
  }
  const files = walk(DIST).map((f) => {
    const bytes = statSync(f).size;
    const compressible = /\.(js|css|html|svg|json)$/.test(f);
    return { file: path.relative(DIST, f), bytes, gzipBytes: compressible ? gzipSync(readFileSync(f), { level: 9 }).length : null };
  });
  const kib = (n: number) => n / 1024;
  const sum = (ext: string, key: 'bytes' | 'gzipBytes') => files.filter((f) => f.file.endsWith(ext)).reduce((s, f) => s + (f[key] ?? 0), 0);
  const total = files.reduce((s, f) => s + f.bytes, 0);
  const builtAt = new Date(statSync(path.join(DIST, 'index.html')).mtimeMs).toISOString();
  const note = [`dist built ${built ? 'by this run' : 'before this run'} (${builtAt})`];
  return {
    figures: [
      figure('webui.total', 'WebUI bundle: apps/webui/dist total', 'KiB', [kib(total)], { notes: note }),
      figure('webui.js', 'WebUI JavaScript, raw', 'KiB', [kib(sum('.js', 'bytes'))]),
      figure('webui.js.gzip', 'WebUI JavaScript, gzip -9', 'KiB', [kib(sum('.js', 'gzipBytes'))]),
      figure('webui.css', 'WebUI CSS, raw', 'KiB', [kib(sum('.css', 'bytes'))]),
      figure('webui.css.gzip', 'WebUI CSS, gzip -9', 'KiB', [kib(sum('.css', 'gzipBytes'))]),
    ],
    details: { built, builtAt, files },
    errors: [],
  };
}
