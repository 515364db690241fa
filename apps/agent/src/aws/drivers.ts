/** The drivers of the AWS types, for the engine's registry. */
import { awsazwDriver } from '../monitors/awsazw/driver.js';
import { awsdnswDriver } from '../monitors/awsdnsw/driver.js';
import { awseipwDriver } from '../monitors/awseipw/driver.js';
import { awsvipwDriver } from '../monitors/awsvipw/driver.js';
import { awsdnsDriver } from '../resources/awsdns/driver.js';
import { awseipDriver } from '../resources/awseip/driver.js';
import { awsvipDriver } from '../resources/awsvip/driver.js';
import type { MonitorDriver, ResourceDriver } from '../resources/driver.js';

export const awsResourceDrivers: readonly ResourceDriver[] = [awsvipDriver, awseipDriver, awsdnsDriver];

export const awsMonitorDrivers: readonly MonitorDriver[] = [awsvipwDriver, awseipwDriver, awsdnswDriver, awsazwDriver];
