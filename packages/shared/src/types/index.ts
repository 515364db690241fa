/**
 * The type catalogue: every resource and monitor type Kumo knows, by CLUSTERPRO's short id. Adding a type here
 * is the one step that makes the wizard, the validator and (through a test) the agent's driver registry see it.
 */
import { awsazwType } from './awsazw.js';
import { awsdnsType, awsdnswType } from './awsdns.js';
import { awseipType, awseipwType } from './awseip.js';
import { awsvipType, awsvipwType } from './awsvip.js';
import type { MonitorTypeDef, MonitorTypeId, ResourceTypeDef, ResourceTypeId } from './define.js';
import { execType, genwType } from './exec.js';
import { mdnwType, mdType, mdwType } from './md.js';

export const RESOURCE_TYPES = {
  awsvip: awsvipType,
  awseip: awseipType,
  awsdns: awsdnsType,
  md: mdType,
  exec: execType,
} as const satisfies Record<ResourceTypeId, ResourceTypeDef>;

export const MONITOR_TYPES = {
  awsvipw: awsvipwType,
  awseipw: awseipwType,
  awsdnsw: awsdnswType,
  awsazw: awsazwType,
  mdw: mdwType,
  mdnw: mdnwType,
  genw: genwType,
} as const satisfies Record<MonitorTypeId, MonitorTypeDef>;

export const RESOURCE_TYPE_IDS = Object.keys(RESOURCE_TYPES) as ResourceTypeId[];
export const MONITOR_TYPE_IDS = Object.keys(MONITOR_TYPES) as MonitorTypeId[];

export function resourceType(id: ResourceTypeId): ResourceTypeDef {
  return RESOURCE_TYPES[id];
}

export function monitorType(id: MonitorTypeId): MonitorTypeDef {
  return MONITOR_TYPES[id];
}

export * from './define.js';
export { awsazwType, awsdnsType, awsdnswType, awseipType, awseipwType, awsvipType, awsvipwType, execType, genwType, mdnwType, mdType, mdwType };
export { DEFAULT_MONITOR_SCRIPT, DEFAULT_START_SCRIPT, DEFAULT_STOP_SCRIPT } from './exec.js';
