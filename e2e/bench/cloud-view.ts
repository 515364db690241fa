/**
 * What the AWS emulator shows for the guide's three chapters: which server the VIP routes, the EIP and the DNS
 * record point at. Read from the emulator's in-process state dump (no API call, so watching costs the agents
 * nothing and adds no rows to the request log), and for DNS also by asking the emulator's DNS server, as a
 * client would. The expected values come from the chapter config the cluster applied.
 */
import { Resolver } from 'node:dns/promises';
import type { ClusterConfigInput } from '@kumo/shared';
import type { GuideChapter, KumoCluster } from '../harness/cluster.js';
import { sleep } from './figures.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function list(v: unknown, key: string): Obj[] {
  const x = isObj(v) ? v[key] : undefined;
  return Array.isArray(x) ? x.filter(isObj) : [];
}

function str(v: unknown, key: string): string | undefined {
  const x = isObj(v) ? v[key] : undefined;
  return typeof x === 'string' ? x : undefined;
}

/** A resource's effective parameter on one server: the per-server value, else the common one. */
function param(config: ClusterConfigInput, type: string, name: string, server: string): string {
  for (const g of config.groups ?? []) {
    for (const r of g.resources ?? []) {
      if (r.type !== type) continue;
      const v = r.perServer?.[server]?.[name] ?? r.params?.[name];
      if (typeof v === 'string') return v;
    }
  }
  throw new Error(`the config has no ${type} resource with ${name} for ${server}`);
}

export class CloudView {
  private readonly resolver: Resolver;

  constructor(
    private readonly cluster: KumoCluster,
    readonly chapter: GuideChapter,
    private readonly config: ClusterConfigInput,
  ) {
    this.resolver = new Resolver({ timeout: 250, tries: 1 });
    this.resolver.setServers([`${cluster.cloud.dns.host}:${cluster.cloud.dns.port}`]);
  }

  /** What the emulator's API shows as switched to `server` (VIP: every route table; EIP: the association; DNS: the INSYNC record). */
  switchedTo(server: string): boolean {
    const state = this.cluster.cloud.state();
    switch (this.chapter) {
      case 'vip': {
        const cidr = `${param(this.config, 'awsvip', 'ip', server)}/32`;
        const eni = param(this.config, 'awsvip', 'eniId', server);
        const vpc = param(this.config, 'awsvip', 'vpcId', server);
        const tables = list(state, 'routeTables').filter((t) => str(t, 'vpcId') === vpc && list(t, 'routes').some((r) => str(r, 'destination') === cidr));
        return tables.length > 0 && tables.every((t) => list(t, 'routes').find((r) => str(r, 'destination') === cidr)?.['target'] === eni);
      }
      case 'eip': {
        const alloc = param(this.config, 'awseip', 'allocationId', server);
        const eni = param(this.config, 'awseip', 'eniId', server);
        const address = list(state, 'addresses').find((a) => str(a, 'allocationId') === alloc);
        return str(address?.['association'], 'eniId') === eni;
      }
      case 'dns': {
        const zone = list(state, 'hostedZones').find((z) => str(z, 'id') === param(this.config, 'awsdns', 'hostedZoneId', server));
        const name = param(this.config, 'awsdns', 'recordName', server).toLowerCase();
        const ip = param(this.config, 'awsdns', 'ip', server);
        // `served` is what the emulator's DNS answers: it catches up when the change is INSYNC.
        const record = list(zone, 'served').find((r) => str(r, 'name') === name && str(r, 'type') === 'A');
        const values = isObj(record) && Array.isArray(record['values']) ? record['values'] : [];
        return values.length === 1 && values[0] === ip;
      }
      default: {
        const check: never = this.chapter;
        throw new Error(`unknown chapter ${String(check)}`);
      }
    }
  }

  /** DNS only: the emulator's DNS server answers the record with `server`'s IP alone. */
  async resolvesTo(server: string): Promise<boolean> {
    const name = param(this.config, 'awsdns', 'recordName', server).replace(/\.$/, '');
    try {
      const answers = await this.resolver.resolve4(name);
      return answers.length === 1 && answers[0] === param(this.config, 'awsdns', 'ip', server);
    } catch {
      return false;
    }
  }

  /** Polls `switchedTo` every 5 ms; resolves with the wall-clock time it first held, or null at the deadline or when `stop()`. */
  async waitSwitched(server: string, timeoutMs: number, stop?: () => boolean): Promise<number | null> {
    return pollUntil(() => this.switchedTo(server), timeoutMs, 5, stop);
  }

  async waitResolvable(server: string, timeoutMs: number, stop?: () => boolean): Promise<number | null> {
    return pollUntil(() => this.resolvesTo(server), timeoutMs, 10, stop);
  }

  /** The request log's position now, for `callsSince`. */
  mark(): number {
    return this.cluster.cloud.requests().at(-1)?.seq ?? 0;
  }

  /** The AWS calls the agents made after `mark`, as ms after `t0` (the AZ monitor's polls left out). */
  callsSince(mark: number, t0: number): { ms: number; what: string }[] {
    const servers = new Map(this.cluster.names.map((n) => [this.cluster.instanceOf(n), n]));
    return this.cluster.cloud
      .requests({ since: mark })
      .filter((r) => r.service !== 'imds' && r.operation !== 'DescribeAvailabilityZones')
      .map((r) => ({ ms: Date.parse(r.time) - t0, what: `${servers.get(r.instanceId ?? '') ?? r.instanceId ?? '?'} ${r.operation}` }));
  }

  cancel(): void {
    this.resolver.cancel();
  }
}

/** Polls `check` until it is true; the wall-clock time (Date.now()) it was first seen true, or null (deadline, or `stop()`). */
export async function pollUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs: number, stop?: () => boolean): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return Date.now();
    if (Date.now() > deadline || stop?.()) return null;
    await sleep(everyMs);
  }
}
