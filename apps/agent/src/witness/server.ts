/**
 * `kumo-agent witness`: an HTTP NP target (HEAD / answers 200, so it works like the guide's aws.amazon.com:443)
 * that also records which servers of a cluster it hears from and tells each server what the others last said
 * (DESIGN §4). Run it on a small always-on host outside both servers' failure domains, with the cluster key.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { ClusterKey } from '../crypto/cluster-key.js';
import type { Logger } from '../util/log.js';
import { sign, verified, WITNESS_PATH, witnessReportSchema } from './protocol.js';
import type { WitnessAnswer } from './protocol.js';

const FRESHNESS_MS = 60_000;

export function buildWitness(opts: { key: ClusterKey; log: Logger; now?: () => number }): FastifyInstance {
  const now = opts.now ?? Date.now;
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });
  /** cluster → server → last report */
  const clusters = new Map<string, Map<string, { at: number; service: string; activeGroups: string[] }>>();
  const nonces = new Map<string, number>();

  app.head('/', async (_req, reply) => reply.code(200).send());
  app.get('/', async () => ({ service: 'kumo-witness', ok: true }));
  app.get('/api/health', async () => ({ ok: true }));

  app.post(WITNESS_PATH, async (req, reply) => {
    const parsed = witnessReportSchema.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send({ error: 'malformed witness report' });
    const r = parsed.data;
    if (!verified(opts.key, r)) {
      opts.log.warn(`refused a witness report claiming to be ${r.server} from ${req.ip}: bad signature (wrong cluster key)`);
      return reply.code(401).send({ error: 'bad signature: the server does not hold the cluster key' });
    }
    const t = now();
    if (Math.abs(t - r.time) > FRESHNESS_MS || nonces.has(r.nonce)) {
      opts.log.warn(`refused a replayed or stale witness report from ${r.server}`);
      return reply.code(401).send({ error: 'replayed or stale report' });
    }
    nonces.set(r.nonce, t);
    for (const [n, at] of nonces) if (t - at > 2 * FRESHNESS_MS) nonces.delete(n);
    let servers = clusters.get(r.cluster);
    if (!servers) {
      servers = new Map();
      clusters.set(r.cluster, servers);
    }
    servers.set(r.server, { at: t, service: r.service, activeGroups: r.activeGroups });
    const answer: Omit<WitnessAnswer, 'mac'> = {
      time: t,
      nonce: r.nonce,
      servers: Object.fromEntries([...servers].map(([name, s]) => [name, { lastSeenMsAgo: t - s.at, service: s.service as WitnessAnswer['servers'][string]['service'], activeGroups: s.activeGroups }])),
    };
    return sign<WitnessAnswer>(opts.key, answer);
  });
  return app;
}
