/**
 * kumo-mock-cloud: runs the emulator as a process (for the demo and for tests in other processes).
 *
 *   kumo-mock-cloud --topology FILE|guide [--listen HOST:PORT] [--dns-port N] [--change-sync-delay-ms N]
 *                   [--instance-stop-delay-ms N] [--instance-start-delay-ms N]
 *
 * When ready it prints one JSON line on stdout: { url, region, dns: { host, port }, imds: { id: url } }.
 * Events (instance state changes, tampering, faults) go to stderr as JSON lines. SIGINT/SIGTERM stop it
 * cleanly (exit 0).
 */
import { parseArgs } from 'node:util';
import { GUIDE_TOPOLOGY_PATH, startMockCloud, TopologyError, type MockCloudOptions } from './index.js';

const USAGE =
  'usage: kumo-mock-cloud --topology FILE|guide [--listen HOST:PORT] [--dns-port N] [--change-sync-delay-ms N] ' +
  '[--instance-stop-delay-ms N] [--instance-start-delay-ms N]';

class UsageError extends Error {}

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

function parseCommandLine(argv: string[]): MockCloudOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      topology: { type: 'string' },
      listen: { type: 'string', default: '127.0.0.1:0' },
      'dns-port': { type: 'string' },
      'change-sync-delay-ms': { type: 'string' },
      'instance-stop-delay-ms': { type: 'string' },
      'instance-start-delay-ms': { type: 'string' },
    },
    strict: true,
  });
  if (values.topology === undefined) throw new UsageError('--topology is required');
  const listen = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(values.listen);
  if (!listen) throw new UsageError(`--listen must be HOST:PORT, got ${JSON.stringify(values.listen)}`);
  const options: MockCloudOptions = {
    topology: values.topology === 'guide' ? GUIDE_TOPOLOGY_PATH : values.topology,
    host: listen[1] ?? listen[2] ?? '127.0.0.1',
    port: Number(listen[3]),
  };
  const numbers = {
    dnsPort: integer('dns-port', values['dns-port']),
    changeSyncDelayMs: integer('change-sync-delay-ms', values['change-sync-delay-ms']),
    instanceStopDelayMs: integer('instance-stop-delay-ms', values['instance-stop-delay-ms']),
    instanceStartDelayMs: integer('instance-start-delay-ms', values['instance-start-delay-ms']),
  };
  for (const [key, value] of Object.entries(numbers)) {
    if (value !== undefined) Object.assign(options, { [key]: value });
  }
  return options;
}

async function main(): Promise<void> {
  let options: MockCloudOptions;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error) {
    console.error(`kumo-mock-cloud: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
  let cloud;
  try {
    cloud = await startMockCloud(options);
  } catch (error) {
    console.error(error instanceof TopologyError ? error.message : error);
    process.exit(1);
  }
  cloud.onEvent((event) => process.stderr.write(`${JSON.stringify(event)}\n`));
  process.stdout.write(`${JSON.stringify({ url: cloud.url, region: cloud.region, dns: cloud.dns, imds: cloud.imds })}\n`);
  const shutdown = () => {
    void cloud.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

await main();
