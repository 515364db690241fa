/**
 * The alert log: every state change and operation as a row (time, server, module, event id, level, message) in
 * SQLite, pushed live to subscribers. Each agent stores its own alerts and copies of its peers', so the WebUI
 * connected to any server shows the whole cluster's log, even after a server died.
 */
import { EventEmitter } from 'node:events';
import { ALERTS, renderAlert } from '@kumo/shared';
import type { AlertEntry, AlertKey } from '@kumo/shared';
import type { AgentDb, AlertRow } from '../db/client.js';

export interface AlertLogEvents {
  /** A new alert raised here (`local`) or received from a peer. */
  alert: [AlertEntry, { local: boolean }];
}

function toEntry(row: AlertRow): AlertEntry {
  return { id: row.id, time: row.time, server: row.server, module: row.module, eventId: row.eventId, level: row.level, key: row.key, args: row.args, message: row.message };
}

export class AlertLog extends EventEmitter<AlertLogEvents> {
  private nextOrigin: number;

  constructor(
    private readonly db: AgentDb,
    private readonly server: string,
    private readonly maxRecords: () => number,
    private readonly now: () => number = Date.now,
  ) {
    super();
    this.nextOrigin = db.nextOriginId(server);
  }

  /** Raises an alert on this server. Returns the stored entry (whose `id` is this server's origin id). */
  raise(key: AlertKey, args: readonly (string | number)[] = []): AlertEntry {
    const def = ALERTS[key];
    const originId = this.nextOrigin++;
    const row = {
      time: this.now(),
      server: this.server,
      originId,
      module: def.module,
      eventId: def.eventId,
      level: def.level,
      key,
      args: [...args],
      message: renderAlert(key, args),
    };
    this.db.insertAlert(row, this.maxRecords());
    const entry = { ...toEntry({ ...row, id: originId }) };
    this.emit('alert', entry, { local: true });
    return entry;
  }

  /** Stores a peer's alert (its `id` is the origin id on that peer); duplicates are ignored. */
  ingest(entry: AlertEntry): void {
    this.ingestMany([entry]);
  }

  /** Stores peers' alerts in one transaction; duplicates and this server's own are ignored. */
  ingestMany(entries: readonly AlertEntry[]): void {
    const theirs = entries.filter((e) => e.server !== this.server);
    if (theirs.length === 0) return;
    const rows = theirs.map((e) => ({ time: e.time, server: e.server, originId: e.id, module: e.module, eventId: e.eventId, level: e.level, key: e.key, args: e.args, message: e.message }));
    const stored = this.db.insertAlerts(rows, this.maxRecords());
    const isNew = new Set(stored.map((r) => `${r.server}\u0000${r.originId}`));
    for (const e of theirs) if (isNew.has(`${e.server}\u0000${e.id}`)) this.emit('alert', e, { local: false });
  }

  query(q: Parameters<AgentDb['queryAlerts']>[0]): AlertEntry[] {
    return this.db.queryAlerts(q).map(toEntry);
  }

  /** This server's own alerts after `time`, as entries whose id is the origin id (for peers catching up). */
  ownSince(time: number): AlertEntry[] {
    return this.db.alertsSince(this.server, time).map((r) => ({ ...toEntry(r), id: r.originId }));
  }
}
