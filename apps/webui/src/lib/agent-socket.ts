/**
 * The typed WebSocket client of the agent's `/api/ws` (DESIGN §7): one socket per browser, requests answered by
 * responses with the same id, and pushed events (`status`, `alert`, `session`). Every frame the agent sends is
 * parsed with the shared protocol schemas, and every result with its method's result schema, so nothing untyped
 * reaches a component.
 *
 * Contract:
 *  - `request()` may be called at any time; while the socket is (re)connecting the request waits in a queue. It
 *    rejects with an `AgentRequestError` carrying the agent's error code (`KUMO_E_*`) and details, or a client
 *    code (`KUMO_C_*`) when the answer did not come (timeout, connection lost, malformed answer).
 *  - A lost connection is re-opened with exponential backoff and jitter, for ever, until `close()`. Requests in
 *    flight when it drops are rejected (the agent may or may not have run them; the caller decides what to do).
 *  - A session token obtained through `session.login` is presented again after a reconnect, before anything else.
 *
 * Components depend on the `AgentClient` interface only; tests give them a fake (`src/testing/fake-agent.ts`).
 */
import { METHODS, uiServerMessageSchema } from '@kumo/shared';
import type { ErrorCode, MethodName, MethodParams, MethodResult, UiEvent } from '@kumo/shared';

export type ConnectionState = 'connecting' | 'open' | 'closed';
export type EventName = UiEvent['event'];
export type EventData<E extends EventName> = Extract<UiEvent, { event: E }>['data'];

/** Errors the client itself raises when no answer came. */
export type ClientErrorCode = 'KUMO_C_DISCONNECTED' | 'KUMO_C_TIMEOUT' | 'KUMO_C_BAD_RESPONSE';

export class AgentRequestError extends Error {
  constructor(
    readonly code: ErrorCode | ClientErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AgentRequestError';
  }
}

export interface RequestOptions {
  /** Overrides the method's default timeout. */
  readonly timeoutMs?: number;
}

/** What the WebUI needs from the agent; `AgentSocket` implements it over a WebSocket. */
export interface AgentClient {
  readonly state: ConnectionState;
  request<M extends MethodName>(method: M, params: MethodParams<M>, options?: RequestOptions): Promise<MethodResult<M>>;
  /** Listens to a pushed event; returns the unsubscribe function. */
  subscribe<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void;
  onStateChange(listener: (state: ConnectionState) => void): () => void;
}

/** The part of the DOM WebSocket the client uses (so tests can hand in a fake). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface AgentSocketOptions {
  readonly url: string;
  readonly createSocket?: (url: string) => WebSocketLike;
  readonly defaultTimeoutMs?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** For tests: the jitter source (0..1). */
  readonly random?: () => number;
}

const OPEN = 1;

/** Methods that legitimately take long: a two-phase apply waits up to 10 s per phase; preflight calls AWS. */
const METHOD_TIMEOUT_MS: Partial<Record<MethodName, number>> = {
  'config.apply': 60_000,
  'aws.preflight': 60_000,
  'aws.discover': 30_000,
  'servers.probe': 15_000,
};

interface Pending {
  readonly method: MethodName;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: AgentRequestError) => void;
  readonly timer: ReturnType<typeof setTimeout>;
  frame: string;
  sent: boolean;
}

/** The URL of the agent's WebSocket for a page served by the agent (or by Vite's dev proxy). */
export function defaultSocketUrl(loc: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${loc.protocol === 'https:' ? 'wss:' : 'ws:'}//${loc.host}/api/ws`;
}

export class AgentSocket implements AgentClient {
  private socket: WebSocketLike | null = null;
  private seq = 0;
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private closedByUser = false;
  private token: string | null = null;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Map<EventName, Set<(data: never) => void>>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private current: ConnectionState = 'connecting';
  /** Until a resumed session is confirmed after a reconnect, requests wait. */
  private ready = false;
  private readonly createSocket: (url: string) => WebSocketLike;
  private readonly defaultTimeoutMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly random: () => number;

  constructor(private readonly opts: AgentSocketOptions) {
    this.createSocket = opts.createSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike);
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 20_000;
    this.backoff = { initialMs: opts.backoff?.initialMs ?? 500, maxMs: opts.backoff?.maxMs ?? 10_000 };
    this.random = opts.random ?? Math.random;
    this.connect();
  }

  get state(): ConnectionState {
    return this.current;
  }

  request<M extends MethodName>(method: M, params: MethodParams<M>, options?: RequestOptions): Promise<MethodResult<M>> {
    return this.send(method, params, options).then((result) => {
      if (method === 'session.login') {
        const r = METHODS['session.login'].result.safeParse(result);
        if (r.success) this.token = r.data.token;
      } else if (method === 'session.logout') {
        this.token = null;
      }
      return result as MethodResult<M>;
    });
  }

  subscribe<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = listener as (data: never) => void;
    set.add(l);
    return () => set.delete(l);
  }

  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Closes the socket for good; pending requests are rejected. */
  close(): void {
    this.closedByUser = true;
    clearTimeout(this.reconnectTimer);
    this.socket?.close(1000, 'closed by the page');
    this.socket = null;
    this.failPending('the connection was closed');
    this.setState('closed');
  }

  private setState(state: ConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    for (const l of this.stateListeners) l(state);
  }

  private connect(): void {
    if (this.closedByUser) return;
    this.ready = false;
    this.setState('connecting');
    let socket: WebSocketLike;
    try {
      socket = this.createSocket(this.opts.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.attempt = 0;
      this.setState('open');
      void this.resume();
    };
    socket.onmessage = (ev) => this.onMessage(ev.data);
    socket.onerror = () => {
      // The close event follows and does the work.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.ready = false;
      this.failPending('the connection to the agent was lost');
      if (this.closedByUser) return;
      this.setState('connecting');
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    const base = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.attempt);
    this.attempt += 1;
    const delay = Math.round(base * (0.5 + this.random() / 2));
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** After (re)connecting: present the session token first, then let the queue go. */
  private async resume(): Promise<void> {
    if (this.token) {
      const token = this.token;
      try {
        await this.send('session.login', { token }, undefined, true);
      } catch {
        // The token expired or the cluster key changed: carry on anonymously; a `session` event tells the page.
        this.token = null;
      }
    }
    this.ready = true;
    this.flush();
  }

  private flush(): void {
    if (!this.ready || !this.socket || this.socket.readyState !== OPEN) return;
    for (const p of this.pending.values()) {
      if (!p.sent) {
        this.socket.send(p.frame);
        p.sent = true;
      }
    }
  }

  private send(method: MethodName, params: unknown, options: RequestOptions | undefined, bypassQueue = false): Promise<unknown> {
    const id = `r${++this.seq}`;
    const frame = JSON.stringify({ kind: 'request', id, method, params });
    const timeoutMs = options?.timeoutMs ?? METHOD_TIMEOUT_MS[method] ?? this.defaultTimeoutMs;
    return new Promise((resolve, reject) => {
      if (this.closedByUser) {
        reject(new AgentRequestError('KUMO_C_DISCONNECTED', 'the connection was closed'));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AgentRequestError('KUMO_C_TIMEOUT', `${method} was not answered within ${Math.round(timeoutMs / 1000)} s`));
      }, timeoutMs);
      const p: Pending = { method, resolve, reject, timer, frame, sent: false };
      this.pending.set(id, p);
      if ((this.ready || bypassQueue) && this.socket && this.socket.readyState === OPEN) {
        this.socket.send(frame);
        p.sent = true;
      }
    });
  }

  private failPending(reason: string): void {
    for (const [id, p] of this.pending) {
      // Requests not yet sent survive a reconnect; those in flight have an unknown outcome and fail.
      if (!p.sent && !this.closedByUser) continue;
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new AgentRequestError('KUMO_C_DISCONNECTED', reason));
    }
  }

  private onMessage(data: unknown): void {
    if (typeof data !== 'string') return;
    let raw: unknown;
    try {
      raw = JSON.parse(data);
    } catch {
      return;
    }
    const parsed = uiServerMessageSchema.safeParse(raw);
    if (!parsed.success) {
      // A response we cannot read still settles its request, so that nothing waits for ever.
      const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? raw.id : undefined;
      const p = id === undefined ? undefined : this.pending.get(id);
      if (id !== undefined && p) {
        clearTimeout(p.timer);
        this.pending.delete(id);
        p.reject(new AgentRequestError('KUMO_C_BAD_RESPONSE', `the agent's answer to ${p.method} is malformed`));
      }
      return;
    }
    const msg = parsed.data;
    switch (msg.kind) {
      case 'response': {
        const p = this.pending.get(msg.id);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(msg.id);
        if (!msg.ok) {
          p.reject(new AgentRequestError(msg.error.code, msg.error.message, msg.error.details));
          return;
        }
        const result = METHODS[p.method].result.safeParse(msg.result);
        if (result.success) p.resolve(result.data);
        else p.reject(new AgentRequestError('KUMO_C_BAD_RESPONSE', `the agent's answer to ${p.method} is malformed`));
        return;
      }
      case 'event': {
        const set = this.listeners.get(msg.event);
        if (set) for (const l of set) (l as (data: unknown) => void)(msg.data);
        return;
      }
      default: {
        const check: never = msg;
        return check;
      }
    }
  }
}
