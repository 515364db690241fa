/**
 * Apply as a two-phase commit (DESIGN §3): validate here, `prepare` on every server of the new config and of the
 * old one (those leaving it too), and only when every server has validated and held it, `commit` everywhere.
 * Any refusal or unreachable server aborts the apply with nothing changed anywhere, and the answer says which
 * server said what. Applying the same config again is a no-op.
 */
import { randomUUID } from 'node:crypto';
import { validateClusterConfig } from '@kumo/shared';
import type { ApplyResult, ClusterConfig, ValidConfig } from '@kumo/shared';
import { KumoError } from '../util/errors.js';
import type { Logger } from '../util/log.js';
import type { PeerManager } from '../peers/peer-manager.js';
import type { AlertLog } from '../alerts/alert-log.js';
import { configHash } from './canonical.js';
import type { ConfigStore } from './store.js';
import { carrySecrets } from './secrets.js';

const PREPARE_TIMEOUT_MS = 10_000;
const COMMIT_TIMEOUT_MS = 10_000;

export interface ApplyDeps {
  self: string;
  store: ConfigStore;
  peers: PeerManager;
  alerts: AlertLog;
  log: Logger;
  hashPassword: (password: string) => Promise<string>;
}

export interface ApplyInput {
  config: unknown;
  passwords?: { operation?: string | null | undefined; reference?: string | null | undefined } | undefined;
  by: string;
}

interface Participant {
  name: string;
  address: string;
  port: number;
}

/** What a change needs before it fully takes effect, as CLUSTERPRO reports it. */
export function changeRequires(before: ClusterConfig | null, after: ClusterConfig): ApplyResult['requires'] {
  if (!before) return 'nothing';
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const strip = <T extends { comment?: string }>(x: T) => ({ ...x, comment: '' });
  // HTTPS changes how the agents listen and dial each other: a restart. Passwords and client lists do not.
  const cluster = (c: ClusterConfig) => ({ ...c.cluster, comment: '', webui: c.cluster.webui.https ?? null, alertLog: null, language: null });
  if (!same(before.servers, after.servers) || !same(before.interconnects, after.interconnects) || !same(cluster(before), cluster(after))) {
    return 'restart-cluster';
  }
  const groups = (c: ClusterConfig) => c.groups.map((g) => ({ ...strip(g), resources: g.resources.map(strip) }));
  if (!same(groups(before), groups(after))) return 'restart-groups';
  if (!same(before.monitors.map(strip), after.monitors.map(strip))) return 'suspend-resume';
  return 'nothing';
}

function participants(next: ValidConfig, previous: ValidConfig | null): Participant[] {
  const out = new Map<string, Participant>();
  for (const c of [previous, next]) {
    if (!c) continue;
    for (const s of c.servers) out.set(s.name, { name: s.name, address: s.address, port: c.cluster.ports.webui });
  }
  return [...out.values()];
}

export async function applyConfig(deps: ApplyDeps, input: ApplyInput): Promise<ApplyResult> {
  const current = deps.store.current;
  const withSecrets = await carrySecrets(input.config, current?.config ?? null, input.passwords, deps.hashPassword);
  const checked = validateClusterConfig(withSecrets);
  if (!checked.ok) {
    throw new KumoError('KUMO_E_VALIDATION', `the configuration is invalid (${checked.errors.length} error${checked.errors.length > 1 ? 's' : ''}); nothing was applied`, checked.errors);
  }
  const config = checked.config;
  const hash = configHash(config);
  // The peers validate the document themselves (below), but what every server stores must also validate to itself:
  // a server that missed its commit later adopts the stored form from a peer only if it does.
  const again = validateClusterConfig(config);
  if (!again.ok || configHash(again.config) !== hash) {
    throw new KumoError('KUMO_E_INTERNAL', 'the validated configuration does not validate to the same configuration again; nothing was applied (a defect in Kumo: report it with the configuration)');
  }
  if (!config.servers.some((s) => s.name === deps.self) && !current) {
    throw new KumoError(
      'KUMO_E_VALIDATION',
      `this server ("${deps.self}") is not in the configuration; the server the WebUI is loaded from must be one of the servers (it is the master server of the wizard)`,
    );
  }
  const everyone = participants(config, current?.config ?? null);
  if (current && current.hash === hash) {
    return {
      outcome: 'unchanged',
      version: current.version,
      hash,
      requires: 'nothing',
      servers: everyone.map((p) => ({ server: p.name, ok: true, message: 'already has this configuration' })),
    };
  }
  if (deps.store.hasPending()) throw new KumoError('KUMO_E_APPLY_IN_PROGRESS');

  const txId = randomUUID();
  const version = deps.store.version + 1;
  // The peers get the document as given (with the secrets carried), not its validated form: every server
  // validates it itself anyway, and the validated form, with every default written out, is ~14 times larger
  // (~200 KB at 32 servers), which every peer had to parse, MAC and validate at once. The hash compares the
  // results: a server whose validation gives anything else refuses the prepare.
  const tx = { txId, version, hash, config: withSecrets, by: input.by };
  deps.log.info('apply: prepare', { txId, version, servers: everyone.map((p) => p.name) });

  // Phase one
  const prepared = await Promise.all(
    everyone.map(async (p) => {
      try {
        if (p.name === deps.self) deps.store.prepare(tx);
        else await deps.peers.request(p.name, { op: 'config.prepare', ...tx }, PREPARE_TIMEOUT_MS, { address: p.address, port: p.port });
        return { server: p.name, ok: true, message: 'prepared', unreachable: false };
      } catch (e) {
        const err = e instanceof KumoError ? e : new KumoError('KUMO_E_INTERNAL', String(e));
        const unreachable = err.code === 'KUMO_E_APPLY_PEER_UNREACHABLE' || err.code === 'KUMO_E_TIMEOUT';
        return { server: p.name, ok: false, message: err.message, unreachable };
      }
    }),
  );
  const failed = prepared.filter((r) => !r.ok);
  if (failed.length > 0) {
    await Promise.all(
      prepared
        .filter((r) => r.ok)
        .map(async (r) => {
          try {
            if (r.server === deps.self) deps.store.abort(txId);
            else await deps.peers.request(r.server, { op: 'config.abort', txId }, COMMIT_TIMEOUT_MS, addressOf(everyone, r.server));
          } catch (e) {
            deps.log.warn(`apply: abort on ${r.server} failed; its prepared config expires by itself`, { error: String(e) });
          }
        }),
    );
    const servers = prepared.map(({ server, ok, message }) => ({ server, ok, message: ok ? 'prepared, then aborted' : message }));
    const summary = failed.map((f) => `${f.server}: ${f.message}`).join('; ');
    deps.alerts.raise('configApplyFailed', [summary]);
    throw new KumoError(
      failed.some((f) => f.unreachable) ? 'KUMO_E_APPLY_PEER_UNREACHABLE' : 'KUMO_E_APPLY_PEER_REJECTED',
      `nothing was applied anywhere: ${summary}`,
      { servers },
    );
  }

  // Phase two: the peers first, this server once they have answered, so that reconfiguring itself (redialling
  // every peer, starting its groups) does not hold up their answers. Either order is as durable: a server that
  // misses its commit takes the config from its peers when it is back.
  const commitOn = async (p: Participant) => {
    try {
      if (p.name === deps.self) deps.store.commit(txId);
      else await deps.peers.request(p.name, { op: 'config.commit', txId }, COMMIT_TIMEOUT_MS, { address: p.address, port: p.port });
      return { server: p.name, ok: true, message: 'applied' };
    } catch (e) {
      // Rare (the peer died between the phases): it takes the config from its peers when it is back.
      return { server: p.name, ok: false, message: `prepared but the commit did not arrive (${e instanceof Error ? e.message : String(e)}); it will take the configuration from its peers when it is back` };
    }
  };
  const fromPeers = await Promise.all(everyone.map((p) => (p.name === deps.self ? Promise.resolve(null) : commitOn(p))));
  const committed: ApplyResult['servers'] = [];
  for (const [i, p] of everyone.entries()) committed.push(fromPeers[i] ?? (await commitOn(p)));
  deps.alerts.raise('configApplied', [version, input.by]);
  return { outcome: 'applied', version, hash, requires: changeRequires(current?.config ?? null, config), servers: committed };
}

function addressOf(list: readonly Participant[], server: string): { address: string; port: number } | undefined {
  const p = list.find((x) => x.name === server);
  return p ? { address: p.address, port: p.port } : undefined;
}
