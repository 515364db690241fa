/**
 * One WebUI (or `kumo` CLI) connection over `/api/ws`: requests parsed with the shared protocol, access checked
 * per method (public / reference / operate), answers with a result or a coded error, and live `status` and
 * `alert` events pushed to logged-in connections. A cross-origin browser connection is refused at the upgrade.
 */
import type WebSocket from 'ws';
import { MAX_UI_MESSAGE_BYTES, METHODS, tooLargeMessage, uiRequestSchema } from '@kumo/shared';
import type { AlertEntry, MethodName, UiEvent } from '@kumo/shared';
import type { Agent } from '../agent.js';
import { KumoError, toErrorBody } from '../util/errors.js';
import { VERSION } from '../version.js';
import type { Role } from './sessions.js';

const STATUS_MIN_INTERVAL_MS = 100;

export function handleUiSocket(agent: Agent, ws: WebSocket, ip: string): void {
  let role: Role | null = agent.sessions.anonymousRole(ip);
  /** CLUSTERPRO names the requester in its alerts: the WebUI or a command. */
  let client = 'WebUI';
  let token: string | null = null;
  let expiresAt = Number.POSITIVE_INFINITY;
  let lastStatus = '';
  let statusTimer: NodeJS.Timeout | undefined;
  let statusDue = false;

  const send = (msg: unknown) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  };
  const event = (e: UiEvent) => send(e);

  const currentRole = (): Role | null => {
    if (token && Date.now() > expiresAt) {
      token = null;
      expiresAt = Number.POSITIVE_INFINITY;
      role = agent.sessions.anonymousRole(ip);
      event({ kind: 'event', event: 'session', data: { role, reason: 'expired' } });
    }
    return role;
  };

  const pushStatus = () => {
    if (!currentRole()) return;
    const status = agent.status();
    const text = JSON.stringify({ ...status, generatedAt: 0 });
    if (text === lastStatus) return;
    lastStatus = text;
    event({ kind: 'event', event: 'status', data: status });
  };
  const scheduleStatus = () => {
    if (statusTimer) {
      statusDue = true;
      return;
    }
    pushStatus();
    statusTimer = setTimeout(() => {
      statusTimer = undefined;
      if (statusDue) {
        statusDue = false;
        pushStatus();
      }
    }, STATUS_MIN_INTERVAL_MS);
  };
  const onAlert = (entry: AlertEntry) => {
    if (currentRole()) event({ kind: 'event', event: 'alert', data: entry });
  };
  agent.on('status', scheduleStatus);
  agent.on('alert', onAlert);
  // Heartbeat ages and monitor timestamps change without events: refresh now and then.
  const ticker = setInterval(scheduleStatus, 1000);
  ws.on('close', () => {
    agent.off('status', scheduleStatus);
    agent.off('alert', onAlert);
    clearInterval(ticker);
    if (statusTimer) clearTimeout(statusTimer);
  });
  ws.on('error', () => ws.terminate());

  ws.on('message', (data, isBinary) => {
    void (async () => {
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : (data as Buffer).length;
      if (isBinary || size > MAX_UI_MESSAGE_BYTES) {
        send({ kind: 'response', id: '', ok: false, error: { code: 'KUMO_E_BAD_REQUEST', message: isBinary ? 'send JSON text messages, not binary ones' : tooLargeMessage(size) } });
        return;
      }
      let id = '';
      try {
        let raw: unknown;
        try {
          raw = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
        } catch {
          throw new KumoError('KUMO_E_BAD_REQUEST', 'the message is not JSON; send {"kind":"request","id":…,"method":…,"params":…}');
        }
        if (typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string') id = raw.id.slice(0, 64);
        const req = uiRequestSchema.safeParse(raw);
        if (!req.success) throw new KumoError('KUMO_E_BAD_REQUEST', 'the request is malformed; send {"kind":"request","id":string,"method":one of the known methods,"params":object}');
        id = req.data.id;
        const method: MethodName = req.data.method;
        const def = METHODS[method];
        const params = def.params.safeParse(req.data.params ?? {});
        if (!params.success) {
          throw new KumoError('KUMO_E_BAD_REQUEST', `the parameters of ${method} are invalid: ${params.error.issues.map((i) => `${i.path.join('.') || 'params'}: ${i.message}`).join('; ')}`);
        }
        const result = await dispatch(method, params.data);
        send({ kind: 'response', id, ok: true, result });
      } catch (e) {
        send({ kind: 'response', id, ok: false, error: toErrorBody(e) });
      }
    })();
  });

  async function dispatch(method: MethodName, params: unknown): Promise<unknown> {
    switch (method) {
      case 'session.info': {
        const config = agent.config;
        return {
          server: agent.name,
          version: VERSION,
          role: currentRole(),
          passwordRequired: agent.sessions.passwordRequired(),
          configured: config !== null,
          peers: (config?.servers ?? []).map((s) => ({ name: s.name, address: s.address, port: config?.cluster.ports.webui ?? 29003 })),
        };
      }
      case 'session.login': {
        const p = METHODS['session.login'].params.parse(params);
        try {
          const r = await agent.sessions.login(p, ip);
          if (p.localToken !== undefined) client = 'kumo command';
          role = r.role;
          token = r.token;
          expiresAt = r.expiresAt;
          lastStatus = '';
          scheduleStatus();
          return r;
        } catch (e) {
          if (e instanceof KumoError && e.code === 'KUMO_E_AUTH_FAILED' && p.password !== undefined) agent.raise('loginFailed', [ip]);
          throw e;
        }
      }
      case 'session.logout':
        if (token) agent.sessions.revoke(token);
        token = null;
        expiresAt = Number.POSITIVE_INFINITY;
        role = agent.sessions.anonymousRole(ip);
        return { ok: true };
      default: {
        const need = METHODS[method].access;
        const have = currentRole();
        if (need !== 'public' && !have) {
          throw new KumoError(agent.sessions.addressCap(ip) ? 'KUMO_E_AUTH_REQUIRED' : 'KUMO_E_CLIENT_ADDRESS_DENIED');
        }
        if (need === 'operate' && have !== 'operate') throw new KumoError('KUMO_E_FORBIDDEN');
        return agent.ui(method, params, { role: have, ip, actor: client });
      }
    }
  }

  pushStatus();
}
