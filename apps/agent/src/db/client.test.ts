import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AgentDb } from './client.js';

const dirs: string[] = [];
function dataDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'kumo-db-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const alert = (i: number) => ({ time: i, server: 'server1', originId: i, module: 'rc', eventId: 30, level: 'info' as const, key: 'resourceActivating', args: [`r${i}`], message: `m${i}` });

describe('AgentDb', () => {
  it('keeps configs, alerts, audit and settings across a reopen (a real SQLite file)', () => {
    const dir = dataDir();
    const db = AgentDb.open(dir);
    db.insertConfig({ version: 1, hash: 'h1', config: { a: 1 }, appliedBy: 'test', appliedAt: 5 });
    db.insertConfig({ version: 2, hash: 'h2', config: { a: 2 }, appliedBy: 'test', appliedAt: 6 });
    db.insertAlert(alert(1), 100);
    db.insertAudit({ time: 1, actor: 'cli', operation: 'group.move', params: { group: 'g' }, outcome: 'ok', message: '' });
    db.setSetting('service', 'running');
    db.close();
    const again = AgentDb.open(dir);
    expect(again.latestConfig()).toMatchObject({ version: 2, hash: 'h2', config: { a: 2 } });
    expect(again.queryAlerts({ limit: 10 })).toMatchObject([{ message: 'm1', args: ['r1'] }]);
    expect(again.queryAudit()).toMatchObject([{ operation: 'group.move', params: { group: 'g' } }]);
    expect(again.getSetting('service')).toBe('running');
    again.close();
  });

  it('stores an alert from a peer once, however often it arrives', () => {
    const db = AgentDb.open(dataDir());
    expect(db.insertAlert(alert(1), 100)).toBeDefined();
    expect(db.insertAlert(alert(1), 100)).toBeUndefined();
    expect(db.countAlerts()).toBe(1);
    db.close();
  });

  it('bounds the alert log to its maximum number of records, dropping the oldest', () => {
    const db = AgentDb.open(dataDir());
    for (let i = 1; i <= 250; i += 1) db.insertAlert(alert(i), 100);
    expect(db.countAlerts()).toBe(100);
    expect(db.queryAlerts({ limit: 1000 }).at(-1)?.originId).toBe(151);
    db.close();
  });

  it('stores a batch of peer alerts in one go: new ones returned in order, duplicates skipped, the log bounded', () => {
    const db = AgentDb.open(dataDir());
    db.insertAlert(alert(2), 100);
    const stored = db.insertAlerts([alert(1), alert(2), alert(3)], 100);
    expect(stored.map((a) => a.originId)).toEqual([1, 3]);
    expect(db.countAlerts()).toBe(3);
    db.insertAlerts(Array.from({ length: 150 }, (_, i) => alert(i + 10)), 100);
    expect(db.countAlerts()).toBe(100);
    expect(db.queryAlerts({ limit: 1000 }).at(-1)?.originId).toBe(60);
    expect(db.insertAlerts([], 100)).toEqual([]);
    db.close();
  });

  it('filters alerts by server, level and module', () => {
    const db = AgentDb.open(dataDir());
    db.insertAlert(alert(1), 100);
    db.insertAlert({ ...alert(2), server: 'server2', level: 'error', module: 'rm' }, 100);
    expect(db.queryAlerts({ limit: 10, server: 'server2' }).map((a) => a.originId)).toEqual([2]);
    expect(db.queryAlerts({ limit: 10, level: 'info' }).map((a) => a.originId)).toEqual([1]);
    expect(db.queryAlerts({ limit: 10, module: 'rm' }).map((a) => a.originId)).toEqual([2]);
    db.close();
  });

  it('refuses a corrupt file with a message that says what to do', () => {
    const dir = dataDir();
    writeFileSync(path.join(dir, 'kumo.db'), 'this is not a database at all'.repeat(200));
    expect(() => AgentDb.open(dir)).toThrow(/is corrupt .*move the file aside .* takes the current configuration from its peers/);
  });

  it('refuses a database another agent holds', () => {
    const dir = dataDir();
    const first = AgentDb.open(dir);
    expect(() => AgentDb.open(dir)).toThrow(/is locked by another process.*own --data-dir/);
    first.close();
  });
});
