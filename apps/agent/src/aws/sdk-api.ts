/**
 * `AwsApi` over the real AWS SDK v3. One EC2 and one Route 53 client per API (the SDK's own retries off:
 * `runCall` retries with jitter inside the call's deadline), created once the region is known. The rate
 * limiter buckets are shared per account and region by every API of the process.
 */
import {
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  DisassociateAddressCommand,
  EC2Client,
  ReplaceRouteCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import type { Filter, Tag } from '@aws-sdk/client-ec2';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesCommand,
  ListResourceRecordSetsCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import type { ChangeInfo as SdkChangeInfo, HostedZone as SdkHostedZone, ResourceRecordSet, RRType } from '@aws-sdk/client-route-53';
import { silentLogger, type Logger } from '../util/log.js';
import type {
  AvailabilityZone,
  AwsApi,
  AwsApiOptions,
  CallOptions,
  ChangeInfo,
  ElasticIp,
  HostedZone,
  HostedZoneDetail,
  Instance,
  NetworkInterface,
  RecordChange,
  RecordSet,
  RouteTable,
  Vpc,
} from './api.js';
import { confirm, DEFAULT_RETRY, DEFAULT_VERIFY, deadlineSignal, runCall, type Backoff, type RetryPolicy } from './call.js';
import { fqdn } from './dns-name.js';
import { AWS_CLI_FAILED, AwsCallError, toAwsCallError } from './errors.js';
import { ImdsClient, type InstanceIdentity } from './imds.js';
import { DEFAULT_RATES, sharedRateLimiters, type TokenBucket } from './rate-limit.js';

const DEFAULT_TIMEOUT_MS = 100_000;
/** Describe* pages followed at most (a VPC with more route tables than this is not a cluster's). */
const MAX_PAGES = 50;

interface Runtime {
  region: string;
  ec2: EC2Client;
  route53: Route53Client;
  ec2Limiter: TokenBucket;
  route53Limiter: TokenBucket;
}

function nameTag(tags: Tag[] | undefined): string | undefined {
  return tags?.find((t) => t.Key === 'Name')?.Value;
}

function filters(entries: Record<string, string | readonly string[] | undefined>): Filter[] | undefined {
  const out: Filter[] = [];
  for (const [name, value] of Object.entries(entries)) {
    if (value === undefined) continue;
    out.push({ Name: name, Values: typeof value === 'string' ? [value] : [...value] });
  }
  return out.length > 0 ? out : undefined;
}

const ids = (list: readonly string[] | undefined) => (list === undefined ? undefined : [...list]);

const stripPrefix = (id: string, prefix: string) => (id.startsWith(prefix) ? id.slice(prefix.length) : id);

function toZone(z: SdkHostedZone): HostedZone {
  return {
    id: stripPrefix(z.Id ?? '', '/hostedzone/'),
    name: fqdn(z.Name ?? ''),
    private: z.Config?.PrivateZone === true,
    comment: z.Config?.Comment,
    recordCount: z.ResourceRecordSetCount,
  };
}

function toRecord(r: ResourceRecordSet): RecordSet {
  return {
    name: fqdn(r.Name ?? ''),
    type: r.Type ?? '',
    ttl: r.TTL,
    values: (r.ResourceRecords ?? []).flatMap((v) => (v.Value === undefined ? [] : [v.Value])),
  };
}

function toChange(c: SdkChangeInfo | undefined): ChangeInfo {
  return { id: stripPrefix(c?.Id ?? '', '/change/'), status: c?.Status === 'INSYNC' ? 'INSYNC' : 'PENDING' };
}

export class SdkAwsApi implements AwsApi {
  private readonly log: Logger;
  private readonly imds: ImdsClient;
  private readonly retry: RetryPolicy;
  private readonly verify: Backoff;
  private readonly defaultTimeoutMs: number;
  private runtimePromise: Promise<Runtime> | undefined;
  private identityPromise: Promise<InstanceIdentity> | undefined;

  constructor(private readonly opts: AwsApiOptions) {
    this.log = opts.log ?? silentLogger;
    this.imds = new ImdsClient({ endpoint: opts.imdsEndpoint ?? process.env['AWS_EC2_METADATA_SERVICE_ENDPOINT'], timeoutMs: opts.imdsTimeoutMs });
    this.retry = { ...DEFAULT_RETRY, ...definedOnly(opts.retry) };
    this.verify = { ...DEFAULT_VERIFY, ...definedOnly(opts.verify) };
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  // ---- identity, region, clients ----------------------------------------------------------------------------

  self(opts?: CallOptions): Promise<InstanceIdentity> {
    return this.bounded('InstanceMetadata', opts, (signal) => this.identity(signal));
  }

  async region(opts?: CallOptions): Promise<string> {
    return (await this.runtime(opts)).region;
  }

  /** The identity, fetched once; a failure is not kept, so the next call asks again. */
  private identity(signal: AbortSignal): Promise<InstanceIdentity> {
    this.identityPromise ??= this.imds.identity(signal).catch((e: unknown) => {
      this.identityPromise = undefined;
      throw e;
    });
    return this.identityPromise;
  }

  /** Runs `run` within the call's deadline; any failure becomes an `AwsCallError`. */
  private async bounded<T>(operation: string, opts: CallOptions | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = deadlineSignal(opts?.timeoutMs ?? this.defaultTimeoutMs, opts?.signal);
    try {
      return await raceAbort(run(deadline.signal), deadline.signal);
    } catch (e) {
      if (deadline.signal.aborted) throw toAwsCallError(operation, e, true);
      if (e instanceof AwsCallError) throw e;
      throw new AwsCallError(operation, 'api', AWS_CLI_FAILED, undefined, undefined, e instanceof Error ? e.message : String(e));
    } finally {
      deadline.done();
    }
  }

  private runtime(opts: CallOptions | undefined): Promise<Runtime> {
    this.runtimePromise ??= this.bounded('Configure', opts, (signal) => this.buildRuntime(signal)).catch((e: unknown) => {
      this.runtimePromise = undefined;
      throw e;
    });
    return this.runtimePromise;
  }

  private async buildRuntime(signal: AbortSignal): Promise<Runtime> {
    const needIdentity = this.opts.region === undefined || this.opts.accountId === undefined;
    const identity = needIdentity
      ? await this.identity(signal).catch((e: unknown) => {
          this.log.debug('instance metadata not available', { error: e instanceof Error ? e.message : String(e) });
          return undefined;
        })
      : undefined;
    const region = this.opts.region ?? identity?.region ?? process.env['AWS_REGION'] ?? process.env['AWS_DEFAULT_REGION'];
    if (region === undefined || region === '') {
      throw new AwsCallError('Configure', 'api', AWS_CLI_FAILED, undefined, undefined, 'no region: set cluster.aws.region, or run on EC2 with instance metadata reachable');
    }
    const account = this.opts.accountId ?? identity?.accountId ?? 'default';
    const limiters = this.opts.limiters ?? sharedRateLimiters;
    const credentials = this.credentialProvider();
    const common = { region, maxAttempts: 1, ...(credentials ? { credentials } : {}) };
    const ec2Endpoint = this.opts.endpoints?.ec2;
    const route53Endpoint = this.opts.endpoints?.route53;
    return {
      region,
      ec2: new EC2Client({ ...common, ...(ec2Endpoint ? { endpoint: ec2Endpoint } : {}) }),
      route53: new Route53Client({ ...common, ...(route53Endpoint ? { endpoint: route53Endpoint } : {}) }),
      ec2Limiter: limiters.get(`ec2/${account}/${region}`, this.opts.rates?.ec2 ?? DEFAULT_RATES.ec2),
      route53Limiter: limiters.get(`route53/${account}`, this.opts.rates?.route53 ?? DEFAULT_RATES.route53),
    };
  }

  /**
   * With an explicit IMDS endpoint the SDK's chain would not see it, so Kumo resolves credentials itself the
   * same way: keys from the environment where the administrator set them, else the instance role. Without one,
   * undefined: the SDK's default chain (environment, shared files, …, instance role).
   */
  private credentialProvider() {
    if (this.opts.imdsEndpoint === undefined) return undefined;
    return async () => {
      const accessKeyId = process.env['AWS_ACCESS_KEY_ID'];
      const secretAccessKey = process.env['AWS_SECRET_ACCESS_KEY'];
      if (accessKeyId && secretAccessKey) {
        const sessionToken = process.env['AWS_SESSION_TOKEN'];
        return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
      }
      return this.imds.roleCredentials();
    };
  }

  private async ec2Call<T>(operation: string, opts: CallOptions | undefined, send: (client: EC2Client, signal: AbortSignal) => Promise<T>): Promise<T> {
    const rt = await this.runtime(opts);
    return runCall(operation, (signal) => send(rt.ec2, signal), this.callContext(rt.ec2Limiter, opts));
  }

  private async route53Call<T>(operation: string, opts: CallOptions | undefined, send: (client: Route53Client, signal: AbortSignal) => Promise<T>): Promise<T> {
    const rt = await this.runtime(opts);
    return runCall(operation, (signal) => send(rt.route53, signal), this.callContext(rt.route53Limiter, opts));
  }

  private callContext(limiter: TokenBucket, opts: CallOptions | undefined) {
    return { limiter, timeoutMs: opts?.timeoutMs ?? this.defaultTimeoutMs, signal: opts?.signal, retry: this.retry, log: this.log };
  }

  /** Follows `NextToken` pages of a Describe call. */
  private async pages<P>(first: (token: string | undefined) => Promise<P & { NextToken?: string | undefined }>): Promise<P[]> {
    const out: P[] = [];
    let token: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const page = await first(token);
      out.push(page);
      token = page.NextToken;
      if (!token) break;
    }
    return out;
  }

  // ---- EC2 --------------------------------------------------------------------------------------------------

  async describeVpcs(filter: { ids?: readonly string[] | undefined }, opts?: CallOptions): Promise<Vpc[]> {
    const pages = await this.pages((NextToken) =>
      this.ec2Call('DescribeVpcs', opts, (c, abortSignal) => c.send(new DescribeVpcsCommand({ VpcIds: ids(filter.ids), NextToken }), { abortSignal })),
    );
    return pages.flatMap((p) =>
      (p.Vpcs ?? []).map((v) => {
        const associated = (v.CidrBlockAssociationSet ?? []).filter((a) => a.CidrBlockState?.State === 'associated').flatMap((a) => (a.CidrBlock ? [a.CidrBlock] : []));
        const cidrs = [...new Set([...(v.CidrBlock ? [v.CidrBlock] : []), ...associated])];
        return { id: v.VpcId ?? '', cidrs, name: nameTag(v.Tags), isDefault: v.IsDefault === true };
      }),
    );
  }

  async describeRouteTables(filter: { vpcId?: string | undefined; ids?: readonly string[] | undefined }, opts?: CallOptions): Promise<RouteTable[]> {
    const pages = await this.pages((NextToken) =>
      this.ec2Call('DescribeRouteTables', opts, (c, abortSignal) =>
        c.send(new DescribeRouteTablesCommand({ RouteTableIds: ids(filter.ids), Filters: filters({ 'vpc-id': filter.vpcId }), NextToken }), { abortSignal }),
      ),
    );
    return pages.flatMap((p) =>
      (p.RouteTables ?? []).map((t) => ({
        id: t.RouteTableId ?? '',
        vpcId: t.VpcId ?? '',
        name: nameTag(t.Tags),
        main: (t.Associations ?? []).some((a) => a.Main === true),
        subnetIds: (t.Associations ?? []).flatMap((a) => (a.SubnetId ? [a.SubnetId] : [])),
        routes: (t.Routes ?? []).map((r) => ({
          destination: r.DestinationCidrBlock,
          eniId: r.NetworkInterfaceId,
          instanceId: r.InstanceId,
          target: r.NetworkInterfaceId ?? r.InstanceId ?? r.GatewayId ?? r.NatGatewayId ?? r.TransitGatewayId ?? r.VpcPeeringConnectionId,
          state: r.State,
        })),
      })),
    );
  }

  async replaceRoute(input: { routeTableId: string; destination: string; eniId: string }, opts?: CallOptions): Promise<void> {
    await this.ec2Call('ReplaceRoute', opts, (c, abortSignal) =>
      c.send(new ReplaceRouteCommand({ RouteTableId: input.routeTableId, DestinationCidrBlock: input.destination, NetworkInterfaceId: input.eniId }), { abortSignal }),
    );
  }

  async describeNetworkInterfaces(
    filter: { ids?: readonly string[] | undefined; vpcId?: string | undefined; instanceId?: string | undefined },
    opts?: CallOptions,
  ): Promise<NetworkInterface[]> {
    const pages = await this.pages((NextToken) =>
      this.ec2Call('DescribeNetworkInterfaces', opts, (c, abortSignal) =>
        c.send(
          new DescribeNetworkInterfacesCommand({
            NetworkInterfaceIds: ids(filter.ids),
            Filters: filters({ 'vpc-id': filter.vpcId, 'attachment.instance-id': filter.instanceId }),
            NextToken,
          }),
          { abortSignal },
        ),
      ),
    );
    return pages.flatMap((p) =>
      (p.NetworkInterfaces ?? []).map((n) => ({
        id: n.NetworkInterfaceId ?? '',
        vpcId: n.VpcId ?? '',
        subnetId: n.SubnetId,
        availabilityZone: n.AvailabilityZone,
        privateIp: n.PrivateIpAddress ?? '',
        privateIps: (n.PrivateIpAddresses ?? []).flatMap((a) => (a.PrivateIpAddress ? [a.PrivateIpAddress] : [])),
        instanceId: n.Attachment?.InstanceId,
        sourceDestCheck: n.SourceDestCheck !== false,
        mac: n.MacAddress,
        description: n.Description,
        status: n.Status,
        publicIp: n.Association?.PublicIp,
      })),
    );
  }

  async describeAddresses(filter: { allocationIds?: readonly string[] | undefined }, opts?: CallOptions): Promise<ElasticIp[]> {
    const out = await this.ec2Call('DescribeAddresses', opts, (c, abortSignal) =>
      c.send(new DescribeAddressesCommand({ AllocationIds: ids(filter.allocationIds), Filters: filters({ domain: 'vpc' }) }), { abortSignal }),
    );
    return (out.Addresses ?? []).map((a) => ({
      allocationId: a.AllocationId ?? '',
      publicIp: a.PublicIp,
      associationId: a.AssociationId,
      eniId: a.NetworkInterfaceId,
      privateIp: a.PrivateIpAddress,
      instanceId: a.InstanceId,
      name: nameTag(a.Tags),
    }));
  }

  async associateAddress(input: { allocationId: string; eniId: string; privateIp?: string | undefined }, opts?: CallOptions): Promise<string | undefined> {
    const out = await this.ec2Call('AssociateAddress', opts, (c, abortSignal) =>
      c.send(
        new AssociateAddressCommand({
          AllocationId: input.allocationId,
          NetworkInterfaceId: input.eniId,
          PrivateIpAddress: input.privateIp,
          AllowReassociation: true,
        }),
        { abortSignal },
      ),
    );
    return out.AssociationId;
  }

  async disassociateAddress(input: { associationId: string }, opts?: CallOptions): Promise<void> {
    await this.ec2Call('DisassociateAddress', opts, (c, abortSignal) => c.send(new DisassociateAddressCommand({ AssociationId: input.associationId }), { abortSignal }));
  }

  async describeAvailabilityZones(filter: { names?: readonly string[] | undefined }, opts?: CallOptions): Promise<AvailabilityZone[]> {
    // A zone-name filter (not ZoneNames) so that an unknown zone is an empty answer, not an error.
    const out = await this.ec2Call('DescribeAvailabilityZones', opts, (c, abortSignal) =>
      c.send(new DescribeAvailabilityZonesCommand({ Filters: filters({ 'zone-name': filter.names }) }), { abortSignal }),
    );
    return (out.AvailabilityZones ?? []).map((z) => ({
      name: z.ZoneName ?? '',
      zoneId: z.ZoneId,
      state: z.State ?? 'unknown',
      messages: (z.Messages ?? []).flatMap((m) => (m.Message ? [m.Message] : [])),
    }));
  }

  async describeInstances(filter: { ids?: readonly string[] | undefined; vpcId?: string | undefined }, opts?: CallOptions): Promise<Instance[]> {
    const pages = await this.pages((NextToken) =>
      this.ec2Call('DescribeInstances', opts, (c, abortSignal) =>
        c.send(new DescribeInstancesCommand({ InstanceIds: ids(filter.ids), Filters: filters({ 'vpc-id': filter.vpcId }), NextToken }), { abortSignal }),
      ),
    );
    return pages.flatMap((p) =>
      (p.Reservations ?? []).flatMap((r) =>
        (r.Instances ?? []).map((i) => ({
          id: i.InstanceId ?? '',
          state: i.State?.Name ?? 'unknown',
          availabilityZone: i.Placement?.AvailabilityZone,
          name: nameTag(i.Tags),
          vpcId: i.VpcId,
          privateIp: i.PrivateIpAddress,
          eniIds: (i.NetworkInterfaces ?? []).flatMap((n) => (n.NetworkInterfaceId ? [n.NetworkInterfaceId] : [])),
        })),
      ),
    );
  }

  async stopInstances(input: { ids: readonly string[]; force: boolean }, opts?: CallOptions): Promise<void> {
    await this.ec2Call('StopInstances', opts, (c, abortSignal) => c.send(new StopInstancesCommand({ InstanceIds: [...input.ids], Force: input.force }), { abortSignal }));
  }

  // ---- Route 53 ---------------------------------------------------------------------------------------------

  async listHostedZones(opts?: CallOptions): Promise<HostedZone[]> {
    const zones: HostedZone[] = [];
    let marker: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const page = await this.route53Call('ListHostedZones', opts, (c, abortSignal) => c.send(new ListHostedZonesCommand({ Marker: marker }), { abortSignal }));
      zones.push(...(page.HostedZones ?? []).map(toZone));
      marker = page.IsTruncated ? page.NextMarker : undefined;
      if (!marker) break;
    }
    return zones;
  }

  async getHostedZone(id: string, opts?: CallOptions): Promise<HostedZoneDetail> {
    const out = await this.route53Call('GetHostedZone', opts, (c, abortSignal) => c.send(new GetHostedZoneCommand({ Id: id }), { abortSignal }));
    const zone = out.HostedZone ? toZone(out.HostedZone) : { id, name: '', private: false, comment: undefined, recordCount: undefined };
    return { ...zone, vpcs: (out.VPCs ?? []).flatMap((v) => (v.VPCId ? [{ id: v.VPCId, region: v.VPCRegion }] : [])) };
  }

  async listRecordSets(zoneId: string, opts?: CallOptions): Promise<RecordSet[]> {
    const records: RecordSet[] = [];
    let next: { name: string; type: string } | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const page = await this.route53Call('ListResourceRecordSets', opts, (c, abortSignal) =>
        c.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: next?.name, StartRecordType: next?.type as RRType | undefined }), { abortSignal }),
      );
      records.push(...(page.ResourceRecordSets ?? []).map(toRecord));
      next = page.IsTruncated && page.NextRecordName ? { name: page.NextRecordName, type: page.NextRecordType ?? 'A' } : undefined;
      if (!next) break;
    }
    return records;
  }

  async getRecordSet(zoneId: string, name: string, type: string, opts?: CallOptions): Promise<RecordSet | undefined> {
    const out = await this.route53Call('ListResourceRecordSets', opts, (c, abortSignal) =>
      c.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, StartRecordName: name, StartRecordType: type as RRType, MaxItems: 1 }), { abortSignal }),
    );
    const first = out.ResourceRecordSets?.[0];
    if (!first) return undefined;
    const record = toRecord(first);
    return record.name === fqdn(name) && record.type === type ? record : undefined;
  }

  async changeRecordSets(zoneId: string, changes: readonly RecordChange[], opts?: CallOptions): Promise<ChangeInfo> {
    const out = await this.route53Call('ChangeResourceRecordSets', opts, (c, abortSignal) =>
      c.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zoneId,
          ChangeBatch: {
            Comment: 'Kumo',
            Changes: changes.map((ch) => ({
              Action: ch.action,
              ResourceRecordSet: {
                Name: ch.record.name,
                Type: ch.record.type as RRType,
                TTL: ch.record.ttl,
                ResourceRecords: ch.record.values.map((Value) => ({ Value })),
              },
            })),
          },
        }),
        { abortSignal },
      ),
    );
    return toChange(out.ChangeInfo);
  }

  async getChange(id: string, opts?: CallOptions): Promise<ChangeInfo> {
    const out = await this.route53Call('GetChange', opts, (c, abortSignal) => c.send(new GetChangeCommand({ Id: id }), { abortSignal }));
    return toChange(out.ChangeInfo);
  }

  // ---- confirmation -----------------------------------------------------------------------------------------

  confirm(what: string, check: (opts: CallOptions) => Promise<boolean>, opts?: CallOptions): Promise<void> {
    const timeoutMs = opts?.timeoutMs ?? this.defaultTimeoutMs;
    return confirm(what, (signal) => check({ signal, timeoutMs }), { timeoutMs, signal: opts?.signal, backoff: this.verify });
  }
}

/** Resolves or rejects with `promise`, or rejects as soon as `signal` fires (for calls that ignore signals). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

function definedOnly<T extends object>(o: T | undefined): Partial<T> {
  if (o === undefined) return {};
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
