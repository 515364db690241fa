import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentRequestError, AgentSocket } from './agent-socket';
import type { WebSocketLike } from './agent-socket';

/** A WebSocket the test drives: it records what is sent and lets the test open, answer and drop it. */
class FakeSocket implements WebSocketLike {
  constructor(readonly url = '') {}
  readyState = 0;
  sent: { id: string; method: string; params: unknown }[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.drop();
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop() {
    this.readyState = 3;
    this.onclose?.({});
  }
  receive(msg: unknown) {
    this.onmessage?.({ data: typeof msg === 'string' ? msg : JSON.stringify(msg) });
  }
  last() {
    return this.sent[this.sent.length - 1]!;
  }
  /** The first request of `method` sent on this socket. */
  find(method: string) {
    const r = this.sent.find((x) => x.method === method);
    if (!r) throw new Error(`${method} was not sent`);
    return r;
  }
  answer(method: string, result: unknown) {
    this.receive({ kind: 'response', id: this.find(method).id, ok: true, result });
  }
}

const SESSION = { server: 'server1', version: '0.1.0', role: 'operate', passwordRequired: false, configured: false, peers: [] };

describe('AgentSocket', () => {
  let sockets: FakeSocket[];
  let client: AgentSocket;
  const socket = () => sockets[sockets.length - 1]!;

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    client = new AgentSocket({
      url: 'ws://127.0.0.1/api/ws',
      createSocket: () => {
        const s = new FakeSocket();
        sockets.push(s);
        return s;
      },
      backoff: { initialMs: 100, maxMs: 1000 },
      random: () => 1,
    });
  });
  afterEach(() => {
    client.close();
    vi.useRealTimers();
  });

  it('queues requests until the socket opens, then answers them by id with the parsed result', async () => {
    const answer = client.request('session.info', {});
    expect(socket().sent).toHaveLength(0);
    socket().open();
    await vi.waitFor(() => expect(socket().sent[0]).toMatchObject({ kind: 'request', method: 'session.info', params: {} }));
    socket().receive({ kind: 'response', id: socket().sent[0]!.id, ok: true, result: SESSION });
    await expect(answer).resolves.toEqual(SESSION);
    expect(client.state).toBe('open');
  });

  it('rejects with the agent error code, message and details', async () => {
    socket().open();
    const answer = client.request('config.apply', { config: {} });
    const details = { servers: [{ server: 'server2', ok: false, message: 'unreachable' }] };
    socket().receive({ kind: 'response', id: socket().last().id, ok: false, error: { code: 'KUMO_E_APPLY_PEER_UNREACHABLE', message: 'nothing was applied', details } });
    const e = await answer.catch((x: unknown) => x);
    expect(e).toBeInstanceOf(AgentRequestError);
    expect(e).toMatchObject({ code: 'KUMO_E_APPLY_PEER_UNREACHABLE', message: 'nothing was applied', details });
  });

  it('refuses to send a request larger than the agent takes, and says its size (multi-byte text counted in bytes)', async () => {
    socket().open();
    const sentBefore = socket().sent.length;
    // 3 MiB of a three-byte character: 3 Mi UTF-16 units, 9 MiB of UTF-8.
    const answer = client.request('config.apply', { config: { cluster: { name: 'c', comment: '雲'.repeat(3 * 1024 * 1024) } } });
    await expect(answer).rejects.toMatchObject({ code: 'KUMO_E_BAD_REQUEST', message: expect.stringMatching(/^the request is 9\.0 MiB; the agent takes messages of up to 8 MiB/) });
    expect(socket().sent).toHaveLength(sentBefore);
    // Just under the limit still goes.
    void client.request('config.validate', { config: { cluster: { name: 'c', comment: '雲'.repeat(2 * 1024 * 1024) } } }).catch(() => undefined);
    expect(socket().last()).toMatchObject({ method: 'config.validate' });
  });

  it('refuses a result that does not match the method schema', async () => {
    socket().open();
    const answer = client.request('session.info', {});
    socket().receive({ kind: 'response', id: socket().last().id, ok: true, result: { server: 42 } });
    await expect(answer).rejects.toMatchObject({ code: 'KUMO_C_BAD_RESPONSE' });
  });

  it('times out a request nobody answers', async () => {
    socket().open();
    const answer = client.request('status.get', {}, { timeoutMs: 500 });
    vi.advanceTimersByTime(501);
    await expect(answer).rejects.toMatchObject({ code: 'KUMO_C_TIMEOUT' });
  });

  it('delivers parsed events to subscribers and ignores frames that are not protocol messages', () => {
    socket().open();
    const seen: unknown[] = [];
    const off = client.subscribe('session', (d) => seen.push(d));
    socket().receive('not json');
    socket().receive({ kind: 'event', event: 'session', data: { role: 'not-a-role' } });
    socket().receive({ kind: 'event', event: 'session', data: { role: 'reference', reason: 'expired' } });
    off();
    socket().receive({ kind: 'event', event: 'session', data: { role: null } });
    expect(seen).toEqual([{ role: 'reference', reason: 'expired' }]);
  });

  it('fails requests in flight when the connection drops, reconnects with backoff and keeps unsent ones', async () => {
    const states: string[] = [];
    client.onStateChange((s) => states.push(s));
    socket().open();
    const inFlight = client.request('status.get', {});
    socket().drop();
    await expect(inFlight).rejects.toMatchObject({ code: 'KUMO_C_DISCONNECTED' });
    const queued = client.request('session.info', {});
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(2);
    // The second attempt fails too: the next wait doubles.
    socket().drop();
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    socket().open();
    await vi.waitFor(() => expect(socket().sent[0]).toMatchObject({ method: 'session.info' }));
    socket().receive({ kind: 'response', id: socket().sent[0]!.id, ok: true, result: SESSION });
    await expect(queued).resolves.toEqual(SESSION);
    expect(states).toEqual(['open', 'connecting', 'open']);
  });

  it('presents the session token again after a reconnect, before anything else', async () => {
    socket().open();
    const login = client.request('session.login', { password: 'secret' });
    socket().receive({ kind: 'response', id: socket().last().id, ok: true, result: { role: 'operate', expiresAt: 1, token: 'tok-1' } });
    await login;
    socket().drop();
    const after = client.request('status.get', {});
    vi.advanceTimersByTime(100);
    socket().open();
    expect(socket().sent).toEqual([expect.objectContaining({ method: 'session.login', params: { token: 'tok-1' } })]);
    socket().receive({ kind: 'response', id: socket().last().id, ok: true, result: { role: 'operate', expiresAt: 2, token: 'tok-1' } });
    await vi.waitFor(() => expect(socket().sent.map((x) => x.method)).toEqual(['session.login', 'status.get', 'session.info']));
    socket().receive({ kind: 'response', id: socket().find('status.get').id, ok: false, error: { code: 'KUMO_E_NO_CONFIG', message: 'none' } });
    await expect(after).rejects.toMatchObject({ code: 'KUMO_E_NO_CONFIG' });
  });
});

describe('AgentSocket resilience', () => {
  let sockets: FakeSocket[];
  let client: AgentSocket;
  let stored: string | null;
  let diagnosis: string | null;
  const socket = () => sockets[sockets.length - 1]!;
  const PEERS = [
    { name: 'server1', address: '10.0.110.10', port: 29003 },
    { name: 'server2', address: '10.0.120.10', port: 29003 },
  ];

  function start(token: string | null = null) {
    stored = token;
    client = new AgentSocket({
      url: 'ws://10.0.110.10:29003/api/ws',
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s;
      },
      backoff: { initialMs: 100, maxMs: 1000 },
      random: () => 1,
      connectTimeoutMs: 1000,
      idleProbeMs: 5000,
      probeTimeoutMs: 1000,
      tokenStore: { load: () => stored, save: (t) => (stored = t) },
      diagnose: async () => diagnosis as never,
    });
  }

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    diagnosis = null;
  });
  afterEach(() => {
    client.close();
    vi.useRealTimers();
  });

  it('presents the stored token on the first connection, keeps a new one and forgets it at logout', async () => {
    start('tok-stored');
    expect(client.loggedIn).toBe(true);
    socket().open();
    expect(socket().sent).toEqual([expect.objectContaining({ method: 'session.login', params: { token: 'tok-stored' } })]);
    socket().answer('session.login', { role: 'operate', expiresAt: 1, token: 'tok-stored' });
    const login = client.request('session.login', { password: 'secret' });
    await vi.waitFor(() => expect(socket().sent.filter((x) => x.method === 'session.login')).toHaveLength(2));
    socket().receive({ kind: 'response', id: socket().sent.filter((x) => x.method === 'session.login')[1]!.id, ok: true, result: { role: 'operate', expiresAt: 2, token: 'tok-new' } });
    await login;
    expect(stored).toBe('tok-new');
    const logout = client.request('session.logout', {});
    socket().receive({ kind: 'response', id: socket().last().id, ok: true, result: { ok: true } });
    await logout;
    expect(stored).toBeNull();
    expect(client.loggedIn).toBe(false);
  });

  it('drops a token the agent refuses on resume, tells the page, and lets the queue go anonymously', async () => {
    start('tok-old');
    const events: unknown[] = [];
    client.subscribe('session', (d) => events.push(d));
    const info = client.request('session.info', {});
    socket().open();
    socket().receive({ kind: 'response', id: socket().find('session.login').id, ok: false, error: { code: 'KUMO_E_SESSION_EXPIRED', message: 'expired' } });
    await vi.waitFor(() => expect(socket().sent.filter((x) => x.method === 'session.info')).toHaveLength(2));
    expect(stored).toBeNull();
    expect(events).toEqual([{ role: null, reason: 'expired' }]);
    socket().receive({ kind: 'response', id: socket().find('session.info').id, ok: true, result: { ...SESSION, role: null, passwordRequired: true } });
    await expect(info).resolves.toMatchObject({ role: null });
  });

  it('forgets the token when the agent says the session expired', () => {
    start('tok');
    socket().open();
    socket().receive({ kind: 'event', event: 'session', data: { role: null, reason: 'expired' } });
    expect(stored).toBeNull();
    socket().drop();
    vi.advanceTimersByTime(100);
    socket().open();
    expect(socket().sent.map((x) => x.method)).toEqual(['session.info']);
  });

  it('reconnects to another server of the cluster when its own dies, and presents the token there', async () => {
    start('tok');
    const states: string[] = [];
    client.onStateChange((s) => states.push(s));
    socket().open();
    socket().answer('session.login', { role: 'operate', expiresAt: 1, token: 'tok' });
    await vi.waitFor(() => socket().find('session.info'));
    socket().answer('session.info', { ...SESSION, peers: PEERS });
    await Promise.resolve();
    // server1's agent is killed: its socket closes, and it refuses the next connection.
    socket().drop();
    vi.advanceTimersByTime(100);
    expect(socket().url).toBe('ws://10.0.110.10:29003/api/ws');
    socket().drop();
    vi.advanceTimersByTime(100);
    expect(socket().url).toBe('ws://10.0.120.10:29003/api/ws');
    expect(client.url).toBe('ws://10.0.120.10:29003/api/ws');
    socket().open();
    expect(socket().sent).toEqual([expect.objectContaining({ method: 'session.login', params: { token: 'tok' } })]);
    expect(states).toEqual(['open', 'connecting', 'open']);
    // Within a round the waits stay short; when every server fails, the next round waits twice as long.
    socket().answer('session.login', { role: 'operate', expiresAt: 1, token: 'tok' });
    await vi.waitFor(() => socket().find('session.info'));
    socket().answer('session.info', { ...SESSION, server: 'server2', peers: PEERS });
    await Promise.resolve();
    socket().drop();
    vi.advanceTimersByTime(100);
    expect(socket().url).toBe('ws://10.0.120.10:29003/api/ws');
    socket().drop();
    vi.advanceTimersByTime(100);
    expect(socket().url).toBe('ws://10.0.110.10:29003/api/ws');
    socket().drop();
    const count = sockets.length;
    vi.advanceTimersByTime(199);
    expect(sockets).toHaveLength(count);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(count + 1);
  });

  it('gives up on a server that neither opens nor refuses, and on a connection that falls silent', async () => {
    start();
    socket().open();
    socket().answer('session.info', { ...SESSION, peers: PEERS });
    await Promise.resolve();
    // Silence: after idleProbeMs the client asks; no answer within connectTimeoutMs drops the connection.
    vi.advanceTimersByTime(5000);
    expect(socket().sent.filter((x) => x.method === 'session.info')).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(client.state).toBe('connecting');
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(2);
    // The same server again: it hangs; after connectTimeoutMs the next one is tried.
    vi.advanceTimersByTime(1000);
    vi.advanceTimersByTime(100);
    expect(sockets).toHaveLength(3);
    expect(socket().url).toBe('ws://10.0.120.10:29003/api/ws');
    // A whole round failed: the next attempts wait twice as long to open, so a slow server is not given up on.
    vi.advanceTimersByTime(1999);
    expect(sockets).toHaveLength(3);
    vi.advanceTimersByTime(1 + 200);
    expect(sockets).toHaveLength(4);
    vi.advanceTimersByTime(1999);
    expect(sockets).toHaveLength(4);
    socket().open();
    expect(client.state).toBe('open');
  });

  it('fails queued requests with the agent\'s reason when it refuses the connection (client address list)', async () => {
    diagnosis = 'KUMO_E_CLIENT_ADDRESS_DENIED';
    start();
    const info = client.request('session.info', {});
    socket().drop();
    await expect(info).rejects.toMatchObject({ code: 'KUMO_E_CLIENT_ADDRESS_DENIED' });
    expect(client.state).toBe('connecting');
  });
});
