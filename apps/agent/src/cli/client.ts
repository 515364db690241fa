/**
 * A typed client of the agent's `/api/ws` protocol (the `kumo` CLI's, the e2e harness's and the benchmarks').
 * Requests are answered by id; events (`status`, `alert`, `session`) go to listeners.
 */
import WebSocket from 'ws';
import { MAX_UI_MESSAGE_BYTES, tooLargeMessage, uiServerMessageSchema } from '@kumo/shared';
import type { KumoErrorBody, MethodName, MethodParams, MethodResult, UiEvent } from '@kumo/shared';

export class AgentRequestError extends Error {
  override readonly name = 'AgentRequestError';
  constructor(readonly body: KumoErrorBody) {
    super(body.message);
  }
  get code(): string {
    return this.body.code;
  }
}

export class AgentClient {
  private seq = 0;
  private readonly pending = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private readonly listeners = new Set<(e: UiEvent) => void>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: Buffer) => this.onMessage(data.toString('utf8')));
    ws.on('close', () => {
      for (const p of this.pending.values()) {
        clearTimeout(p.timer);
        p.reject(new Error('the connection to the agent closed'));
      }
      this.pending.clear();
    });
  }

  /** Connects to `url` (e.g. http://127.0.0.11:29003). */
  static connect(url: string, opts: { origin?: string; timeoutMs?: number } = {}): Promise<AgentClient> {
    const wsUrl = `${url.replace(/^http/, 'ws').replace(/\/$/, '')}/api/ws`;
    return new Promise((resolve, reject) => {
      // KUMO_TLS_INSECURE=1 accepts a self-signed certificate (the cluster key, not TLS, authenticates peers).
      const insecure = process.env['KUMO_TLS_INSECURE'] === '1';
      const ws = new WebSocket(wsUrl, { handshakeTimeout: opts.timeoutMs ?? 5000, ...(opts.origin ? { origin: opts.origin } : {}), ...(insecure ? { rejectUnauthorized: false } : {}) });
      ws.once('open', () => resolve(new AgentClient(ws)));
      ws.once('error', (e) => reject(e));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`the agent refused the connection (HTTP ${res.statusCode})`)));
    });
  }

  private onMessage(text: string): void {
    let parsed;
    try {
      parsed = uiServerMessageSchema.safeParse(JSON.parse(text));
    } catch {
      return;
    }
    if (!parsed.success) return;
    const msg = parsed.data;
    if (msg.kind === 'event') {
      for (const l of this.listeners) l(msg);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    clearTimeout(p.timer);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new AgentRequestError(msg.error));
  }

  call<M extends MethodName>(method: M, params: MethodParams<M>, timeoutMs = 120_000): Promise<MethodResult<M>> {
    const id = `c${++this.seq}`;
    const frame = JSON.stringify({ kind: 'request', id, method, params });
    const bytes = Buffer.byteLength(frame);
    if (bytes > MAX_UI_MESSAGE_BYTES) return Promise.reject(new AgentRequestError({ code: 'KUMO_E_BAD_REQUEST', message: tooLargeMessage(bytes) }));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method} did not answer within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.ws.send(frame);
    });
  }

  onEvent(listener: (e: UiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.ws.close();
  }
}
