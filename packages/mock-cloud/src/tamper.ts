/**
 * What an outsider can do to the emulated account behind the cluster's back: another admin re-pointing
 * the VIP route, disassociating the EIP, deleting or changing a DNS record, AWS degrading an AZ, someone
 * stopping an instance. Each takes effect at once (records are visible to the API and DNS immediately) and
 * is announced as a `tamper` event. Unknown targets throw an `AwsError` naming what does not exist.
 */
import { AwsError } from './aws-error.js';
import type { Cloud } from './cloud.js';
import { disassociate, replaceRoute, requireAllocation, requireEni, requireRouteTable } from './ec2/operations.js';
import { requireZone } from './route53/operations.js';
import { recordKey } from './state.js';
import { AZ_STATES, isInZone, normalizeDnsName, RECORD_TYPES, recordValueProblem, type AzStateName, type RecordType } from './topology.js';

export interface TamperApi {
  /** Re-points an existing route (e.g. `10.1.0.20/32`) at another ENI. */
  pointRoute(routeTableId: string, cidr: string, eniId: string): void;
  disassociateAddress(allocationId: string): void;
  deleteRecord(zoneId: string, name: string, type: string): void;
  /** Creates or replaces a record; the TTL defaults to the current one, or 300. */
  changeRecord(zoneId: string, name: string, type: string, values: string[], ttl?: number): void;
  setAzState(zoneName: string, state: AzStateName): void;
  /** Stops an instance as StopInstances would (the stop is announced like any other). */
  stopInstance(instanceId: string): void;
  startInstance(instanceId: string): void;
}

function recordType(type: string): RecordType {
  const found = RECORD_TYPES.find((t) => t === type.toUpperCase());
  if (!found) throw new AwsError('InvalidInput', `Unsupported record type ${type}`);
  return found;
}

export function createTamper(cloud: Cloud): TamperApi {
  const announce = (action: string, detail: Record<string, unknown>) => cloud.events.emit({ type: 'tamper', action, detail });
  const instance = (id: string) => {
    const found = cloud.state.instances.get(id);
    if (!found) throw new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
    return found;
  };
  return {
    pointRoute(routeTableId, cidr, eniId) {
      const table = requireRouteTable(cloud.state, routeTableId);
      const eni = requireEni(cloud.state, eniId);
      replaceRoute(table, cidr, { kind: 'eni', id: eni.id });
      announce('point-route', { routeTableId, cidr, eniId });
    },
    disassociateAddress(allocationId) {
      disassociate(requireAllocation(cloud.state, allocationId));
      announce('disassociate-address', { allocationId });
    },
    deleteRecord(zoneId, name, type) {
      const zone = requireZone(cloud, zoneId);
      const fqdn = normalizeDnsName(name);
      const rrType = recordType(type);
      if (!zone.records.has(recordKey(fqdn, rrType))) {
        throw new AwsError('InvalidChangeBatch', `[Tried to delete resource record set [name='${fqdn}', type='${rrType}'] but it was not found]`);
      }
      cloud.applyOutOfBand(zone.id, [{ op: 'delete', name: fqdn, type: rrType }]);
      announce('delete-record', { zoneId, name: fqdn, type: rrType });
    },
    changeRecord(zoneId, name, type, values, ttl) {
      const zone = requireZone(cloud, zoneId);
      const fqdn = normalizeDnsName(name);
      const rrType = recordType(type);
      if (!isInZone(fqdn, zone.name)) throw new AwsError('InvalidChangeBatch', `[RRSet with DNS name ${fqdn} is not permitted in zone ${zone.name}]`);
      const problem = values.length === 0 ? 'no values' : values.map((v) => recordValueProblem(rrType, v)).find((p) => p !== undefined);
      if (problem !== undefined) throw new AwsError('InvalidChangeBatch', `[Invalid Resource Record: ${problem}]`);
      const currentTtl = zone.records.get(recordKey(fqdn, rrType))?.ttl;
      const record = { name: fqdn, type: rrType, ttl: ttl ?? currentTtl ?? 300, values: [...values] };
      cloud.applyOutOfBand(zone.id, [{ op: 'set', record }]);
      announce('change-record', { zoneId, ...record });
    },
    setAzState(zoneName, state) {
      const az = cloud.state.azs.get(zoneName);
      if (!az) throw new AwsError('InvalidParameterValue', `The zone '${zoneName}' does not exist in the region '${cloud.region}'`);
      if (!AZ_STATES.includes(state)) throw new AwsError('InvalidParameterValue', `AZ state must be one of ${AZ_STATES.join(', ')}`);
      const previousState = az.state;
      az.state = state;
      announce('set-az-state', { zoneName, state, previousState });
    },
    stopInstance(instanceId) {
      cloud.stopInstances([instance(instanceId)]);
      announce('stop-instance', { instanceId });
    },
    startInstance(instanceId) {
      cloud.startInstances([instance(instanceId)]);
      announce('start-instance', { instanceId });
    },
  };
}
