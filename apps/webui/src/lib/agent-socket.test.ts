import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentRequestError, AgentSocket } from './agent-socket';
import type { WebSocketLike } from './agent-socket';

/** A WebSocket the test drives: it records what is sent and lets the test open, answer and drop it. */
class FakeSocket implements WebSocketLike {
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
    expect(socket().last()).toMatchObject({ kind: 'request', method: 'session.info', params: {} });
    socket().receive({ kind: 'response', id: socket().last().id, ok: true, result: SESSION });
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
    expect(socket().last()).toMatchObject({ method: 'session.info' });
    socket().receive({ kind: 'response', id: socket().last().id, ok: true, result: SESSION });
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
    await vi.waitFor(() => expect(socket().sent).toHaveLength(2));
    expect(socket().last()).toMatchObject({ method: 'status.get' });
    socket().receive({ kind: 'response', id: socket().last().id, ok: false, error: { code: 'KUMO_E_NO_CONFIG', message: 'none' } });
    await expect(after).rejects.toMatchObject({ code: 'KUMO_E_NO_CONFIG' });
  });
});
