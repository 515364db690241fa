/**
 * Fault injection and IAM revocation. A fault matches calls by operation (`'*'` for all), optionally by
 * service and calling instance, and applies to the next `count` matching calls (every one when `count` is
 * left out) until removed or cleared:
 *
 * - `latency`: the answer is delayed by `delayMs` (the operation takes effect after the delay, as a slow
 *   AWS call that the client may already have given up on);
 * - `hang`: no answer at all; the connection stays open until the client gives up or the emulator stops;
 * - `error`: an AWS error answer, `code`/`status`/`message` defaulting from the code. `Throttling` and
 *   `RequestLimitExceeded` both mean "throttle": `RequestLimitExceeded` 503 on EC2 and `Throttling` 400
 *   "Rate exceeded" on Route 53.
 *
 * `'*'` covers EC2 and Route 53 only: IMDS is hit only by faults that name `service: 'imds'`, so that a
 * blanket API fault does not also take away the instances' credentials.
 *
 * A denied action answers `UnauthorizedOperation` (EC2) or `AccessDenied` (Route 53) until allowed again.
 */
import { AwsError } from './aws-error.js';
import type { ServiceName } from './request-log.js';

/**
 * `error`: AWS answers with an error; `latency`: the answer comes late; `hang`: no answer ever; `reset`: the
 * connection is dropped without an answer (a stale keep-alive socket, a load balancer going away): the client
 * sees ECONNRESET.
 */
export type FaultKind = 'error' | 'latency' | 'hang' | 'reset';
export const FAULT_KINDS: readonly FaultKind[] = ['error', 'latency', 'hang', 'reset'];

export interface FaultSpec {
  /** Operation name (`ReplaceRoute`, `ChangeResourceRecordSets`, IMDS `GetToken`/`GetMetadata`) or `'*'`. */
  operation: string;
  kind: FaultKind;
  /** Limits the fault to one service; required for IMDS faults. */
  service?: ServiceName;
  /** Error code, default `InternalError`. */
  code?: string;
  /** HTTP status; default from the code (503 throttling on EC2, 500 InternalError, 403 authorization, else 400). */
  status?: number;
  message?: string;
  /** How many matching calls it applies to; default: all until removed. */
  count?: number;
  /** For latency: the delay. */
  delayMs?: number;
  /** Only calls made by this emulated instance. */
  instanceId?: string;
}

export interface ActiveFault extends FaultSpec {
  id: string;
  /** Calls left; undefined = unlimited. */
  remaining: number | undefined;
}

export interface Denial {
  action: string;
  instanceId?: string;
}

export interface FaultApi {
  inject(spec: FaultSpec): string;
  remove(id: string): boolean;
  /** Removes every fault and every denial. */
  clear(): void;
  /** IAM revocation: `action` is an operation name, optionally prefixed `ec2:`/`route53:`, or `*`. */
  denyAction(action: string, instanceId?: string): void;
  allowAction(action: string, instanceId?: string): void;
  list(): { faults: ActiveFault[]; denied: Denial[] };
}

function operationMatches(pattern: string, service: ServiceName, operation: string, patternService?: ServiceName) {
  const colon = pattern.indexOf(':');
  const prefix = colon < 0 ? patternService : pattern.slice(0, colon);
  const name = colon < 0 ? pattern : pattern.slice(colon + 1);
  if (prefix !== undefined && prefix !== service) return false;
  if (name === '*') return prefix !== undefined || service !== 'imds';
  return name === operation;
}

export class FaultRegistry implements FaultApi {
  private faults: ActiveFault[] = [];
  private denied: Denial[] = [];
  private nextId = 1;

  constructor(private readonly announce: (action: 'inject' | 'remove' | 'clear' | 'deny' | 'allow', detail: Record<string, unknown>) => void) {}

  inject(spec: FaultSpec): string {
    const problem = faultSpecProblem(spec);
    if (problem !== undefined) throw new Error(`invalid fault: ${problem}`);
    const id = `fault-${this.nextId++}`;
    const fault: ActiveFault = { ...spec, id, remaining: spec.count };
    this.faults.push(fault);
    this.announce('inject', { ...fault });
    return id;
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((fault) => fault.id !== id);
    const removed = this.faults.length < before;
    if (removed) this.announce('remove', { id });
    return removed;
  }

  clear(): void {
    this.faults = [];
    this.denied = [];
    this.announce('clear', {});
  }

  denyAction(action: string, instanceId?: string): void {
    if (!this.denied.some((d) => d.action === action && d.instanceId === instanceId)) {
      this.denied.push(instanceId === undefined ? { action } : { action, instanceId });
    }
    this.announce('deny', instanceId === undefined ? { action } : { action, instanceId });
  }

  allowAction(action: string, instanceId?: string): void {
    this.denied = this.denied.filter((d) => !(d.action === action && d.instanceId === instanceId));
    this.announce('allow', instanceId === undefined ? { action } : { action, instanceId });
  }

  list(): { faults: ActiveFault[]; denied: Denial[] } {
    return { faults: structuredClone(this.faults), denied: structuredClone(this.denied) };
  }

  /**
   * The faults that apply to this call, consuming one use of each: any number of latencies, then at most
   * one terminal fault (hang, reset or error), in injection order.
   */
  take(service: ServiceName, operation: string, instanceId: string | undefined): ActiveFault[] {
    const taken: ActiveFault[] = [];
    for (const fault of [...this.faults]) {
      if (!operationMatches(fault.operation, service, operation, fault.service)) continue;
      if (fault.instanceId !== undefined && fault.instanceId !== instanceId) continue;
      taken.push({ ...fault });
      if (fault.remaining !== undefined) {
        fault.remaining -= 1;
        if (fault.remaining <= 0) this.faults = this.faults.filter((f) => f !== fault);
      }
      if (fault.kind !== 'latency') break;
    }
    return taken;
  }

  isDenied(service: ServiceName, operation: string, instanceId: string | undefined): boolean {
    return this.denied.some(
      (d) => operationMatches(d.action, service, operation) && (d.instanceId === undefined || d.instanceId === instanceId),
    );
  }
}

export function faultSpecProblem(spec: FaultSpec): string | undefined {
  if (typeof spec.operation !== 'string' || spec.operation === '') return 'operation must be an operation name or "*"';
  if (!FAULT_KINDS.includes(spec.kind)) return `kind must be one of ${FAULT_KINDS.join(', ')}`;
  if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0)) return 'count must be a positive whole number';
  if (spec.kind === 'latency' && !(typeof spec.delayMs === 'number' && spec.delayMs >= 0)) return 'a latency fault needs delayMs >= 0';
  if (spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 400 && spec.status <= 599)) {
    return 'status must be an HTTP error status (400-599)';
  }
  return undefined;
}

const THROTTLE_CODES = new Set(['Throttling', 'RequestLimitExceeded', 'ThrottlingException']);

const DEFAULT_MESSAGES: Record<string, string> = {
  InternalError: 'An internal error has occurred',
  InternalFailure: 'An internal error has occurred',
  ServiceUnavailable: 'The service is unavailable. Please try again shortly.',
  Unavailable: 'The service is unavailable. Please try again shortly.',
  UnauthorizedOperation: 'You are not authorized to perform this operation.',
  AccessDenied: 'User is not authorized to perform this action.',
  AuthFailure: 'AWS was not able to validate the provided access credentials',
  PriorRequestNotComplete: 'The request was rejected because Route 53 was still processing a prior request.',
};

/** The AWS error an `error` fault answers with, in the service's own terms. */
export function faultError(service: 'ec2' | 'route53', fault: FaultSpec): AwsError {
  const code = fault.code ?? 'InternalError';
  if (THROTTLE_CODES.has(code)) {
    return service === 'ec2'
      ? new AwsError('RequestLimitExceeded', fault.message ?? 'Request limit exceeded.', fault.status ?? 503)
      : new AwsError('Throttling', fault.message ?? 'Rate exceeded', fault.status ?? 400);
  }
  const translated = service === 'route53' && code === 'UnauthorizedOperation' ? 'AccessDenied' : code;
  const status =
    fault.status ??
    (/^(InternalError|InternalFailure)$/.test(translated)
      ? 500
      : /^(ServiceUnavailable|Unavailable)$/.test(translated)
        ? 503
        : /^(UnauthorizedOperation|AccessDenied)$/.test(translated)
          ? 403
          : translated === 'AuthFailure'
            ? 401
            : 400);
  return new AwsError(translated, fault.message ?? DEFAULT_MESSAGES[translated] ?? `Injected fault ${translated}`, status);
}
