/**
 * The driver registry: one driver per resource and monitor type of the shared catalogue. A test fails when a
 * type has no driver or a driver has no type.
 */
import { awsMonitorDrivers, awsResourceDrivers } from './aws/drivers.js';
import type { MonitorDriver, ResourceDriver } from './resources/driver.js';
import { execDriver } from './resources/exec/driver.js';
import { genwDriver } from './monitors/genw/driver.js';
import { mdnwDriver, mdwDriver } from './monitors/mdw/driver.js';
import { mdDriver } from './resources/md/driver.js';

export const builtinResourceDrivers: ResourceDriver[] = [execDriver, mdDriver, ...awsResourceDrivers];
export const builtinMonitorDrivers: MonitorDriver[] = [genwDriver, mdwDriver, mdnwDriver, ...awsMonitorDrivers];
