#!/usr/bin/env node
/**
 * The entry point of Kumo's quick-start commands, runnable on a machine that has only Node 20 and npm:
 *
 *   npm test            install what is missing, then run every suite and print `N passed, N failed, N skipped`
 *   npm test -- unit    run only some suites (lint, typecheck, unit, build, e2e, faults)
 *   npm run demo        install what is missing, then start the demo cluster (pnpm demo does the same)
 *   npm run bench       install what is missing, then run the benchmarks into bench/results.json
 *
 * Plain JavaScript on purpose: it runs before TypeScript tooling is installed. Every step is idempotent, so a
 * second run costs a few hundred milliseconds before the real work starts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PNPM_VERSION = '12.4.2';

/** Debian packages the tests drive as real peers: a browser, NBD clients, fio, DNS tools, namespaces. */
const TEST_PACKAGES = [
  ['chromium', '/usr/bin/chromium'],
  ['qemu-utils', '/usr/bin/qemu-img'],
  ['libnbd-bin', '/usr/bin/nbdinfo'],
  ['python3-libnbd', '/usr/lib/python3/dist-packages/nbd.py'],
  ['fio', '/usr/bin/fio'],
  ['nbdkit', '/usr/bin/nbdkit'],
  ['bind9-dnsutils', '/usr/bin/dig'],
  ['iproute2', '/usr/sbin/ip'],
  ['nftables', '/usr/sbin/nft'],
];

function log(msg) {
  process.stderr.write(`[kumo] ${msg}\n`);
}

function die(msg) {
  log(msg);
  process.exit(2);
}

function env() {
  const e = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  // pnpm 12 ignores nodedir in .npmrc; without it node-gyp tries to download headers (stack-notes §1.7).
  if (!e.npm_config_nodedir && existsSync('/usr/include/node/node.h')) e.npm_config_nodedir = '/usr';
  return e;
}

function pnpmVersion() {
  const r = spawnSync('pnpm', ['-v'], { encoding: 'utf8', env: env() });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

function ensurePnpm() {
  const v = pnpmVersion();
  if (v === PNPM_VERSION) return;
  log(`installing pnpm ${PNPM_VERSION} (found ${v ?? 'none'}) with npm`);
  const r = spawnSync('npm', ['install', '-g', `pnpm@${PNPM_VERSION}`], { stdio: 'inherit', env: env() });
  if (r.status !== 0 || pnpmVersion() !== PNPM_VERSION) {
    die(`could not install pnpm ${PNPM_VERSION}; run "npm install -g pnpm@${PNPM_VERSION}" and try again`);
  }
}

function ensureDeps() {
  const marker = path.join(root, 'node_modules', '.modules.yaml');
  const lock = path.join(root, 'pnpm-lock.yaml');
  if (existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs) return;
  log('installing dependencies (pnpm install --frozen-lockfile; the first time compiles better-sqlite3)');
  const r = spawnSync('pnpm', ['install', '--frozen-lockfile'], { cwd: root, stdio: 'inherit', env: env() });
  if (r.status !== 0) die('pnpm install failed; see the messages above');
}

function ensureSystemPackages(packages) {
  const missing = packages.filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !existsSync('/usr/bin/apt-get')) {
    die(`missing Debian packages: ${missing.join(' ')}; install them with "sudo apt-get install -y ${missing.join(' ')}"`);
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const aptEnv = { ...env(), DEBIAN_FRONTEND: 'noninteractive' };
  if (spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env: aptEnv }).status !== 0) die('apt-get update failed');
  const r = spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env: aptEnv });
  if (r.status !== 0) die(`apt-get install ${missing.join(' ')} failed`);
}

/** Runs one command; resolves with its exit code. Kills the whole process group at the deadline. */
function run(cmd, args, { timeoutMs, extraEnv = {} } = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: root, stdio: 'inherit', env: { ...env(), ...extraEnv }, detached: true });
    const forward = (sig) => () => {
      try {
        process.kill(-child.pid, sig);
      } catch {
        /* already gone */
      }
    };
    const onInt = forward('SIGINT');
    const onTerm = forward('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    const timer = timeoutMs
      ? setTimeout(() => {
          log(`${cmd} ${args.join(' ')} exceeded ${Math.round(timeoutMs / 1000)} s; stopping it`);
          forward('SIGKILL')();
        }, timeoutMs)
      : undefined;
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

const SUITES = {
  lint: { kind: 'check', cmd: ['pnpm', ['run', 'lint']], timeoutMs: 10 * 60_000 },
  typecheck: { kind: 'check', cmd: ['pnpm', ['run', 'typecheck']], timeoutMs: 10 * 60_000 },
  unit: { kind: 'counted', cmd: ['pnpm', ['exec', 'vitest', 'run']], timeoutMs: 25 * 60_000 },
  build: { kind: 'check', cmd: ['pnpm', ['run', 'build']], timeoutMs: 5 * 60_000 },
  e2e: { kind: 'counted', cmd: ['pnpm', ['run', 'test:e2e']], timeoutMs: 25 * 60_000 },
  faults: { kind: 'counted', cmd: ['pnpm', ['run', 'test:faults']], timeoutMs: 25 * 60_000 },
};

async function test(selected) {
  const names = selected.length > 0 ? selected : Object.keys(SUITES);
  for (const n of names) if (!SUITES[n]) die(`unknown suite "${n}"; choose from ${Object.keys(SUITES).join(', ')}`);
  ensurePnpm();
  ensureDeps();
  ensureSystemPackages(TEST_PACKAGES);
  const dir = mkdtempSync(path.join(tmpdir(), 'kumo-test-'));
  const total = { passed: 0, failed: 0, skipped: 0 };
  const lines = [];
  try {
    for (const name of names) {
      const suite = SUITES[name];
      const summaryFile = path.join(dir, `${name}.json`);
      log(`suite ${name}: ${suite.cmd[0]} ${suite.cmd[1].join(' ')}`);
      const started = Date.now();
      const code = await run(suite.cmd[0], suite.cmd[1], {
        timeoutMs: suite.timeoutMs,
        extraEnv: { KUMO_SUMMARY_FILE: summaryFile },
      });
      let counts;
      if (suite.kind === 'counted' && existsSync(summaryFile)) {
        counts = JSON.parse(readFileSync(summaryFile, 'utf8'));
        // A runner that crashed after writing its counts still failed.
        if (code !== 0 && counts.failed === 0) counts.failed = 1;
      } else {
        counts = { passed: code === 0 ? 1 : 0, failed: code === 0 ? 0 : 1, skipped: 0 };
      }
      total.passed += counts.passed;
      total.failed += counts.failed;
      total.skipped += counts.skipped;
      const secs = ((Date.now() - started) / 1000).toFixed(0);
      lines.push(`  ${name.padEnd(10)} ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped (${secs} s)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(`\nKumo test summary\n${lines.join('\n')}\n`);
  process.stdout.write(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`);
  process.exit(total.failed > 0 ? 1 : 0);
}

async function tsEntry(file, args, packages) {
  ensurePnpm();
  ensureDeps();
  if (packages) ensureSystemPackages(packages);
  const code = await run(process.execPath, ['--import', 'tsx', file, ...args]);
  process.exit(code);
}

const [command, ...rest] = process.argv.slice(2);
switch (command) {
  case 'test':
    await test(rest);
    break;
  case 'demo':
    await tsEntry('e2e/demo/main.ts', rest);
    break;
  case 'bench':
    await tsEntry('e2e/bench/main.ts', rest, TEST_PACKAGES.filter(([p]) => p !== 'chromium'));
    break;
  case 'setup':
    ensurePnpm();
    ensureDeps();
    ensureSystemPackages(TEST_PACKAGES);
    break;
  default:
    die('usage: node tools/dev.mjs test [suite...] | demo [--config vip|eip|dns] | bench | setup');
}
