/** The mirror disk's public surface for the agent (md resource driver, mdw/mdnw monitors, CLI). */
export { MirrorDisk } from './mirror-disk.js';
export { MirrorError, type MirrorErrorCode } from './errors.js';
export {
  DEFAULT_PARAMS,
  type ConnectionState,
  type DiskState,
  type LastRecovery,
  type MirrorColor,
  type MirrorCounters,
  type MirrorDiskOptions,
  type MirrorDiskStatus,
  type MirrorEvent,
  type MirrorEventType,
  type MirrorParams,
  type MirrorState,
  type RecoveryDirection,
  type RecoveryKind,
  type RecoveryStatus,
  type ServerMirrorStatus,
} from './types.js';
