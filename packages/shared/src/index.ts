/** @kumo/shared — the one source of truth for the browser and the agent (DESIGN §1). */
export * from './i18n.js';
export * from './config/cluster-config.js';
export * from './config/model.js';
export * from './config/validate.js';
export * from './config/defaults.js';
export { CIDR_RE, IPV4_RE } from './config/primitives.js';
export * from './types/index.js';
export * from './status/cluster-status.js';
export * from './alerts/catalogue.js';
export * from './protocol/error-codes.js';
export * from './protocol/ui-messages.js';
export * from './protocol/peer-messages.js';
