import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LinkWatch } from './link-watch.js';

describe('LinkWatch', () => {
  let said: string[];
  let watch: LinkWatch;
  /** Servers whose heartbeats keep arriving; the others were last heard at the time recorded here. */
  let beating: Set<string>;
  let lastBeat: Map<string, number>;

  beforeEach(() => {
    vi.useFakeTimers();
    said = [];
    beating = new Set(['server2', 'server3']);
    lastBeat = new Map();
    watch = new LinkWatch({
      graceMs: () => 20_000,
      lastHeard: (s) => (beating.has(s) ? Date.now() : (lastBeat.get(s) ?? null)),
      lost: (s) => said.push(`lost ${s}`),
      recovered: (s) => said.push(`recovered ${s}`),
    });
  });
  afterEach(() => {
    watch.stop();
    vi.useRealTimers();
  });

  it('says nothing while a heard server links within the grace', () => {
    watch.heartbeat('server2', true);
    vi.advanceTimersByTime(19_000);
    watch.link('server2', true);
    vi.advanceTimersByTime(60_000);
    expect(said).toEqual([]);
  });

  it('says once that a heard server cannot be reached, then that it recovered when the link comes', () => {
    watch.heartbeat('server2', true);
    vi.advanceTimersByTime(20_000);
    expect(said).toEqual(['lost server2']);
    watch.heartbeat('server2', true); // heartbeats go on arriving
    vi.advanceTimersByTime(60_000);
    expect(said).toEqual(['lost server2']);
    watch.link('server2', true);
    expect(said).toEqual(['lost server2', 'recovered server2']);
  });

  it('starts the grace again when a link breaks while heartbeats go on', () => {
    watch.heartbeat('server2', true);
    watch.link('server2', true);
    watch.link('server2', false);
    vi.advanceTimersByTime(19_999);
    expect(said).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(said).toEqual(['lost server2']);
  });

  it('says nothing about a server whose link closed as it died (its heartbeats stop; their timeout comes later)', () => {
    watch.heartbeat('server2', true);
    watch.link('server2', true);
    beating.delete('server2');
    lastBeat.set('server2', Date.now() - 10);
    watch.link('server2', false); // the link closes at once; the heartbeat timeout has not run out yet
    vi.advanceTimersByTime(20_000);
    expect(said).toEqual([]);
    watch.heartbeat('server2', false);
    vi.advanceTimersByTime(60_000);
    expect(said).toEqual([]);
  });

  it('ignores what arrives after it stopped', () => {
    watch.stop();
    watch.heartbeat('server2', true);
    vi.advanceTimersByTime(60_000);
    expect(said).toEqual([]);
  });

  it('forgets a server removed from the cluster', () => {
    watch.heartbeat('server2', true);
    watch.heartbeat('server3', true);
    watch.retain(['server1', 'server3']);
    vi.advanceTimersByTime(60_000);
    expect(said).toEqual(['lost server3']);
  });

  it('says nothing about a server that is not heard either (it is down), and each server is its own', () => {
    watch.heartbeat('server2', true);
    vi.advanceTimersByTime(10_000);
    watch.heartbeat('server2', false);
    watch.heartbeat('server3', true);
    vi.advanceTimersByTime(60_000);
    expect(said).toEqual(['lost server3']);
  });
});
