/**
 * What the emulator announces to whoever started it: instance state changes (so a harness can stop the
 * agent of a stopped instance), every tamper and fault (for logs), Route 53 changes reaching INSYNC, and
 * resets. Delivered to `onEvent` listeners and to `GET /_admin/events` as Server-Sent Events.
 */
import type { InstanceStateName } from './state.js';

export type CloudEvent =
  | {
      type: 'instance-state';
      time: string;
      instanceId: string;
      name?: string;
      state: InstanceStateName;
      previousState: InstanceStateName;
    }
  | { type: 'tamper'; time: string; action: string; detail: Record<string, unknown> }
  | { type: 'fault'; time: string; action: 'inject' | 'remove' | 'clear' | 'deny' | 'allow'; detail: Record<string, unknown> }
  | { type: 'change-insync'; time: string; changeId: string; zoneId: string }
  | { type: 'reset'; time: string };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type CloudEventInput = DistributiveOmit<CloudEvent, 'time'>;

export type CloudEventListener = (event: CloudEvent) => void;

export class EventHub {
  private readonly listeners = new Set<CloudEventListener>();

  on(listener: CloudEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(input: CloudEventInput): void {
    const event: CloudEvent = { ...input, time: new Date().toISOString() };
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        // A listener's bug must not break the emulated AWS; it is reported and the others still run.
        console.error('kumo-mock-cloud: event listener failed:', error);
      }
    }
  }
}
