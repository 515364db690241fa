/**
 * The driver registry: one driver per resource and monitor type of the shared catalogue. A test fails when a
 * type has no driver or a driver has no type.
 */
import type { MonitorDriver, ResourceDriver } from './resources/driver.js';
import { execDriver } from './resources/exec/driver.js';
import { genwDriver } from './monitors/genw/driver.js';

export const builtinResourceDrivers: ResourceDriver[] = [execDriver as ResourceDriver];
export const builtinMonitorDrivers: MonitorDriver[] = [genwDriver as MonitorDriver];
