/**
 * Errors the mirror disk returns to its caller (the md resource driver, the CLI). Each has a code the agent
 * maps to an alert and a message that says what to do.
 */

export type MirrorErrorCode =
  | 'STALE' // local data is not the latest: outdated, inconsistent or isolated
  | 'SPLIT_BRAIN' // both sides changed while apart; the operator must choose
  | 'PEER_IS_PRIMARY' // the connected peer is active
  | 'NOT_CONSTRUCTED' // the initial mirror construction has not run
  | 'UNRELATED_DATA' // the peer's data has no common history with ours
  | 'IS_PRIMARY' // the operation needs this side to be the standby
  | 'NOT_CONNECTED' // the operation needs the mirror disk connect
  | 'BUSY' // a conflicting operation is running
  | 'CLOSED' // the mirror disk was closed
  | 'EXPORT_FAILED' // the NBD export could not be started
  | 'BAD_CONFIG' // options or partitions are unusable
  | 'IO'; // a disk read or write failed

export class MirrorError extends Error {
  readonly code: MirrorErrorCode;

  constructor(code: MirrorErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MirrorError';
    this.code = code;
  }
}

/**
 * A failed block operation, carrying the errno the NBD server sends back (EIO 5, EPERM 1, EINVAL 22,
 * ENOSPC 28, ESHUTDOWN 108).
 */
export class BlockIoError extends Error {
  readonly errno: number;

  constructor(errno: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlockIoError';
    this.errno = errno;
  }
}

export const ERRNO = { EPERM: 1, EIO: 5, ENOMEM: 12, EINVAL: 22, ENOSPC: 28, ENOTSUP: 95, ESHUTDOWN: 108 } as const;

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
