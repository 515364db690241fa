/**
 * `kumo`: the administrator's CLI, talking to the local agent (CLUSTERPRO's clpstat, clpcl, clpgrp, clprsc,
 * clpmonctrl, clpcfctrl, clpmdstat/clpmdctrl). Human output by default, `--json` for scripts.
 *
 * Exit codes: 0 done; 1 the agent refused or the operation failed (the message says why); 2 usage error;
 * 3 the agent could not be reached.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ConfigError, MethodName, MethodParams } from '@kumo/shared';
import { Sessions } from '../ui/sessions.js';
import { AgentClient, AgentRequestError } from './client.js';
import { renderAlert, renderConfigErrors, renderStatus, word } from './render.js';

const USAGE = `usage: kumo [--server URL] [--data-dir DIR] [--password P] [--json] COMMAND
  status                                   the cluster, servers, heartbeats, groups, monitors, mirror disks
  config validate FILE | apply FILE [--operation-password P] [--reference-password P] | get
  alerts [--follow] [--limit N] [--server S] [--level info|warning|error] [--module M]
  cluster start|stop|suspend|resume [SERVER...]
  group start|stop|move NAME [SERVER]
  resource start|stop NAME [SERVER]
  monitor suspend|resume [NAME]  |  monitor dummy on|off NAME [SERVER]
  md status [NAME] | recover NAME | force NAME SERVER | break NAME [SERVER]`;

class UsageError extends Error {}

/** A running demo (`pnpm demo`) leaves its address in .kumo/demo.json, so `pnpm kumo status` finds it. */
function demo(): { url: string; dataDir: string } | undefined {
  try {
    const d = JSON.parse(readFileSync(path.join(process.cwd(), '.kumo', 'demo.json'), 'utf8')) as { url?: unknown; dataDir?: unknown };
    return typeof d.url === 'string' && typeof d.dataDir === 'string' ? { url: d.url, dataDir: d.dataDir } : undefined;
  } catch {
    return undefined;
  }
}

async function connect(values: { server?: string | undefined; 'data-dir'?: string | undefined; password?: string | undefined }): Promise<AgentClient> {
  const found = values.server === undefined && process.env['KUMO_SERVER_URL'] === undefined ? demo() : undefined;
  const url = values.server ?? process.env['KUMO_SERVER_URL'] ?? found?.url ?? 'http://127.0.0.1:29003';
  let client: AgentClient;
  try {
    client = await AgentClient.connect(url);
  } catch (e) {
    process.stderr.write(`kumo: cannot reach the agent at ${url} (${e instanceof Error ? e.message : String(e)}); is kumo-agent running? Use --server URL for another address.\n`);
    process.exit(3);
  }
  if (values.password !== undefined) {
    await client.call('session.login', { password: values.password });
    return client;
  }
  const dataDir = values['data-dir'] ?? process.env['KUMO_DATA_DIR'] ?? found?.dataDir ?? '/var/lib/kumo';
  const token = await Sessions.readLocalToken(dataDir).catch(() => undefined);
  if (token) await client.call('session.login', { localToken: token }).catch(() => undefined);
  return client;
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      server: { type: 'string' },
      'data-dir': { type: 'string' },
      password: { type: 'string' },
      json: { type: 'boolean' },
      follow: { type: 'boolean' },
      limit: { type: 'string' },
      level: { type: 'string' },
      module: { type: 'string' },
      'operation-password': { type: 'string' },
      'reference-password': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [cmd, sub, ...args] = positionals;
  if (values.help || !cmd) {
    process.stdout.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const json = values.json === true;
  const out = (human: string, data: unknown) => process.stdout.write(`${json ? JSON.stringify(data, null, 2) : human}\n`);
  const client = await connect(values);
  const call = <M extends MethodName>(m: M, p: MethodParams<M>) => client.call(m, p, 35 * 60_000);
  try {
    switch (cmd) {
      case 'status': {
        const s = await call('status.get', {});
        out(renderStatus(s), s);
        return 0;
      }
      case 'config': {
        if (sub === 'get') {
          const doc = await call('config.get', {});
          process.stdout.write(`${JSON.stringify(json ? doc : doc.config, null, 2)}\n`);
          return 0;
        }
        const file = args[0];
        if ((sub !== 'validate' && sub !== 'apply') || !file) throw new UsageError('config validate FILE | config apply FILE | config get');
        let config: unknown;
        try {
          config = JSON.parse(await readFile(file, 'utf8'));
        } catch (e) {
          throw new UsageError(`cannot read ${file} as JSON: ${e instanceof Error ? e.message : String(e)}`);
        }
        if (sub === 'validate') {
          const r = await call('config.validate', { config });
          out(r.ok ? `${file}: the configuration is valid` : `${file}: ${r.errors.length} error(s)\n${renderConfigErrors(r.errors)}`, r);
          return r.ok ? 0 : 1;
        }
        const passwords = {
          ...(values['operation-password'] !== undefined ? { operation: values['operation-password'] } : {}),
          ...(values['reference-password'] !== undefined ? { reference: values['reference-password'] } : {}),
        };
        const r = await call('config.apply', { config, ...(Object.keys(passwords).length > 0 ? { passwords } : {}) });
        const needs = { nothing: 'nothing more is needed', 'suspend-resume': 'suspend and resume the cluster for it to take effect', 'restart-groups': 'stop and start the changed groups for it to take effect', 'restart-cluster': 'restart the cluster for it to take effect' }[r.requires];
        out(r.outcome === 'unchanged' ? `nothing to apply: every server already has configuration version ${r.version}` : `The configuration was applied successfully (version ${r.version}); ${needs}.\n${r.servers.map((s) => `  ${s.server}: ${s.message}`).join('\n')}`, r);
        return 0;
      }
      case 'alerts': {
        const limit = values.limit ? Number(values.limit) : 50;
        const level = values.level as 'info' | 'warning' | 'error' | undefined;
        const q = { limit, ...(args[0] ? { server: args[0] } : {}), ...(level ? { level } : {}), ...(values.module ? { module: values.module } : {}) };
        const r = await call('alerts.query', q);
        const entries = [...r.entries].reverse();
        out(entries.map(renderAlert).join('\n'), entries);
        if (!values.follow) return 0;
        client.onEvent((e) => {
          if (e.event === 'alert') process.stdout.write(`${json ? JSON.stringify(e.data) : renderAlert(e.data)}\n`);
        });
        await new Promise(() => undefined);
        return 0;
      }
      case 'cluster': {
        const map = { start: 'cluster.start', stop: 'cluster.stop', suspend: 'cluster.suspend', resume: 'cluster.resume' } as const;
        const m = map[sub as keyof typeof map];
        if (!m) throw new UsageError('cluster start|stop|suspend|resume [SERVER...]');
        if (m === 'cluster.start' || m === 'cluster.stop') await call(m, args.length > 0 ? { servers: args } : {});
        else await call(m, {});
        out(`cluster ${sub}: done`, { ok: true });
        return 0;
      }
      case 'group': {
        const [name, server] = args;
        if (!name || (sub !== 'start' && sub !== 'stop' && sub !== 'move')) throw new UsageError('group start|stop|move NAME [SERVER]');
        if (sub === 'stop') await call('group.stop', { group: name });
        else await call(sub === 'start' ? 'group.start' : 'group.move', server ? { group: name, server } : { group: name });
        const s = await call('status.get', {});
        const g = s.groups.find((x) => x.name === name);
        out(`group ${name}: ${word(g?.state ?? 'unknown')}${g?.current ? ` on ${g.current}` : ''}`, g);
        return 0;
      }
      case 'resource': {
        const [name, server] = args;
        if (!name || (sub !== 'start' && sub !== 'stop')) throw new UsageError('resource start|stop NAME [SERVER]');
        if (sub === 'start') await call('resource.start', server ? { resource: name, server } : { resource: name });
        else await call('resource.stop', { resource: name });
        out(`resource ${name}: ${sub} done`, { ok: true });
        return 0;
      }
      case 'monitor': {
        if (sub === 'suspend' || sub === 'resume') {
          await call(sub === 'suspend' ? 'monitor.suspend' : 'monitor.resume', args[0] ? { monitor: args[0] } : {});
          out(`monitor ${args[0] ?? '(all)'}: ${sub} done`, { ok: true });
          return 0;
        }
        if (sub === 'dummy' && (args[0] === 'on' || args[0] === 'off') && args[1]) {
          await call('monitor.dummyFailure', { monitor: args[1], enabled: args[0] === 'on', ...(args[2] ? { server: args[2] } : {}) });
          out(`monitor ${args[1]}: dummy failure ${args[0]}`, { ok: true });
          return 0;
        }
        throw new UsageError('monitor suspend|resume [NAME] | monitor dummy on|off NAME [SERVER]');
      }
      case 'md': {
        const [name, server] = args;
        if (sub === 'status') {
          const s = await call('status.get', {});
          const mirrors = s.mirrors.filter((m) => !name || m.name === name);
          out(renderStatus({ ...s, servers: [], groups: [], monitors: [], mirrors }), mirrors);
          return 0;
        }
        if (!name) throw new UsageError('md status [NAME] | recover NAME | force NAME SERVER | break NAME [SERVER]');
        if (sub === 'recover') await call('md.recover', { name });
        else if (sub === 'force' && server) await call('md.force', { name, server });
        else if (sub === 'break') await call('md.break', server ? { name, server } : { name });
        else throw new UsageError('md status [NAME] | recover NAME | force NAME SERVER | break NAME [SERVER]');
        out(`mirror disk ${name}: ${sub} done`, { ok: true });
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${cmd}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`kumo: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof AgentRequestError) {
      const details = e.body.details;
      const list = Array.isArray(details) ? `\n${renderConfigErrors(details as ConfigError[])}` : details && typeof details === 'object' && 'servers' in details ? `\n${(details as { servers: { server: string; ok: boolean; message: string }[] }).servers.map((s) => `  ${s.server}: ${s.message}`).join('\n')}` : '';
      if (json) process.stdout.write(`${JSON.stringify({ error: e.body }, null, 2)}\n`);
      else process.stderr.write(`kumo: ${e.message} [${e.code}]${list}\n`);
      return 1;
    }
    process.stderr.write(`kumo: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    if (!(cmd === 'alerts' && values.follow)) client.close();
  }
}

try {
  process.exit(await main(process.argv.slice(2)));
} catch (e) {
  process.stderr.write(`kumo: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof TypeError && /Unknown option|Unexpected argument/.test(e.message) ? 2 : 1);
}
