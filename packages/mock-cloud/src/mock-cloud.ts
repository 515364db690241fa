/**
 * startMockCloud(): the emulator as a value a test or the demo holds. It binds the HTTP listener (EC2,
 * Route 53, admin), the DNS server (UDP+TCP) and one IMDS listener per instance, and returns their
 * addresses with the handles for faults, tampering, inspection, reset and stop.
 */
import type { AddressInfo } from 'node:net';
import { EventStreams } from './admin/handler.js';
import { Cloud, type InstanceStateChange } from './cloud.js';
import { startDnsServer } from './dns/server.js';
import type { CloudEventListener } from './events.js';
import type { FaultApi } from './faults.js';
import { ImdsServers } from './imds/server.js';
import type { RequestFilter, RequestLogEntry } from './request-log.js';
import { buildServer } from './server.js';
import { dumpState } from './state.js';
import { createTamper, type TamperApi } from './tamper.js';
import { loadTopology, parseTopology, type Topology } from './topology.js';

export interface MockCloudOptions {
  /** A topology, or the path of a topology JSON file. */
  topology: Topology | string;
  /** Default 127.0.0.1. */
  host?: string;
  /** HTTP port for EC2, Route 53 and admin; default 0 (a free port). */
  port?: number;
  /** DNS port, UDP and TCP; default 0 (a free port). */
  dnsPort?: number;
  /** Route 53 PENDING → INSYNC; default 1000 ms. */
  changeSyncDelayMs?: number;
  /** stopping → stopped; default 500 ms. */
  instanceStopDelayMs?: number;
  /** pending → running; default 500 ms. */
  instanceStartDelayMs?: number;
  onInstanceStateChange?: (change: InstanceStateChange) => void;
}

export interface MockCloud {
  /** http://host:port: EC2 (POST /), Route 53 (/2013-04-01/…), admin (/_admin/…). */
  url: string;
  region: string;
  dns: { host: string; port: number };
  /** Instance ID → base URL of its own IMDS listener. */
  imds: Record<string, string>;
  /** Environment for a process that should see itself as this instance (endpoints, region, IMDS; no keys). */
  env(instanceId: string): Record<string, string>;
  faults: FaultApi;
  tamper: TamperApi;
  requests(filter?: RequestFilter): RequestLogEntry[];
  clearRequests(): void;
  /** Subscribes to instance state changes, tampering, faults, INSYNC changes and resets. */
  onEvent(listener: CloudEventListener): () => void;
  /** JSON-able dump of the whole state, with the active faults and denials. */
  state(): unknown;
  /** Back to the topology (also clears faults, denials and the request log). */
  reset(): void;
  /** Closes every listener and socket, hung requests included. Idempotent. */
  stop(): Promise<void>;
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startMockCloud(options: MockCloudOptions): Promise<MockCloud> {
  const topology = typeof options.topology === 'string' ? loadTopology(options.topology) : parseTopology(options.topology);
  const host = options.host ?? '127.0.0.1';
  const cloud = new Cloud(topology, {
    changeSyncDelayMs: options.changeSyncDelayMs ?? 1000,
    instanceStopDelayMs: options.instanceStopDelayMs ?? 500,
    instanceStartDelayMs: options.instanceStartDelayMs ?? 500,
    ...(options.onInstanceStateChange ? { onInstanceStateChange: options.onInstanceStateChange } : {}),
  });
  const tamper = createTamper(cloud);
  const events = new EventStreams(cloud);
  const state = () => ({ ...(dumpState(cloud.state) as object), ...cloud.faults.list() });

  let info: unknown = {};
  const server = buildServer({ cloud, tamper, info: () => info, state }, events);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const cleanups: (() => Promise<void>)[] = [
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  ];
  const stopAll = async () => {
    cloud.timers.clearAll();
    cloud.delays.clearAll();
    events.close();
    await Promise.all(cleanups.map((cleanup) => cleanup()));
  };
  try {
    const dns = await startDnsServer(cloud, host, options.dnsPort ?? 0);
    cleanups.push(() => dns.stop());
    const imds = new ImdsServers(cloud, host);
    cleanups.push(() => imds.stop());
    await imds.start();

    const url = `http://${hostForUrl(host)}:${(server.address() as AddressInfo).port}`;
    const imdsUrls = imds.urls();
    info = { url, region: cloud.region, dns: { host, port: dns.port }, imds: imdsUrls };
    let stopping: Promise<void> | undefined;
    return {
      url,
      region: cloud.region,
      dns: { host, port: dns.port },
      imds: imdsUrls,
      env(instanceId) {
        const imdsUrl = imdsUrls[instanceId];
        if (imdsUrl === undefined) throw new Error(`kumo-mock-cloud: no instance ${instanceId} in the topology`);
        return {
          AWS_ENDPOINT_URL_EC2: url,
          AWS_ENDPOINT_URL_ROUTE_53: url,
          AWS_REGION: cloud.region,
          AWS_DEFAULT_REGION: cloud.region,
          AWS_EC2_METADATA_SERVICE_ENDPOINT: imdsUrl,
        };
      },
      faults: cloud.faults,
      tamper,
      requests: (filter) => cloud.log.list(filter),
      clearRequests: () => cloud.log.clear(),
      onEvent: (listener) => cloud.events.on(listener),
      state,
      reset: () => cloud.reset(),
      stop: () => (stopping ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
