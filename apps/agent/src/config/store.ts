/**
 * The applied configuration of this server, and at most one prepared (pending) one during a two-phase apply.
 * Versions only move forward; the SQLite table keeps every applied version.
 */
import { EventEmitter } from 'node:events';
import { validateClusterConfig } from '@kumo/shared';
import type { ValidConfig } from '@kumo/shared';
import type { AgentDb } from '../db/client.js';
import { KumoError } from '../util/errors.js';
import { configHash } from './canonical.js';

export interface ActiveConfig {
  version: number;
  hash: string;
  config: ValidConfig;
  appliedBy: string;
  appliedAt: number;
}

interface Pending {
  txId: string;
  version: number;
  hash: string;
  config: ValidConfig;
  by: string;
  expiresAt: number;
}

export interface ConfigStoreEvents {
  changed: [ActiveConfig, ActiveConfig | null];
}

/** A prepared apply that never got its commit or abort is dropped after this long. */
const PENDING_TTL_MS = 60_000;

export class ConfigStore extends EventEmitter<ConfigStoreEvents> {
  private active: ActiveConfig | null = null;
  private pending: Pending | null = null;

  constructor(
    private readonly db: AgentDb,
    private readonly now: () => number = Date.now,
  ) {
    super();
    const stored = db.latestConfig();
    if (stored) {
      const r = validateClusterConfig(stored.config);
      if (!r.ok) throw new Error(`the stored configuration version ${stored.version} no longer validates: ${r.errors[0]?.where}: ${r.errors[0]?.message.en}`);
      this.active = { version: stored.version, hash: stored.hash, config: r.config, appliedBy: stored.appliedBy, appliedAt: stored.appliedAt };
    }
  }

  get current(): ActiveConfig | null {
    return this.active;
  }

  get version(): number {
    return this.active?.version ?? 0;
  }

  get hash(): string | null {
    return this.active?.hash ?? null;
  }

  hasPending(): boolean {
    if (this.pending && this.pending.expiresAt < this.now()) this.pending = null;
    return this.pending !== null;
  }

  /** The hash of the config prepared here and waiting for its commit, if any. */
  pendingHash(): string | null {
    return this.hasPending() ? (this.pending?.hash ?? null) : null;
  }

  /** Phase one: validate and hold the config; refuses a stale version or a second apply in flight. */
  prepare(tx: { txId: string; version: number; hash: string; config: unknown; by: string }): void {
    if (this.hasPending() && this.pending?.txId !== tx.txId) {
      throw new KumoError('KUMO_E_APPLY_IN_PROGRESS', `another apply (by ${this.pending?.by}) is in progress here; wait for it and apply again`);
    }
    if (tx.version <= this.version) {
      throw new KumoError('KUMO_E_APPLY_PEER_REJECTED', `this server already has configuration version ${this.version}, newer than or equal to ${tx.version}; reload the configuration and apply again`);
    }
    const r = validateClusterConfig(tx.config);
    if (!r.ok) throw new KumoError('KUMO_E_VALIDATION', `the configuration is invalid here: ${r.errors[0]?.where}: ${r.errors[0]?.message.en}`, r.errors);
    const hash = configHash(r.config);
    if (hash !== tx.hash) throw new KumoError('KUMO_E_APPLY_PEER_REJECTED', 'the configuration validates differently here (hash mismatch): make sure every server runs the same Kumo version, then apply again');
    this.pending = { txId: tx.txId, version: tx.version, hash, config: r.config, by: tx.by, expiresAt: this.now() + PENDING_TTL_MS };
  }

  /** Phase two: make the prepared config the active one, durably. */
  commit(txId: string): ActiveConfig {
    if (!this.pending || this.pending.txId !== txId) {
      throw new KumoError('KUMO_E_APPLY_PEER_REJECTED', 'there is no prepared configuration for this apply (it may have expired); apply again');
    }
    const p = this.pending;
    this.pending = null;
    return this.install({ version: p.version, hash: p.hash, config: p.config, appliedBy: p.by, appliedAt: this.now() });
  }

  abort(txId: string): void {
    if (this.pending?.txId === txId) this.pending = null;
  }

  /**
   * Takes a newer config from a peer (this server was down or restarted during an apply). A server without a
   * config takes only one that names it (`self`): an agent being added to a running cluster meets its servers
   * before the apply that adds it, and their current config is not its own.
   */
  adopt(stored: { version: number; hash: string; config: unknown; appliedBy: string; appliedAt: number }, self: string): ActiveConfig | null {
    if (stored.version <= this.version) return null;
    const r = validateClusterConfig(stored.config);
    if (!r.ok || configHash(r.config) !== stored.hash) return null;
    if (!this.active && !r.config.servers.some((s) => s.name === self)) return null;
    return this.install({ ...stored, config: r.config });
  }

  private install(next: ActiveConfig): ActiveConfig {
    this.db.insertConfig(next);
    const previous = this.active;
    this.active = next;
    this.emit('changed', next, previous);
    return next;
  }
}
