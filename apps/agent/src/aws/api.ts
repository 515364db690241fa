/**
 * `AwsApi`: everything Kumo asks of AWS, as typed calls over plain values (drivers never see SDK types).
 * Each call is one CLUSTERPRO "AWS CLI command": it ends within its `timeoutMs` (the type's AWS CLI timeout)
 * or when `signal` fires, and fails only with an `AwsCallError` (code 5 with AWS's text or "Failed in the AWS CLI
 * command.", code 6 "Timeout occurred."). `confirm` polls a read with backoff until a write is visible.
 *
 * `createAwsApi` builds it over the real SDK (see sdk-api.ts): the default credential chain, the region from
 * the cluster config or the instance metadata, endpoint overrides only from the agent's own configuration.
 */
import type { Backoff, RetryPolicy } from './call.js';
import type { InstanceIdentity } from './imds.js';
import type { RateLimiters, RateSpec } from './rate-limit.js';
import { SdkAwsApi } from './sdk-api.js';
import type { Logger } from '../util/log.js';

export type { InstanceIdentity } from './imds.js';

export interface CallOptions {
  /** The engine's signal: when it fires the call ends at once (reported as a timeout, code 6). */
  signal?: AbortSignal | undefined;
  /** The deadline of this call in ms, all attempts included (the type's AWS CLI timeout × 1000). */
  timeoutMs?: number | undefined;
}

export interface Vpc {
  id: string;
  /** Every associated IPv4 CIDR block (the primary first). */
  cidrs: string[];
  name: string | undefined;
  isDefault: boolean;
}

export interface Route {
  destination: string | undefined;
  /** The ENI the route targets, when it targets one. */
  eniId: string | undefined;
  instanceId: string | undefined;
  /** Whatever the route targets (ENI, gateway, NAT gateway, …), for display. */
  target: string | undefined;
  /** `active` or `blackhole`. */
  state: string | undefined;
}

export interface RouteTable {
  id: string;
  vpcId: string;
  name: string | undefined;
  main: boolean;
  subnetIds: string[];
  routes: Route[];
}

export interface NetworkInterface {
  id: string;
  vpcId: string;
  subnetId: string | undefined;
  availabilityZone: string | undefined;
  /** The primary private IPv4 address. */
  privateIp: string;
  privateIps: string[];
  instanceId: string | undefined;
  sourceDestCheck: boolean;
  mac: string | undefined;
  description: string | undefined;
  status: string | undefined;
  publicIp: string | undefined;
}

export interface ElasticIp {
  allocationId: string;
  publicIp: string | undefined;
  associationId: string | undefined;
  eniId: string | undefined;
  privateIp: string | undefined;
  instanceId: string | undefined;
  name: string | undefined;
}

export interface AvailabilityZone {
  name: string;
  zoneId: string | undefined;
  /** available, information, impaired, unavailable (or a state AWS adds later). */
  state: string;
  messages: string[];
}

export interface Instance {
  id: string;
  /** pending, running, stopping, stopped, shutting-down, terminated. */
  state: string;
  availabilityZone: string | undefined;
  name: string | undefined;
  vpcId: string | undefined;
  privateIp: string | undefined;
  eniIds: string[];
}

export interface HostedZone {
  /** Without the `/hostedzone/` prefix. */
  id: string;
  /** With the trailing dot. */
  name: string;
  private: boolean;
  comment: string | undefined;
  recordCount: number | undefined;
}

export interface HostedZoneDetail extends HostedZone {
  /** The VPCs a private zone is associated with. */
  vpcs: { id: string; region: string | undefined }[];
}

export interface RecordSet {
  /** Lower case with the trailing dot, as Route 53 returns it. */
  name: string;
  type: string;
  ttl: number | undefined;
  values: string[];
}

export interface RecordChange {
  action: 'CREATE' | 'UPSERT' | 'DELETE';
  record: RecordSet;
}

export interface ChangeInfo {
  /** Without the `/change/` prefix. */
  id: string;
  status: 'PENDING' | 'INSYNC';
}

export interface AwsApi {
  /** The region in use: the cluster config's, else this instance's. */
  region(opts?: CallOptions): Promise<string>;
  /** This instance, from the instance metadata (IMDSv2). */
  self(opts?: CallOptions): Promise<InstanceIdentity>;

  describeVpcs(filter: { ids?: readonly string[] | undefined }, opts?: CallOptions): Promise<Vpc[]>;
  describeRouteTables(filter: { vpcId?: string | undefined; ids?: readonly string[] | undefined }, opts?: CallOptions): Promise<RouteTable[]>;
  replaceRoute(input: { routeTableId: string; destination: string; eniId: string }, opts?: CallOptions): Promise<void>;
  describeNetworkInterfaces(
    filter: { ids?: readonly string[] | undefined; vpcId?: string | undefined; instanceId?: string | undefined },
    opts?: CallOptions,
  ): Promise<NetworkInterface[]>;
  describeAddresses(filter: { allocationIds?: readonly string[] | undefined }, opts?: CallOptions): Promise<ElasticIp[]>;
  /** Associates (reassociating from wherever it is) and returns the association ID. */
  associateAddress(input: { allocationId: string; eniId: string; privateIp?: string | undefined }, opts?: CallOptions): Promise<string | undefined>;
  disassociateAddress(input: { associationId: string }, opts?: CallOptions): Promise<void>;
  describeAvailabilityZones(filter: { names?: readonly string[] | undefined }, opts?: CallOptions): Promise<AvailabilityZone[]>;
  describeInstances(filter: { ids?: readonly string[] | undefined; vpcId?: string | undefined }, opts?: CallOptions): Promise<Instance[]>;
  stopInstances(input: { ids: readonly string[]; force: boolean }, opts?: CallOptions): Promise<void>;

  listHostedZones(opts?: CallOptions): Promise<HostedZone[]>;
  getHostedZone(id: string, opts?: CallOptions): Promise<HostedZoneDetail>;
  /** Every record set of a zone. */
  listRecordSets(zoneId: string, opts?: CallOptions): Promise<RecordSet[]>;
  /** The record set with exactly this name and type, if there is one. */
  getRecordSet(zoneId: string, name: string, type: string, opts?: CallOptions): Promise<RecordSet | undefined>;
  changeRecordSets(zoneId: string, changes: readonly RecordChange[], opts?: CallOptions): Promise<ChangeInfo>;
  getChange(id: string, opts?: CallOptions): Promise<ChangeInfo>;

  /**
   * Polls `check` until it returns true (at once, then with growing jittered delays), within `timeoutMs`:
   * how every write is confirmed. Fails with code 6 when time runs out, or with the error of a read.
   */
  confirm(what: string, check: (opts: CallOptions) => Promise<boolean>, opts?: CallOptions): Promise<void>;
}

export interface AwsApiOptions {
  /** `cluster.aws.region`; without it, the instance's region from IMDS. */
  region?: string | undefined;
  /**
   * Endpoint overrides from the agent's own configuration (its flags / environment), for the emulator. Without
   * them the SDK uses AWS's endpoints, or `AWS_ENDPOINT_URL_EC2` / `AWS_ENDPOINT_URL_ROUTE_53`.
   */
  endpoints?: { ec2?: string | undefined; route53?: string | undefined } | undefined;
  /**
   * The instance metadata endpoint; default `AWS_EC2_METADATA_SERVICE_ENDPOINT`, else 169.254.169.254. When
   * given, credentials come from the environment's keys if set, else from this endpoint's instance role;
   * without it the SDK's default credential chain (which honours the same variable) is used.
   */
  imdsEndpoint?: string | undefined;
  /** The account, for the rate-limiter key; default from the instance identity document. */
  accountId?: string | undefined;
  /** Deadline of a call that names none (CLUSTERPRO's AWS CLI timeout default: 100 s). */
  defaultTimeoutMs?: number | undefined;
  imdsTimeoutMs?: number | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  /** Backoff of `confirm` (write confirmation, INSYNC, instance state). */
  verify?: Partial<Backoff> | undefined;
  rates?: { ec2?: RateSpec | undefined; route53?: RateSpec | undefined } | undefined;
  /** Where the per-account, per-region buckets live; default the process-wide registry. */
  limiters?: RateLimiters | undefined;
  log?: Logger | undefined;
}

export function createAwsApi(opts: AwsApiOptions = {}): AwsApi {
  return new SdkAwsApi(opts);
}
