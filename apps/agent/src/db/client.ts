/**
 * The agent's database: one SQLite file (`<data-dir>/kumo.db`) opened exclusively, checked and migrated at start.
 * A corrupt or locked database stops the agent with a message that says what to do: it is never silently
 * recreated, because that would throw away the applied config and the alert log.
 */
import Database from 'better-sqlite3';
import { and, desc, eq, gt, lt, sql } from 'drizzle-orm';
import type { SQL } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { alerts, audit, configVersions, settings } from './schema.js';

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
}

export interface StoredConfig {
  version: number;
  hash: string;
  config: unknown;
  appliedBy: string;
  appliedAt: number;
}

export interface AlertRow {
  id: number;
  time: number;
  server: string;
  originId: number;
  module: string;
  eventId: number;
  level: 'info' | 'warning' | 'error';
  key: string;
  args: (string | number)[];
  message: string;
}

export interface AuditRow {
  time: number;
  actor: string;
  operation: string;
  params: unknown;
  outcome: 'ok' | 'error';
  message: string;
}

function explain(file: string, e: unknown): DatabaseError {
  const code = (e as { code?: string }).code ?? '';
  const text = e instanceof Error ? e.message : String(e);
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || /locked/i.test(text)) {
    return new DatabaseError(
      `the database ${file} is locked by another process (${text}); is another kumo-agent using the same data directory? Stop it, or give this agent its own --data-dir`,
    );
  }
  if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' || /malformed|not a database|corrupt/i.test(text)) {
    return new DatabaseError(
      `the database ${file} is corrupt (${text}); stop the agent, move the file aside (keep it for analysis) and start again: the agent takes the current configuration from its peers`,
    );
  }
  return new DatabaseError(`cannot open the database ${file}: ${text}`);
}

export class AgentDb {
  private readonly db: BetterSQLite3Database;
  private alertStatements: { insert: { get(p: Record<string, unknown>): { id: number } | undefined }; trim: { run(p: Record<string, unknown>): unknown } } | undefined;

  private constructor(
    private readonly sqlite: Database.Database,
    readonly file: string,
  ) {
    this.db = drizzle(sqlite);
  }

  /** Opens (creating if needed), locks, checks and migrates `<dataDir>/kumo.db`. Throws DatabaseError. */
  static open(dataDir: string): AgentDb {
    const file = path.join(dataDir, 'kumo.db');
    let sqlite: Database.Database | undefined;
    try {
      sqlite = new Database(file, { timeout: 200 });
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('locking_mode = EXCLUSIVE');
      sqlite.pragma('synchronous = NORMAL');
      // Taking the write lock now turns "another agent holds it" into an error at start, not later.
      sqlite.exec('BEGIN IMMEDIATE; COMMIT;');
      const check = sqlite.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw Object.assign(new Error(`integrity check: ${String(check)}`), { code: 'SQLITE_CORRUPT' });
      const agentDb = new AgentDb(sqlite, file);
      migrate(agentDb.db, { migrationsFolder: MIGRATIONS });
      return agentDb;
    } catch (e) {
      sqlite?.close();
      if (e instanceof DatabaseError) throw e;
      throw explain(file, e);
    }
  }

  close(): void {
    if (this.sqlite.open) this.sqlite.close();
  }

  // Config versions

  latestConfig(): StoredConfig | undefined {
    const row = this.db.select().from(configVersions).orderBy(desc(configVersions.version)).limit(1).get();
    return row ? { version: row.version, hash: row.hash, config: JSON.parse(row.configJson) as unknown, appliedBy: row.appliedBy, appliedAt: row.appliedAt } : undefined;
  }

  configHistory(limit = 20): Omit<StoredConfig, 'config'>[] {
    return this.db
      .select({ version: configVersions.version, hash: configVersions.hash, appliedBy: configVersions.appliedBy, appliedAt: configVersions.appliedAt })
      .from(configVersions)
      .orderBy(desc(configVersions.version))
      .limit(limit)
      .all();
  }

  insertConfig(c: StoredConfig): void {
    this.db
      .insert(configVersions)
      .values({ version: c.version, hash: c.hash, configJson: JSON.stringify(c.config), appliedBy: c.appliedBy, appliedAt: c.appliedAt })
      .onConflictDoNothing()
      .run();
  }

  // Alerts

  /** Stores an alert; returns its row, or undefined when this (server, originId) is already stored. */
  insertAlert(a: Omit<AlertRow, 'id'>, maxRecords: number): AlertRow | undefined {
    return this.insertAlerts([a], maxRecords)[0];
  }

  /**
   * Stores a batch of alerts (a peer's, as they arrive together) in one transaction, trimming once to the newest
   * `maxRecords` (CLUSTERPRO's alert log keeps 10000 by default); returns the rows that were new, in order.
   */
  insertAlerts(batch: readonly Omit<AlertRow, 'id'>[], maxRecords: number): AlertRow[] {
    // Prepared once: building and preparing the statement per row cost more than the insert at 32 servers.
    const q = (this.alertStatements ??= {
      insert: this.db
        .insert(alerts)
        .values({
          time: sql.placeholder('time'),
          server: sql.placeholder('server'),
          originId: sql.placeholder('originId'),
          module: sql.placeholder('module'),
          eventId: sql.placeholder('eventId'),
          level: sql.placeholder('level'),
          key: sql.placeholder('key'),
          argsJson: sql.placeholder('argsJson'),
          message: sql.placeholder('message'),
        })
        .onConflictDoNothing()
        .returning({ id: alerts.id })
        .prepare(),
      trim: this.db.delete(alerts).where(lt(alerts.id, sql.placeholder('below'))).prepare(),
    });
    return this.db.transaction(() => {
      const stored: AlertRow[] = [];
      for (const a of batch) {
        const row = q.insert.get({ ...a, argsJson: JSON.stringify(a.args) });
        if (row) stored.push({ ...a, id: row.id });
      }
      const last = stored.at(-1);
      if (last) q.trim.run({ below: last.id - maxRecords + 1 });
      return stored;
    });
  }

  trimAlerts(maxRecords: number): void {
    const newest = this.db.select({ id: alerts.id }).from(alerts).orderBy(desc(alerts.id)).limit(1).get();
    if (newest) this.db.delete(alerts).where(lt(alerts.id, newest.id - maxRecords + 1)).run();
  }

  nextOriginId(server: string): number {
    const row = this.db
      .select({ max: sql<number | null>`max(${alerts.originId})` })
      .from(alerts)
      .where(eq(alerts.server, server))
      .get();
    return (row?.max ?? 0) + 1;
  }

  queryAlerts(q: { limit: number; beforeId?: number | undefined; server?: string | undefined; level?: string | undefined; module?: string | undefined }): AlertRow[] {
    const where: SQL[] = [];
    if (q.beforeId !== undefined) where.push(lt(alerts.id, q.beforeId));
    if (q.server) where.push(eq(alerts.server, q.server));
    if (q.level) where.push(eq(alerts.level, q.level as AlertRow['level']));
    if (q.module) where.push(eq(alerts.module, q.module));
    return this.db
      .select()
      .from(alerts)
      .where(where.length > 0 ? and(...where) : undefined)
      .orderBy(desc(alerts.id))
      .limit(q.limit)
      .all()
      .map((r) => ({ ...r, args: JSON.parse(r.argsJson) as (string | number)[] }));
  }

  /** This server's own alerts raised after `time`, for a peer catching up. */
  alertsSince(server: string, time: number, limit = 1000): AlertRow[] {
    return this.db
      .select()
      .from(alerts)
      .where(and(eq(alerts.server, server), gt(alerts.time, time)))
      .orderBy(alerts.id)
      .limit(limit)
      .all()
      .map((r) => ({ ...r, args: JSON.parse(r.argsJson) as (string | number)[] }));
  }

  countAlerts(): number {
    return this.db.select({ n: sql<number>`count(*)` }).from(alerts).get()?.n ?? 0;
  }

  // Audit

  insertAudit(a: AuditRow): void {
    this.db.insert(audit).values({ ...a, paramsJson: JSON.stringify(a.params ?? null) }).run();
  }

  queryAudit(limit = 100): AuditRow[] {
    return this.db
      .select()
      .from(audit)
      .orderBy(desc(audit.id))
      .limit(limit)
      .all()
      .map((r) => ({ time: r.time, actor: r.actor, operation: r.operation, params: JSON.parse(r.paramsJson) as unknown, outcome: r.outcome, message: r.message }));
  }

  // Settings

  getSetting(key: string): string | undefined {
    return this.db.select().from(settings).where(eq(settings.key, key)).get()?.value;
  }

  setSetting(key: string, value: string): void {
    this.db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
  }
}
