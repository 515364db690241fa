/**
 * A fake agent at the unit boundary of the WebUI: it implements `AgentClient` (what components use), answers
 * each method from a handler the test sets, records the calls, and pushes events on demand. Methods without a
 * handler answer as an agent without that part does (`KUMO_E_BAD_REQUEST … is not available on this agent`).
 */
import type { MethodName, MethodParams, MethodResult } from '@kumo/shared';
import { AgentRequestError } from '../lib/agent-socket';
import type { AgentClient, ConnectionState, EventData, EventName } from '../lib/agent-socket';

type Handler<M extends MethodName> = (params: MethodParams<M>) => MethodResult<M> | Promise<MethodResult<M>>;

export interface Call {
  readonly method: MethodName;
  readonly params: unknown;
}

export class FakeAgent implements AgentClient {
  state: ConnectionState = 'open';
  /** Set by a successful `session.login`, cleared by `session.logout` (as the real client's token). */
  loggedIn = false;
  readonly calls: Call[] = [];
  private readonly handlers = new Map<MethodName, (params: unknown) => unknown>();
  private readonly listeners = new Map<EventName, Set<(data: never) => void>>();
  private readonly stateListeners = new Set<(s: ConnectionState) => void>();

  /** An agent named `server` that has no configuration yet. */
  static fresh(server = 'server1'): FakeAgent {
    return new FakeAgent()
      .handle('session.info', () => ({ server, version: '0.1.0', role: 'operate', passwordRequired: false, configured: false, peers: [] }))
      .handle('config.get', () => ({ config: null, version: null, hash: null, appliedBy: null, appliedAt: null }))
      .handle('status.get', () => ({
        from: server,
        generatedAt: 0,
        cluster: { name: null, state: 'unconfigured', master: null, configVersion: null, configHash: null },
        servers: [],
        groups: [],
        monitors: [],
        mirrors: [],
      }));
  }

  handle<M extends MethodName>(method: M, handler: Handler<M>): this {
    this.handlers.set(method, handler as (params: unknown) => unknown);
    return this;
  }

  /** Makes a method fail with an agent error. */
  fail(method: MethodName, code: ConstructorParameters<typeof AgentRequestError>[0], message: string, details?: unknown): this {
    this.handlers.set(method, () => {
      throw new AgentRequestError(code, message, details);
    });
    return this;
  }

  request<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    this.calls.push({ method, params });
    const handler = this.handlers.get(method);
    return Promise.resolve()
      .then(() => {
        if (!handler) throw new AgentRequestError('KUMO_E_BAD_REQUEST', `${method} is not available on this agent`);
        return handler(params) as MethodResult<M>;
      })
      .then((result) => {
        if (method === 'session.login') this.loggedIn = true;
        else if (method === 'session.logout') this.loggedIn = false;
        return result;
      });
  }

  callsOf(method: MethodName): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.params);
  }

  subscribe<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = listener as (data: never) => void;
    set.add(l);
    return () => set.delete(l);
  }

  emit<E extends EventName>(event: E, data: EventData<E>): void {
    for (const l of this.listeners.get(event) ?? []) (l as (d: EventData<E>) => void)(data);
  }

  onStateChange(listener: (s: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  setState(s: ConnectionState): void {
    this.state = s;
    for (const l of this.stateListeners) l(s);
  }
}
