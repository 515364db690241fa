/**
 * `buildServer(agent)`: the agent's HTTP face, built without listening (tests use `inject()`):
 *  - the built WebUI (single-page app) at `/`;
 *  - `/api/ws`: the WebUI's WebSocket (also the `kumo` CLI's); cross-origin browsers are refused;
 *  - `/api/peer`: the other agents' WebSocket, authenticated with the cluster key;
 *  - `GET /api/v1/status`: the cluster status as JSON for scripts and monitoring systems (CLUSTERPRO's REST
 *    API offers the same), behind the WebUI's passwords (HTTP Basic) when they are set;
 *  - `GET /api/health`: liveness.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ERROR_CODES } from '@kumo/shared';
import type { Agent } from './agent.js';
import { acceptPeer, PeerAuthError } from './peers/peer-link.js';
import { KumoError } from './util/errors.js';
import { handleUiSocket } from './ui/ws-handler.js';
import { VERSION } from './version.js';

export const DEFAULT_WEBUI_DIR = fileURLToPath(new URL('../../webui/dist', import.meta.url));

export interface ServerOptions {
  webuiDir?: string;
  https?: { key: Buffer; cert: Buffer };
}

/**
 * Origin check for browser WebSockets: the page must come from this agent, or from another server of the same
 * cluster (the WebUI reconnects to another server when its own dies). Anything else is a cross-site attempt.
 */
export function allowedOrigin(req: FastifyRequest, agent: Agent): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser (the CLI, a peer, a script)
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  if (host === req.headers.host) return true;
  const config = agent.config;
  return !!config && config.servers.some((s) => `${s.address}:${config.cluster.ports.webui}` === host);
}

export async function buildServer(agent: Agent, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 8 * 1024 * 1024, ...(opts.https ? { https: opts.https } : {}) });
  await app.register(fastifyWebsocket, { options: { maxPayload: 64 * 1024 * 1024, perMessageDeflate: false } });

  app.setErrorHandler((err, _req, reply) => {
    if (err instanceof KumoError) return reply.code(err.status).send({ error: err.toBody() });
    const status = typeof (err as { statusCode?: unknown }).statusCode === 'number' ? (err as { statusCode: number }).statusCode : 500;
    return reply.code(status).send({ error: { code: status < 500 ? 'KUMO_E_BAD_REQUEST' : 'KUMO_E_INTERNAL', message: err instanceof Error ? err.message : String(err) } });
  });

  app.get('/api/health', async () => ({
    ok: true,
    server: agent.name,
    version: VERSION,
    configured: agent.config !== null,
    service: agent.engine.snapshot.service,
  }));

  app.get('/api/v1/status', async (req, reply) => {
    const ip = req.ip;
    let role = agent.sessions.anonymousRole(ip);
    const auth = req.headers.authorization;
    if (!role && auth?.startsWith('Basic ')) {
      const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
      const password = decoded.slice(decoded.indexOf(':') + 1);
      role = (await agent.sessions.login({ password }, ip).catch(() => null))?.role ?? null;
    } else if (!role && auth?.startsWith('Bearer ')) {
      role = agent.sessions.verifyToken(auth.slice(7), ip)?.role ?? null;
    }
    if (!role) {
      reply.header('www-authenticate', 'Basic realm="kumo"');
      return reply.code(401).send({ error: { code: 'KUMO_E_AUTH_REQUIRED', message: ERROR_CODES.KUMO_E_AUTH_REQUIRED.message.en } });
    }
    return agent.status();
  });

  app.get(
    '/api/ws',
    {
      websocket: true,
      preValidation: async (req, reply) => {
        if (!allowedOrigin(req, agent)) {
          await reply.code(403).send({ error: { code: 'KUMO_E_ORIGIN_DENIED', message: ERROR_CODES.KUMO_E_ORIGIN_DENIED.message.en } });
          return;
        }
        if (!agent.sessions.addressCap(req.ip)) {
          await reply.code(403).send({ error: { code: 'KUMO_E_CLIENT_ADDRESS_DENIED', message: ERROR_CODES.KUMO_E_CLIENT_ADDRESS_DENIED.message.en } });
        }
      },
    },
    (socket, req) => handleUiSocket(agent, socket, req.ip),
  );

  app.get('/api/peer', { websocket: true }, (socket, req) => {
    // Read the address now: once the socket is gone, `req.ip` is undefined (and an alert argument must be a string).
    const ip = (req.ip as string | undefined) ?? 'unknown';
    acceptPeer(socket, ip, { key: agent.opts.key, self: agent.name, selfAddress: agent.opts.listenHost, liveness: () => agent.peerLiveness() }).then(
      (link) => agent.peers.adopt(link),
      (e: unknown) => {
        const reason = e instanceof PeerAuthError ? e.message : String(e);
        if (e instanceof PeerAuthError && e.aborted) {
          // The dialler gave up or went away mid-handshake (a busy or restarting peer): nothing was proven wrong.
          agent.log.debug(`a peer connection from ${ip} ended during the handshake: ${reason}`);
          return;
        }
        agent.log.warn(`refused a peer connection from ${ip}: ${reason}`);
        agent.peers.refused({ server: null, address: ip, reason });
      },
    );
  });

  const webuiDir = opts.webuiDir ?? DEFAULT_WEBUI_DIR;
  if (existsSync(path.join(webuiDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: webuiDir, wildcard: false, index: ['index.html'] });
    app.setNotFoundHandler((req, reply) => {
      if (req.method === 'GET' && !req.url.startsWith('/api/')) return reply.type('text/html').sendFile('index.html');
      return reply.code(404).send({ error: { code: 'KUMO_E_NOT_FOUND', message: `${req.method} ${req.url} does not exist` } });
    });
  } else {
    app.get('/', async (_req, reply) =>
      reply
        .type('text/html')
        .send('<!doctype html><title>Kumo</title><p>The Cluster WebUI is not built. Run <code>pnpm build</code> and restart the agent.</p>'),
    );
  }
  return app;
}
