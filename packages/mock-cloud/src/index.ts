/**
 * @kumo/mock-cloud: an AWS emulator (EC2 Query, Route 53 REST-XML, IMDSv2, authoritative DNS) for Kumo's
 * tests and demo, reached by the real AWS SDK through endpoint overrides only. Never used in production.
 */
import { fileURLToPath } from 'node:url';

export { startMockCloud, type MockCloud, type MockCloudOptions } from './mock-cloud.js';
export type { InstanceStateChange } from './cloud.js';
export type { CloudEvent, CloudEventListener } from './events.js';
export type { ActiveFault, Denial, FaultApi, FaultKind, FaultSpec } from './faults.js';
export type { RequestFilter, RequestLogEntry, ServiceName } from './request-log.js';
export type { TamperApi } from './tamper.js';
export { instanceCredentials } from './credentials.js';
export {
  loadTopology,
  parseTopology,
  TopologyError,
  type AzStateName,
  type RecordType,
  type Topology,
  type TopologyAvailabilityZone,
  type TopologyElasticIp,
  type TopologyHostedZone,
  type TopologyInstance,
  type TopologyInternetGateway,
  type TopologyNatGateway,
  type TopologyNetworkInterface,
  type TopologyRecord,
  type TopologyRoute,
  type TopologyRouteTable,
  type TopologySubnet,
  type TopologyVpc,
} from './topology.js';

/** Path of `topologies/guide.json`: the construction guide's figures 5.1, 6.1 and 7.1. */
export const GUIDE_TOPOLOGY_PATH = fileURLToPath(new URL('../topologies/guide.json', import.meta.url));
