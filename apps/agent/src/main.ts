/**
 * `kumo-agent`: parses argv and the environment once, builds the agent and its server, and listens. The only
 * file that listens (STYLE: build the server without listening).
 *
 *   kumo-agent [run] --data-dir DIR [--name NAME] [--listen HOST[:PORT]] [--key FILE] [--host-mode linux|simulated]
 *                    [--aws-endpoint-ec2 URL] [--aws-endpoint-route53 URL] [--imds-endpoint URL] [--aws-region R]
 *                    [--webui-dir DIR] [--no-auto-start] [--log-level debug|info|warn|error]
 *   kumo-agent keygen --out FILE
 *   kumo-agent witness --listen HOST:PORT --key FILE
 */
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { validateClusterConfig } from '@kumo/shared';
import { Agent } from './agent.js';
import { ClusterKey } from './crypto/cluster-key.js';
import { AgentDb, DatabaseError } from './db/client.js';
import { builtinMonitorDrivers, builtinResourceDrivers } from './drivers.js';
import { awsFence, createAws, extendWithAws } from './integrations/aws.js';
import { buildServer } from './server.js';
import { createLogger } from './util/log.js';
import type { LogLevel } from './util/log.js';
import { buildWitness } from './witness/server.js';

function fail(message: string): never {
  process.stderr.write(`kumo-agent: ${message}\n`);
  process.exit(2);
}

/** The HTTPS setting of the config stored in the data directory, read before the agent opens it. */
function storedHttps(dataDir: string): { certFile: string; keyFile: string } | undefined {
  try {
    const db = AgentDb.open(dataDir);
    try {
      const checked = validateClusterConfig(db.latestConfig()?.config);
      return checked.ok ? checked.config.cluster.webui.https : undefined;
    } finally {
      db.close();
    }
  } catch {
    return undefined; // the agent reports a broken database itself, with its message
  }
}

function hostPort(value: string, defaultPort: number): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value);
  if (!m) fail(`"${value}" is not HOST or HOST:PORT`);
  const port = m[2] ? Number(m[2]) : defaultPort;
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`"${value}" has an invalid port`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

async function keygen(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
  if (!values.out) fail('keygen needs --out FILE (the key file to copy to every server)');
  try {
    await ClusterKey.generate().save(values.out);
  } catch (e) {
    fail((e as NodeJS.ErrnoException).code === 'EEXIST' ? `${values.out} already exists; remove it first if you really want a new key (every server needs the same one)` : String(e));
  }
  process.stdout.write(`wrote a new cluster key to ${values.out}; copy it to every server (mode 0600)\n`);
}

async function witness(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { listen: { type: 'string' }, key: { type: 'string' }, 'log-level': { type: 'string' } } });
  if (!values.listen || !values.key) fail('witness needs --listen HOST:PORT and --key FILE');
  const log = createLogger('witness', (values['log-level'] ?? 'info') as LogLevel);
  const key = await ClusterKey.load(values.key).catch((e: unknown) => fail(String(e instanceof Error ? e.message : e)));
  const { host, port } = hostPort(values.listen, 29009);
  const app = buildWitness({ key, log });
  await app.listen({ host, port }).catch((e: unknown) => fail(`cannot listen on ${host}:${port}: ${String(e)}`));
  process.stdout.write(`${JSON.stringify({ witness: `http://${host}:${port}` })}\n`);
  const stop = () => void app.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

async function run(args: string[]): Promise<void> {
  const env = process.env;
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string' },
      name: { type: 'string' },
      listen: { type: 'string' },
      key: { type: 'string' },
      'host-mode': { type: 'string' },
      'aws-endpoint-ec2': { type: 'string' },
      'aws-endpoint-route53': { type: 'string' },
      'imds-endpoint': { type: 'string' },
      'aws-region': { type: 'string' },
      'webui-dir': { type: 'string' },
      'no-auto-start': { type: 'boolean' },
      'log-level': { type: 'string' },
    },
  });
  const dataDir = values['data-dir'] ?? env['KUMO_DATA_DIR'] ?? '/var/lib/kumo';
  const name = (values.name ?? env['KUMO_SERVER_NAME'] ?? hostname().split('.')[0] ?? 'server').toLowerCase();
  const { host, port } = hostPort(values.listen ?? env['KUMO_LISTEN'] ?? '0.0.0.0:29003', 29003);
  const keyFile = values.key ?? env['KUMO_KEY_FILE'] ?? path.join(dataDir, 'cluster.key');
  const hostMode = values['host-mode'] ?? env['KUMO_HOST_MODE'] ?? 'linux';
  if (hostMode !== 'linux' && hostMode !== 'simulated') fail(`--host-mode must be linux or simulated, not "${hostMode}"`);
  const level = (values['log-level'] ?? env['KUMO_LOG_LEVEL'] ?? 'info') as LogLevel;
  const log = createLogger(name, level);
  const key = await ClusterKey.load(keyFile).catch((e: unknown) => fail(e instanceof Error ? e.message : String(e)));

  const aws = createAws({
    endpoints: { ec2: values['aws-endpoint-ec2'] ?? env['KUMO_AWS_ENDPOINT_EC2'], route53: values['aws-endpoint-route53'] ?? env['KUMO_AWS_ENDPOINT_ROUTE53'] },
    imdsEndpoint: values['imds-endpoint'] ?? env['KUMO_IMDS_ENDPOINT'],
    region: values['aws-region'] ?? env['KUMO_AWS_REGION'],
    log: log.child('aws'),
  });
  // Whether the stored config asks for HTTPS decides how this agent listens and dials its peers.
  const httpsWanted = storedHttps(dataDir) !== undefined;
  let agent: Agent;
  try {
    agent = new Agent({
      dataDir,
      name,
      listenHost: host,
      listenPort: port,
      key,
      hostMode,
      log,
      autoStart: !values['no-auto-start'],
      tls: httpsWanted,
      resourceDrivers: builtinResourceDrivers,
      monitorDrivers: builtinMonitorDrivers,
      driverServices: { aws },
      fence: (server, instanceId, delayMs) => awsFence(aws, () => agent, log.child('fence'))(server, instanceId, delayMs),
    });
  } catch (e) {
    fail(e instanceof DatabaseError ? e.message : `cannot start: ${e instanceof Error ? e.message : String(e)}`);
  }
  extendWithAws(agent, aws);
  // HTTPS with the configured certificate (the same paths on every server; each holds its own files).
  const tls = agent.config?.cluster.webui.https;
  let https: { key: Buffer; cert: Buffer } | undefined;
  if (tls) {
    try {
      https = { key: await readFile(tls.keyFile), cert: await readFile(tls.certFile) };
    } catch (e) {
      fail(`HTTPS is configured but the certificate or key cannot be read (${e instanceof Error ? e.message : String(e)}); install them at ${tls.certFile} and ${tls.keyFile}`);
    }
  }
  const app = await buildServer(agent, { ...(values['webui-dir'] ? { webuiDir: values['webui-dir'] } : {}), ...(https ? { https } : {}) });
  try {
    await app.listen({ host, port });
  } catch (e) {
    fail(`cannot listen on ${host}:${port} (${(e as NodeJS.ErrnoException).code ?? String(e)}); is another agent running there?`);
  }
  await agent.start();
  const scheme = https ? 'https' : 'http';
  log.info(`kumo-agent ${name} listening on ${scheme}://${host}:${port} (data ${dataDir}, host mode ${hostMode})`);
  process.stdout.write(`${JSON.stringify({ ready: true, server: name, url: `${scheme}://${host}:${port}` })}\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping (groups on this server are stopped first)`);
    void agent
      .stop({ drain: true, timeoutMs: 60_000 })
      .then(() => app.close())
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

const [first, ...rest] = process.argv.slice(2);
switch (first) {
  case 'keygen':
    await keygen(rest);
    break;
  case 'witness':
    await witness(rest);
    break;
  case 'run':
    await run(rest);
    break;
  default:
    await run(first === undefined ? [] : [first, ...rest]);
}
