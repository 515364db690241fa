/**
 * Instance metadata (IMDSv2), one HTTP listener per emulated instance, so that a process given that
 * listener as `AWS_EC2_METADATA_SERVICE_ENDPOINT` sees itself as that instance: its ID, AZ, region, ENI
 * (MAC, interface ID, addresses) and the credentials of its IAM role, which the SDK's default credential
 * chain picks up. A listener answers only while its instance is running: stopping the instance closes it
 * (connection refused, as nothing answers on a stopped machine) and starting it reopens it on the same port.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Cloud } from '../cloud.js';
import { instanceCredentials } from '../credentials.js';
import { send } from '../http-util.js';
import { addressOn, privateDnsName, type EniModel, type InstanceModel } from '../state.js';

type Tree = { [name: string]: string | Tree };

function awsTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The metadata of one instance as a tree of paths under `/latest/`. */
function metadataTree(cloud: Cloud, instance: InstanceModel): Tree {
  const state = cloud.state;
  const enis = instance.eniIds.map((id) => state.enis.get(id)).filter((eni): eni is EniModel => eni !== undefined);
  const primary = enis[0];
  const publicIp = (eni: EniModel) => addressOn(state, eni.id, eni.privateIp)?.publicIp;
  const macs: Tree = {};
  for (const eni of enis) {
    const subnet = state.subnets.get(eni.subnetId);
    const vpc = state.vpcs.get(eni.vpcId);
    const ip = publicIp(eni);
    macs[eni.mac] = {
      'device-number': String(eni.deviceIndex),
      'interface-id': eni.id,
      'local-hostname': privateDnsName(state, eni.privateIp),
      'local-ipv4s': [eni.privateIp, ...eni.secondaryPrivateIps].join('\n'),
      mac: eni.mac,
      'owner-id': state.accountId,
      ...(ip === undefined ? {} : { 'public-ipv4s': ip }),
      'security-group-ids': vpc?.securityGroupId ?? '',
      'security-groups': 'default',
      'subnet-id': eni.subnetId,
      'subnet-ipv4-cidr-block': subnet?.cidr ?? '',
      'vpc-id': eni.vpcId,
      'vpc-ipv4-cidr-block': vpc?.cidr ?? '',
      'vpc-ipv4-cidr-blocks': vpc?.cidr ?? '',
    };
  }
  const now = new Date();
  const iam: Tree = {};
  if (instance.iamRole !== undefined) {
    const credentials = instanceCredentials(instance.id);
    iam['info'] = JSON.stringify(
      {
        Code: 'Success',
        LastUpdated: awsTime(now),
        InstanceProfileArn: `arn:aws:iam::${state.accountId}:instance-profile/${instance.iamRole}`,
        InstanceProfileId: `AIPAKUMO${instance.iamRole.length}`,
      },
      null,
      2,
    );
    iam['security-credentials'] = {
      [instance.iamRole]: JSON.stringify(
        {
          Code: 'Success',
          LastUpdated: awsTime(now),
          Type: 'AWS-HMAC',
          AccessKeyId: credentials.accessKeyId,
          SecretAccessKey: credentials.secretAccessKey,
          Token: credentials.sessionToken,
          Expiration: awsTime(new Date(now.getTime() + 6 * 3600_000)),
        },
        null,
        2,
      ),
    };
  }
  const ip = primary && publicIp(primary);
  const az = state.azs.get(instance.az);
  return {
    'meta-data': {
      'ami-id': instance.imageId,
      'ami-launch-index': '0',
      hostname: primary ? privateDnsName(state, primary.privateIp) : '',
      'instance-id': instance.id,
      'instance-type': instance.instanceType,
      'local-hostname': primary ? privateDnsName(state, primary.privateIp) : '',
      'local-ipv4': primary?.privateIp ?? '',
      mac: primary?.mac ?? '',
      ...(ip === undefined ? {} : { 'public-ipv4': ip }),
      placement: { 'availability-zone': instance.az, 'availability-zone-id': az?.zoneId ?? '', region: state.region },
      network: { interfaces: { macs } },
      'security-groups': 'default',
      ...(instance.iamRole === undefined ? {} : { iam }),
    },
    dynamic: {
      'instance-identity': {
        document: JSON.stringify(
          {
            accountId: state.accountId,
            architecture: 'x86_64',
            availabilityZone: instance.az,
            imageId: instance.imageId,
            instanceId: instance.id,
            instanceType: instance.instanceType,
            pendingTime: awsTime(instance.launchTime),
            privateIp: primary?.privateIp ?? '',
            region: state.region,
            version: '2017-09-30',
          },
          null,
          2,
        ),
      },
    },
  };
}

function lookup(tree: Tree, path: string): string | undefined {
  let node: string | Tree = tree;
  for (const segment of path.split('/').filter((s) => s !== '')) {
    if (typeof node === 'string') return undefined;
    const next: string | Tree | undefined = node[segment];
    if (next === undefined) return undefined;
    node = next;
  }
  if (typeof node === 'string') return node;
  return Object.entries(node)
    .map(([name, child]) => (typeof child === 'string' ? name : `${name}/`))
    .join('\n');
}

const NOT_FOUND_PAGE = `<?xml version="1.0" encoding="iso-8859-1"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN"
         "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
 <head>
  <title>404 - Not Found</title>
 </head>
 <body>
  <h1>404 - Not Found</h1>
 </body>
</html>
`;

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 405: 'Method Not Allowed' };

/** One instance's metadata listener. open() and close() are idempotent and applied in call order. */
class ImdsListener {
  private server: Server | undefined;
  private port: number;
  private readonly tokens = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly cloud: Cloud,
    readonly instanceId: string,
    private readonly host: string,
  ) {
    this.port = 0;
  }

  get url(): string {
    return `http://${this.host.includes(':') ? `[${this.host}]` : this.host}:${this.port}`;
  }

  setOpen(open: boolean): Promise<void> {
    this.queue = this.queue.then(() => (open ? this.open() : this.close())).catch((error: unknown) => {
      console.error(`kumo-mock-cloud: IMDS listener of ${this.instanceId}:`, error);
    });
    return this.queue;
  }

  private async open(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res));
    for (let attempt = 0; ; attempt++) {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(this.port, this.host, () => {
            server.off('error', reject);
            resolve();
          });
        });
        break;
      } catch (error) {
        // The port of a restarted instance was taken meanwhile: wait a little, then give up loudly.
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  private async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.tokens.clear();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://imds');
    const isToken = url.pathname === '/latest/api/token';
    const entry = this.cloud.log.start({
      service: 'imds',
      operation: isToken ? 'GetToken' : 'GetMetadata',
      params: { method: req.method ?? 'GET', path: url.pathname },
      instanceId: this.instanceId,
    });
    const answer = (status: number, body: string, headers: Record<string, string> = {}) => {
      entry.status = status;
      send(res, status, status === 404 ? 'text/html' : 'text/plain', body, headers);
    };
    const fail = (status: number) => answer(status, STATUS_TEXT[status] ?? 'Error');

    for (const fault of this.cloud.faults.take('imds', entry.operation, this.instanceId)) {
      if (fault.kind === 'latency') await this.cloud.delays.sleep(fault.delayMs ?? 0);
      else if (fault.kind === 'hang') return;
      else if (fault.kind === 'reset') return void res.socket?.resetAndDestroy();
      else {
        entry.errorCode = fault.code ?? 'InternalError';
        return answer(fault.status ?? 500, fault.message ?? 'Internal Server Error');
      }
    }
    const instance = this.cloud.state.instances.get(this.instanceId);
    if (!instance) return answer(404, NOT_FOUND_PAGE);

    if (isToken) {
      if (req.method !== 'PUT') return fail(405);
      if (req.headers['x-forwarded-for'] !== undefined) return fail(403);
      const ttlText = req.headers['x-aws-ec2-metadata-token-ttl-seconds'];
      const ttl = typeof ttlText === 'string' && /^\d+$/.test(ttlText) ? Number(ttlText) : NaN;
      if (!(ttl >= 1 && ttl <= 21600)) return fail(400);
      const token = randomBytes(36).toString('base64url');
      this.tokens.set(token, Date.now() + ttl * 1000);
      return answer(200, token, { 'x-aws-ec2-metadata-token-ttl-seconds': String(ttl) });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405);
    const token = req.headers['x-aws-ec2-metadata-token'];
    if (token === undefined) {
      if (!instance.imdsV1) return fail(401);
    } else {
      const expires = typeof token === 'string' ? this.tokens.get(token) : undefined;
      if (expires === undefined || expires < Date.now()) return fail(401);
    }
    if (url.pathname === '/' || url.pathname === '/latest' || url.pathname === '/latest/') {
      return answer(200, url.pathname === '/' ? 'latest' : 'dynamic\nmeta-data');
    }
    if (!url.pathname.startsWith('/latest/')) return answer(404, NOT_FOUND_PAGE);
    const body = lookup(metadataTree(this.cloud, instance), url.pathname.slice('/latest/'.length));
    return body === undefined ? answer(404, NOT_FOUND_PAGE) : answer(200, body);
  }
}

/** All instances' listeners, following the instances' states. */
export class ImdsServers {
  private readonly listeners = new Map<string, ImdsListener>();
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly cloud: Cloud,
    host: string,
  ) {
    for (const id of cloud.state.instances.keys()) this.listeners.set(id, new ImdsListener(cloud, id, host));
  }

  /** Binds every listener once (so each instance has its port), then keeps only running instances open. */
  async start(): Promise<void> {
    await Promise.all([...this.listeners.values()].map((listener) => listener.setOpen(true)));
    const notRunning = [...this.listeners.values()].filter((l) => this.cloud.state.instances.get(l.instanceId)?.state !== 'running');
    await Promise.all(notRunning.map((listener) => listener.setOpen(false)));
    this.unwatch = this.cloud.watchInstances((instance) => {
      void this.listeners.get(instance.id)?.setOpen(instance.state === 'running');
    });
  }

  urls(): Record<string, string> {
    return Object.fromEntries([...this.listeners].map(([id, listener]) => [id, listener.url]));
  }

  async stop(): Promise<void> {
    this.unwatch?.();
    await Promise.all([...this.listeners.values()].map((listener) => listener.setOpen(false)));
  }
}
