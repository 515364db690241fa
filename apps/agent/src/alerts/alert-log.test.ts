import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AlertEntry } from '@kumo/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentDb } from '../db/client.js';
import { AlertLog } from './alert-log.js';

const dirs: string[] = [];
const dbs: AgentDb[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open(server: string): AlertLog {
  const dir = mkdtempSync(path.join(tmpdir(), 'kumo-alerts-'));
  dirs.push(dir);
  const db = AgentDb.open(dir);
  dbs.push(db);
  return new AlertLog(db, server, () => 10_000);
}

describe('AlertLog', () => {
  it('takes a batch of a peer\'s alerts: each stored and announced once, this server\'s own copies ignored', () => {
    const server1 = open('server1');
    const server2 = open('server2');
    const raised: AlertEntry[] = [];
    server2.on('alert', (e, { local }) => {
      if (local) raised.push(e);
    });
    for (let i = 0; i < 3; i += 1) server2.raise('resourceActivating', [`exec${i}`]);
    const mine = server1.raise('serverStarted', ['server1']);
    const seen: string[] = [];
    server1.on('alert', (e, { local }) => seen.push(`${local ? 'local' : 'peer'} ${e.server} ${e.message}`));
    server1.ingestMany([...raised, mine]);
    server1.ingestMany(raised.slice(1));
    expect(seen).toEqual(raised.map((e) => `peer server2 ${e.message}`));
    expect(server1.query({ limit: 10, server: 'server2' }).map((e) => e.message).sort()).toEqual(raised.map((e) => e.message).sort());
    expect(server1.query({ limit: 10, server: 'server1' })).toHaveLength(1);
  });
});
