import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { validateClusterConfig } from '@kumo/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentDb } from '../db/client.js';
import { configHash } from './canonical.js';
import { ConfigStore } from './store.js';

const dirs: string[] = [];
const dbs: AgentDb[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function store(): ConfigStore {
  const dir = mkdtempSync(path.join(tmpdir(), 'kumo-store-'));
  dirs.push(dir);
  const db = AgentDb.open(dir);
  dbs.push(db);
  return new ConfigStore(db);
}

/** A config of these servers, as a peer hands it out (`config.fetch`). */
function stored(version: number, names: string[]) {
  const servers = names.map((name, i) => ({ name, address: `127.0.0.${11 + i}` }));
  const r = validateClusterConfig({
    cluster: { name: 'c' },
    servers,
    interconnects: [{ priority: 1, addresses: Object.fromEntries(servers.map((s) => [s.name, s.address])) }],
    groups: [],
  });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return { version, hash: configHash(r.config), config: r.config, appliedBy: 'test', appliedAt: 1 };
}

describe('ConfigStore: catching up from a peer', () => {
  it('a server without a config takes only one that names it (a running cluster it is about to join is not its own)', () => {
    const s = store();
    expect(s.adopt(stored(1, ['server1', 'server2']), 'server3')).toBeNull();
    expect(s.current).toBeNull();
    expect(s.adopt(stored(2, ['server1', 'server2', 'server3']), 'server3')?.version).toBe(2);
  });

  it('a configured server takes a newer config even when it was removed from it, and never an older one', () => {
    const s = store();
    s.adopt(stored(2, ['server1', 'server2', 'server3']), 'server3');
    expect(s.adopt(stored(1, ['server1', 'server2', 'server3']), 'server3')).toBeNull();
    expect(s.adopt(stored(3, ['server1', 'server2']), 'server3')?.version).toBe(3);
  });

  it('says which config is prepared here, waiting for its commit', () => {
    const s = store();
    const next = stored(1, ['server1']);
    expect(s.pendingHash()).toBeNull();
    s.prepare({ txId: 't1', version: 1, hash: next.hash, config: next.config, by: 'test' });
    expect(s.pendingHash()).toBe(next.hash);
    s.commit('t1');
    expect(s.pendingHash()).toBeNull();
  });
});
