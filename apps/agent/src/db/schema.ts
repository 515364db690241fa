/** The agent's SQLite schema (drizzle): applied config versions, the alert log, the operation audit, settings. */
import { integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const configVersions = sqliteTable('config_versions', {
  version: integer('version').primaryKey(),
  hash: text('hash').notNull(),
  configJson: text('config_json').notNull(),
  appliedBy: text('applied_by').notNull(),
  appliedAt: integer('applied_at').notNull(),
});

export const alerts = sqliteTable(
  'alerts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    time: integer('time').notNull(),
    server: text('server').notNull(),
    /** The id the alert has on the server that raised it, so copies from peers are stored once. */
    originId: integer('origin_id').notNull(),
    module: text('module').notNull(),
    eventId: integer('event_id').notNull(),
    level: text('level', { enum: ['info', 'warning', 'error'] }).notNull(),
    key: text('key').notNull(),
    argsJson: text('args_json').notNull(),
    message: text('message').notNull(),
  },
  (t) => [uniqueIndex('alerts_origin').on(t.server, t.originId)],
);

export const audit = sqliteTable('audit', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  time: integer('time').notNull(),
  actor: text('actor').notNull(),
  operation: text('operation').notNull(),
  paramsJson: text('params_json').notNull(),
  outcome: text('outcome', { enum: ['ok', 'error'] }).notNull(),
  message: text('message').notNull(),
});

export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
});
