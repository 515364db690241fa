/**
 * The running emulator's core, shared by every front end (EC2, Route 53, IMDS, DNS, admin): the state,
 * the request log, faults, events and timers, and the two things that happen over time: instance state
 * transitions (stopping → stopped, pending → running) and Route 53 changes going PENDING → INSYNC.
 */
import { instanceCredentials } from './credentials.js';
import { EventHub } from './events.js';
import { FaultRegistry } from './faults.js';
import { RequestLog } from './request-log.js';
import {
  applyRecordOps,
  buildState,
  USER_SHUTDOWN,
  type ChangeModel,
  type CloudState,
  type InstanceModel,
  type InstanceStateName,
  type RecordOp,
} from './state.js';
import { Timers } from './timers.js';
import type { Topology } from './topology.js';

export interface InstanceStateChange {
  instanceId: string;
  name?: string;
  state: InstanceStateName;
  previousState: InstanceStateName;
}

export interface CloudOptions {
  changeSyncDelayMs: number;
  instanceStopDelayMs: number;
  instanceStartDelayMs: number;
  onInstanceStateChange?: (change: InstanceStateChange) => void;
}

export interface StateTransition {
  instanceId: string;
  currentState: InstanceStateName;
  previousState: InstanceStateName;
}

export class Cloud {
  state: CloudState;
  readonly events = new EventHub();
  readonly log = new RequestLog();
  /** State transitions (instances, Route 53 changes): cancelled by reset() and stop(). */
  readonly timers = new Timers();
  /** Injected latencies of requests in flight: cancelled only by stop(), so a reset does not turn them into hangs. */
  readonly delays = new Timers();
  readonly faults: FaultRegistry;
  private readonly otherRegions = new Map<string, CloudState>();
  private readonly accessKeys = new Map<string, string>();
  private readonly instanceWatchers = new Set<(instance: InstanceModel) => void>();

  constructor(
    readonly topology: Topology,
    readonly options: CloudOptions,
  ) {
    this.state = buildState(topology);
    this.faults = new FaultRegistry((action, detail) => this.events.emit({ type: 'fault', action, detail }));
    for (const instance of topology.instances ?? []) {
      this.accessKeys.set(instanceCredentials(instance.id).accessKeyId, instance.id);
    }
  }

  get region(): string {
    return this.state.region;
  }

  /** The EC2 world as seen by a request signed for `region`: another region is empty, as it would be. */
  regionState(region: string | undefined): CloudState {
    if (region === undefined || region === this.state.region) return this.state;
    let other = this.otherRegions.get(region);
    if (!other) {
      other = buildState({ region, availabilityZones: [], vpcs: [], subnets: [] });
      this.otherRegions.set(region, other);
    }
    return other;
  }

  instanceForAccessKey(accessKeyId: string | undefined): string | undefined {
    return accessKeyId === undefined ? undefined : this.accessKeys.get(accessKeyId);
  }

  /** Called with an instance whenever its state changes (the IMDS listeners follow it). */
  watchInstances(watcher: (instance: InstanceModel) => void): () => void {
    this.instanceWatchers.add(watcher);
    return () => this.instanceWatchers.delete(watcher);
  }

  /** Back to the topology: state, faults, denials and the request log; pending transitions are dropped. */
  reset(): void {
    this.timers.clearAll();
    const before = new Map([...this.state.instances].map(([id, instance]) => [id, instance.state]));
    this.state = buildState(this.topology);
    this.otherRegions.clear();
    this.faults.clear();
    this.log.clear();
    this.events.emit({ type: 'reset' });
    for (const instance of this.state.instances.values()) {
      const previous = before.get(instance.id);
      if (previous !== undefined && previous !== instance.state) this.announce(instance, previous);
      else this.notifyWatchers(instance);
    }
  }

  private notifyWatchers(instance: InstanceModel): void {
    for (const watcher of this.instanceWatchers) watcher(instance);
  }

  private announce(instance: InstanceModel, previousState: InstanceStateName): void {
    this.notifyWatchers(instance);
    const name = instance.tags['Name'];
    const change: InstanceStateChange = {
      instanceId: instance.id,
      ...(name === undefined ? {} : { name }),
      state: instance.state,
      previousState,
    };
    this.events.emit({ type: 'instance-state', ...change });
    try {
      this.options.onInstanceStateChange?.(change);
    } catch (error) {
      console.error('kumo-mock-cloud: onInstanceStateChange failed:', error);
    }
  }

  private transition(instance: InstanceModel, next: InstanceStateName): void {
    const previous = instance.state;
    if (previous === next) return;
    instance.state = next;
    this.announce(instance, previous);
  }

  /**
   * StopInstances for instances already known to exist: running → stopping, then stopped after the
   * configured delay. Instances already stopping or stopped are left as they are (EC2 answers with their
   * current state). Checks come first so that nothing changes when one instance cannot be stopped.
   */
  stopInstances(instances: InstanceModel[]): StateTransition[] {
    const transitions = instances.map((instance) => ({ instance, previous: instance.state }));
    for (const { instance, previous } of transitions) {
      if (previous !== 'running') continue;
      this.transition(instance, 'stopping');
      const when = new Date();
      instance.stateTransitionReason = `User initiated (${when.toISOString().replace('T', ' ').slice(0, 19)} GMT)`;
      this.timers.set(() => {
        if (instance.state !== 'stopping' || this.state.instances.get(instance.id) !== instance) return;
        instance.stateReason = USER_SHUTDOWN;
        this.transition(instance, 'stopped');
      }, this.options.instanceStopDelayMs);
    }
    return transitions.map(({ instance, previous }) => ({ instanceId: instance.id, currentState: instance.state, previousState: previous }));
  }

  /** StartInstances: stopped → pending, then running after the configured delay. */
  startInstances(instances: InstanceModel[]): StateTransition[] {
    const transitions = instances.map((instance) => ({ instance, previous: instance.state }));
    for (const { instance, previous } of transitions) {
      if (previous !== 'stopped') continue;
      instance.stateReason = undefined;
      instance.stateTransitionReason = '';
      this.transition(instance, 'pending');
      this.timers.set(() => {
        if (instance.state !== 'pending' || this.state.instances.get(instance.id) !== instance) return;
        instance.launchTime = new Date();
        this.transition(instance, 'running');
      }, this.options.instanceStartDelayMs);
    }
    return transitions.map(({ instance, previous }) => ({ instanceId: instance.id, currentState: instance.state, previousState: previous }));
  }

  /**
   * Records an accepted Route 53 change (its operations are already applied to the API view) and makes it
   * INSYNC, and visible over DNS, after the configured delay.
   */
  submitChange(change: ChangeModel): void {
    this.state.changes.set(change.id, change);
    const state = this.state;
    this.timers.set(() => {
      if (this.state === state) this.syncChangesThrough(change.id);
    }, this.options.changeSyncDelayMs);
  }

  /** Marks the change and every earlier pending one INSYNC, applying them to the served zones in order. */
  private syncChangesThrough(changeId: string): void {
    for (const change of this.state.changes.values()) {
      if (change.status === 'PENDING') {
        change.status = 'INSYNC';
        const zone = this.state.zones.get(change.zoneId);
        if (zone) applyRecordOps(zone.served, change.ops);
        this.events.emit({ type: 'change-insync', changeId: change.id, zoneId: change.zoneId });
      }
      if (change.id === changeId) return;
    }
  }

  /** A change made outside the API (tamper): visible to the API and DNS at once. */
  applyOutOfBand(zoneId: string, ops: RecordOp[]): void {
    const zone = this.state.zones.get(zoneId);
    if (!zone) return;
    applyRecordOps(zone.records, ops);
    applyRecordOps(zone.served, ops);
  }
}
