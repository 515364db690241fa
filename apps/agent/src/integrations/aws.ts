/**
 * Wires the AWS layer into an agent: the AwsApi (credentials from the instance role, endpoints from the agent's
 * own flags), the AWS drivers, forced stop, and the wizard's discovery, IAM policy and preflight methods.
 */
import { validateClusterConfig } from '@kumo/shared';
import { createAwsApi } from '../aws/api.js';
import type { AwsApi } from '../aws/api.js';
import { discover } from '../aws/discovery.js';
import { fenceServer } from '../aws/fence.js';
import { iamPolicyFor } from '../aws/iam-policy.js';
import { preflight } from '../aws/preflight.js';
import type { Agent } from '../agent.js';
import { KumoError } from '../util/errors.js';
import type { Logger } from '../util/log.js';

export interface AwsIntegrationOptions {
  endpoints?: { ec2?: string | undefined; route53?: string | undefined };
  imdsEndpoint?: string | undefined;
  region?: string | undefined;
  log: Logger;
}

export function createAws(opts: AwsIntegrationOptions): AwsApi {
  return createAwsApi({
    ...(opts.region ? { region: opts.region } : {}),
    ...(opts.endpoints ? { endpoints: opts.endpoints } : {}),
    ...(opts.imdsEndpoint ? { imdsEndpoint: opts.imdsEndpoint } : {}),
    log: opts.log,
  });
}

/** Forced stop of a lost peer's instance, as the engine asks for it. */
export function awsFence(aws: AwsApi, agent: () => Agent, log: Logger) {
  return async (server: string, instanceId: string, delayMs: number): Promise<{ ok: boolean; message: string }> => {
    const self = await aws.self().catch((e: unknown) => {
      throw new Error(`this server's own instance is unknown (instance metadata: ${e instanceof Error ? e.message : String(e)})`, { cause: e });
    });
    const stopTimeoutS = agent().config?.cluster.forcedStop.stopTimeoutS ?? 240;
    log.warn(`forced stop of ${server} (${instanceId}) in ${delayMs} ms`);
    return fenceServer({ aws, selfInstanceId: self.instanceId, targetInstanceId: instanceId, delayMs, stopTimeoutMs: stopTimeoutS * 1000, log });
  };
}

function configOf(raw: unknown) {
  const r = validateClusterConfig(raw);
  if (!r.ok) throw new KumoError('KUMO_E_VALIDATION', `the configuration is invalid (${r.errors.length} error${r.errors.length > 1 ? 's' : ''}); fix them first`, r.errors);
  return r.config;
}

/** The wizard's AWS methods. */
export function extendWithAws(agent: Agent, aws: AwsApi): void {
  agent.extend('aws.discover', async (p) => {
    try {
      return await discover(aws, p.vpcId === undefined ? { what: p.what } : { what: p.what, vpcId: p.vpcId });
    } catch (e) {
      throw new KumoError('KUMO_E_AWS', `discovery of ${p.what} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
  agent.extend('aws.iamPolicy', async (p) => {
    const config = configOf(p.config);
    // ReplaceRoute is scoped to the route tables that hold a VIP's /32 (when AWS can be asked).
    const vips = new Set(config.groups.flatMap((g) => g.resources.filter((r) => r.type === 'awsvip').map((r) => `${String(r.params['ip'])}/32`)));
    const tables = vips.size > 0 ? await aws.describeRouteTables({}, { timeoutMs: 10_000 }).catch(() => []) : [];
    const routeTableIds = tables.filter((t) => t.routes.some((r) => vips.has(r.destination ?? ''))).map((t) => t.id);
    const self = await aws.self({ timeoutMs: 3000 }).catch(() => undefined);
    const r = iamPolicyFor(config, { routeTableIds, ...(self?.accountId ? { accountId: self.accountId } : {}) });
    return { policy: r.policy, text: r.text };
  });
  agent.extend('aws.preflight', async (p) => ({ checks: await preflight(configOf(p.config), aws, { server: agent.name }) }));
}
