/**
 * The request log: every call to EC2, Route 53 and IMDS, in arrival order, for tests to assert on
 * ("the agent called ReplaceRoute on rtb-… once, as server2"). An entry is written when the request
 * arrives and completed when it is answered, so a hung call is visible with `status: 0`.
 */
export type ServiceName = 'ec2' | 'route53' | 'imds';

export interface RequestLogEntry {
  /** 1, 2, 3… in arrival order; use with `since`. */
  seq: number;
  time: string;
  service: ServiceName;
  operation: string;
  params: Record<string, unknown>;
  /** The emulated instance that made the call (from its role credentials, or its own IMDS). */
  instanceId?: string;
  accessKeyId?: string;
  /** HTTP status of the answer; 0 while unanswered (in flight, delayed or hung). */
  status: number;
  errorCode?: string;
}

export interface RequestFilter {
  service?: ServiceName;
  operation?: string;
  instanceId?: string;
  /** Only entries with a greater `seq`. */
  since?: number;
}

const MAX_ENTRIES = 20_000;

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  start(entry: Omit<RequestLogEntry, 'seq' | 'time' | 'status'>): RequestLogEntry {
    this.seq += 1;
    const full: RequestLogEntry = { seq: this.seq, time: new Date().toISOString(), status: 0, ...entry };
    this.entries.push(full);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    return full;
  }

  list(filter: RequestFilter = {}): RequestLogEntry[] {
    return this.entries
      .filter(
        (entry) =>
          (filter.service === undefined || entry.service === filter.service) &&
          (filter.operation === undefined || entry.operation === filter.operation) &&
          (filter.instanceId === undefined || entry.instanceId === filter.instanceId) &&
          (filter.since === undefined || entry.seq > filter.since),
      )
      .map((entry) => structuredClone(entry));
  }

  clear(): void {
    this.entries = [];
  }
}
