/**
 * The witness lease (DESIGN §4, split brain). A server that has lost its peers may keep its groups only while it
 * keeps reaching the witness: it posts every `intervalS`, and if no post has succeeded for `leaseMs` it stands
 * down. A peer takes over from a lost server only when the witness has not heard that server for `deadAfterMs`,
 * longer than the lease, and never at its first look (the lost server noticed the loss when it did and gets a
 * moment to stand down); it stands down itself only when the witness has heard the lost server again since its
 * previous look, which proves it alive now (a server that posted just before it crashed is not).
 */
import type { ValidConfig } from '@kumo/shared';

/** The slowest witness poll interval of the cluster, in ms (null: no witness). */
function witnessIntervalMs(config: ValidConfig | null): number | null {
  const intervals = (config?.cluster.np.targets ?? []).filter((t) => t.kind === 'witness').map((t) => t.intervalS * 1000);
  return intervals.length > 0 ? Math.max(...intervals) : null;
}

/**
 * How long a server whose peers are lost may go without reaching the witness before it stands down: one poll
 * interval and a second of slack for a slow answer.
 */
export function witnessLeaseMs(config: ValidConfig | null): number | null {
  const i = witnessIntervalMs(config);
  return i === null ? null : Math.round(i + 1000);
}

/** How long the witness must not have heard a lost server before its groups are taken over: the lease and a second. */
export function witnessDeadAfterMs(config: ValidConfig | null): number | null {
  const lease = witnessLeaseMs(config);
  return lease === null ? null : lease + 1000;
}

/**
 * How soon to look again at a lost server: when a live one will have posted again, or when a silent one's lease
 * has run out, whichever comes first; never sooner than a second, so that the lost server, which noticed the loss
 * when we did, has had time to stand down before any takeover.
 */
export function witnessRecheckMs(config: ValidConfig | null, seenMsAgo: number | null): number {
  const i = witnessIntervalMs(config) ?? 1000;
  const deadAfter = witnessDeadAfterMs(config) ?? 0;
  const untilDead = seenMsAgo === null ? 0 : deadAfter - seenMsAgo + 200;
  return Math.max(1000, Math.min(Math.round(i + 500), Math.round(untilDead)));
}
