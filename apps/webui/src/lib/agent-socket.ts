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
 *    It is kept in a `TokenStore` (the page gives `sessionStorage`) so that a reload stays logged in. A token the
 *    agent refuses on resume, or one it says expired, is dropped, and listeners of `session` hear `expired`.
 *  - Resilience: after each connection the client learns the cluster's servers (`session.info`'s `peers`). When
 *    the connection drops it tries the same server first, then the others in turn (short waits during one round,
 *    exponential backoff between rounds), so a page whose agent died carries on with another server of the
 *    cluster (the agent accepts pages from its peers). A connection that does not open in time, or that stays
 *    silent while open, counts as lost.
 *  - A refused upgrade (the client address list, the origin check) is diagnosed with a plain GET of `/api/ws`
 *    on the page's own server; the queued requests then fail with the agent's code, so the page can say why.
 *
 * Components depend on the `AgentClient` interface only; tests give them a fake (`src/testing/fake-agent.ts`).
 */
import { ERROR_CODES, MAX_UI_MESSAGE_BYTES, METHODS, errorBodySchema, tooLargeMessage, uiServerMessageSchema } from '@kumo/shared';
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
  /** True while the client holds a session token (a login it will present after reconnecting). */
  readonly loggedIn: boolean;
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

/** Where the session token survives a reload (the page passes `sessionStorage`). */
export interface TokenStore {
  load(): string | null;
  save(token: string | null): void;
}

export interface AgentSocketOptions {
  readonly url: string;
  readonly createSocket?: (url: string) => WebSocketLike;
  readonly defaultTimeoutMs?: number;
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
  /** For tests: the jitter source (0..1). */
  readonly random?: () => number;
  readonly tokenStore?: TokenStore;
  /**
   * A socket that has not opened after this long is given up (default 10 s); the wait doubles with each round
   * of failed attempts (to 60 s), so that a slow but living server is not abandoned for ever.
   */
  readonly connectTimeoutMs?: number;
  /** After this long without any frame, the client asks `session.info` (default 20 s)… */
  readonly idleProbeMs?: number;
  /** …and drops the connection when no answer came within this long (default 15 s). */
  readonly probeTimeoutMs?: number;
  /**
   * Why a socket to `url` could not open: the agent's error code when it refused the upgrade, else null. The
   * default asks with a plain GET, for the page's own server only (another origin cannot be read).
   */
  readonly diagnose?: (url: string) => Promise<ErrorCode | null>;
}

/** Refusals of the upgrade that retrying will not cure; queued requests fail with them. */
const REFUSALS: readonly ErrorCode[] = ['KUMO_E_CLIENT_ADDRESS_DENIED', 'KUMO_E_ORIGIN_DENIED'];

const OPEN = 1;

/**
 * Methods that legitimately take long: a two-phase apply waits up to 10 s per phase; preflight calls AWS; an
 * operation is answered when the cluster has done it (a group move deactivates and activates every resource).
 */
const METHOD_TIMEOUT_MS: Partial<Record<MethodName, number>> = {
  'config.apply': 60_000,
  'aws.preflight': 60_000,
  'aws.discover': 30_000,
  'servers.probe': 15_000,
  'group.start': 300_000,
  'group.stop': 300_000,
  'group.move': 300_000,
  'resource.start': 300_000,
  'resource.stop': 300_000,
  'md.recover': 120_000,
  'md.force': 120_000,
  'md.break': 120_000,
  'cluster.start': 60_000,
  'cluster.stop': 300_000,
  'cluster.suspend': 60_000,
  'cluster.resume': 60_000,
  'whatif.simulate': 30_000,
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

/** The WebSocket URL of another server of the cluster, with the same scheme as `like`. */
export function peerSocketUrl(like: string, peer: { readonly address: string; readonly port: number }): string {
  return `${like.startsWith('wss:') ? 'wss:' : 'ws:'}//${peer.address}:${peer.port}/api/ws`;
}

/** A token store over `sessionStorage` (nothing when storage is unavailable). */
export function sessionTokenStore(storage: Storage | undefined = globalThis.sessionStorage, key = 'kumo.session'): TokenStore {
  return {
    load: () => {
      try {
        return storage?.getItem(key) ?? null;
      } catch {
        return null;
      }
    },
    save: (token) => {
      try {
        if (token === null) storage?.removeItem(key);
        else storage?.setItem(key, token);
      } catch {
        // Private mode or a full quota: the session just does not survive a reload.
      }
    },
  };
}

/** The default diagnosis: GET /api/ws over HTTP on the page's own origin; a 403 body names the refusal. */
async function diagnoseByGet(url: string): Promise<ErrorCode | null> {
  const http = url.replace(/^ws/, 'http');
  if (typeof window === 'undefined' || typeof fetch !== 'function' || new URL(http).origin !== window.location.origin) return null;
  try {
    const res = await fetch(http, { headers: { accept: 'application/json' } });
    if (res.status !== 403) return null;
    const body: unknown = await res.json();
    const parsed = errorBodySchema.safeParse(typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined);
    return parsed.success ? parsed.data.code : null;
  } catch {
    return null;
  }
}

export class AgentSocket implements AgentClient {
  private socket: WebSocketLike | null = null;
  private seq = 0;
  /** Failed attempts since the last open connection. */
  private attempt = 0;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private connectTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private closedByUser = false;
  private token: string | null;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Map<EventName, Set<(data: never) => void>>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();
  private current: ConnectionState = 'connecting';
  /** Until a resumed session is confirmed after a reconnect, requests wait. */
  private ready = false;
  /** The server URLs to try, the one that last worked first; the others come from `session.info`'s peers. */
  private urls: string[];
  private urlIndex = 0;
  private readonly createSocket: (url: string) => WebSocketLike;
  private readonly defaultTimeoutMs: number;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly random: () => number;
  private readonly connectTimeoutMs: number;
  private readonly idleProbeMs: number;
  private readonly probeTimeoutMs: number;
  private readonly diagnose: (url: string) => Promise<ErrorCode | null>;

  constructor(private readonly opts: AgentSocketOptions) {
    this.createSocket = opts.createSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike);
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 20_000;
    this.backoff = { initialMs: opts.backoff?.initialMs ?? 500, maxMs: opts.backoff?.maxMs ?? 10_000 };
    this.random = opts.random ?? Math.random;
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
    this.idleProbeMs = opts.idleProbeMs ?? 20_000;
    this.probeTimeoutMs = opts.probeTimeoutMs ?? 15_000;
    this.diagnose = opts.diagnose ?? diagnoseByGet;
    this.token = opts.tokenStore?.load() ?? null;
    this.urls = [opts.url];
    this.connect();
  }

  get state(): ConnectionState {
    return this.current;
  }

  get loggedIn(): boolean {
    return this.token !== null;
  }

  /** The URL of the server the client talks to (or tries next). */
  get url(): string {
    return this.urls[this.urlIndex] ?? this.opts.url;
  }

  request<M extends MethodName>(method: M, params: MethodParams<M>, options?: RequestOptions): Promise<MethodResult<M>> {
    return this.send(method, params, options).then((result) => {
      if (method === 'session.login') {
        const r = METHODS['session.login'].result.safeParse(result);
        if (r.success) this.setToken(r.data.token);
      } else if (method === 'session.logout') {
        this.setToken(null);
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
    clearTimeout(this.connectTimer);
    clearTimeout(this.idleTimer);
    this.socket?.close(1000, 'closed by the page');
    this.socket = null;
    this.failPending('the connection was closed');
    this.setState('closed');
  }

  private setToken(token: string | null): void {
    this.token = token;
    this.opts.tokenStore?.save(token);
  }

  private setState(state: ConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    for (const l of this.stateListeners) l(state);
  }

  private emit<E extends EventName>(event: E, data: EventData<E>): void {
    const set = this.listeners.get(event);
    if (set) for (const l of set) (l as (d: EventData<E>) => void)(data);
  }

  private connect(): void {
    if (this.closedByUser) return;
    this.ready = false;
    this.setState('connecting');
    const url = this.url;
    let socket: WebSocketLike;
    try {
      socket = this.createSocket(url);
    } catch {
      this.lost(null, false, url);
      return;
    }
    this.socket = socket;
    let opened = false;
    this.connectTimer = setTimeout(() => {
      // A server that died without a word (an instance powered off) never refuses: give up on it.
      if (this.socket === socket && !opened) this.lost(socket, false, url);
    }, Math.min(60_000, this.connectTimeoutMs * 2 ** this.round()));
    socket.onopen = () => {
      if (this.socket !== socket) return;
      opened = true;
      clearTimeout(this.connectTimer);
      this.attempt = 0;
      this.setState('open');
      this.touch();
      void this.resume(socket);
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      this.touch();
      this.onMessage(ev.data);
    };
    socket.onerror = () => {
      // The close event follows and does the work.
    };
    socket.onclose = () => {
      if (this.socket === socket) this.lost(socket, opened, url);
    };
  }

  /** The connection to `url` failed to open or was lost: fail what was in flight and try again. */
  private lost(socket: WebSocketLike | null, opened: boolean, url: string): void {
    clearTimeout(this.connectTimer);
    clearTimeout(this.idleTimer);
    if (socket) {
      socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
      if (socket.readyState < 2) socket.close(4000, 'given up');
    }
    this.socket = null;
    this.ready = false;
    this.failPending('the connection to the agent was lost');
    if (this.closedByUser) return;
    this.setState('connecting');
    if (!opened && url === this.opts.url) void this.explainRefusal(url);
    // The server that worked last is tried again first (it may just have restarted), then the others in turn.
    if (!opened && this.urls.length > 1) this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    this.scheduleReconnect();
  }

  /** A refused upgrade will not cure itself: queued requests fail with the agent's reason. */
  private async explainRefusal(url: string): Promise<void> {
    const code = await this.diagnose(url);
    if (!code || !REFUSALS.includes(code) || this.current === 'open') return;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.reject(new AgentRequestError(code, ERROR_CODES[code].message.en));
    }
  }

  /** How many full rounds over the servers have failed since the last open connection. */
  private round(): number {
    return Math.floor(this.attempt / Math.max(1, this.urls.length));
  }

  private scheduleReconnect(): void {
    // Within one round over the servers the waits stay short; each full round that fails doubles them.
    const base = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.round());
    this.attempt += 1;
    const delay = Math.round(base * (0.5 + this.random() / 2));
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** Something arrived: the connection is alive. After a silence, ask; no answer means it is gone. */
  private touch(): void {
    clearTimeout(this.idleTimer);
    const socket = this.socket;
    this.idleTimer = setTimeout(() => {
      if (this.socket !== socket || !socket) return;
      this.send('session.info', {}, { timeoutMs: this.probeTimeoutMs }, true).catch((e: unknown) => {
        if (e instanceof AgentRequestError && e.code === 'KUMO_C_TIMEOUT' && this.socket === socket) this.lost(socket, true, this.url);
      });
    }, this.idleProbeMs);
  }

  /** After (re)connecting: present the session token first, then let the queue go, then learn the peers. */
  private async resume(socket: WebSocketLike): Promise<void> {
    if (this.token) {
      const token = this.token;
      try {
        await this.send('session.login', { token }, undefined, true);
      } catch (e) {
        if (this.socket !== socket) return;
        if (e instanceof AgentRequestError && !e.code.startsWith('KUMO_C_')) {
          // The token expired, or the passwords changed: carry on anonymously and tell the page.
          this.setToken(null);
          this.emit('session', { role: null, reason: 'expired' });
        }
      }
    }
    if (this.socket !== socket) return;
    this.ready = true;
    this.flush();
    try {
      const info = await this.send('session.info', {}, undefined, true);
      const parsed = METHODS['session.info'].result.safeParse(info);
      if (parsed.success && this.socket === socket) this.learnPeers(parsed.data.peers);
    } catch {
      // Not fatal: the list learnt before stays.
    }
  }

  /** Remembers the cluster's servers, the current one first, in the configuration's order after it. */
  private learnPeers(peers: readonly { address: string; port: number }[]): void {
    const current = this.url;
    const others = peers.map((p) => peerSocketUrl(current, p)).filter((u) => u !== current);
    const primary = this.opts.url;
    this.urls = [current, ...others, ...(current !== primary && !others.includes(primary) ? [primary] : [])];
    this.urlIndex = 0;
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
      // A UTF-8 byte is at most three UTF-16 units' worth: only a frame that might be too large is measured.
      const bytes = frame.length * 3 > MAX_UI_MESSAGE_BYTES ? new TextEncoder().encode(frame).byteLength : 0;
      if (bytes > MAX_UI_MESSAGE_BYTES) {
        reject(new AgentRequestError('KUMO_E_BAD_REQUEST', tooLargeMessage(bytes)));
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
        // The agent drops an expired session itself; so does the client, so that a reconnect does not present it.
        if (msg.event === 'session' && msg.data.reason === 'expired') this.setToken(null);
        this.emit(msg.event, msg.data);
        return;
      }
      default: {
        const check: never = msg;
        return check;
      }
    }
  }
}
