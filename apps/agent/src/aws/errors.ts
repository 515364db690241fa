/**
 * AWS failures in CLUSTERPRO's terms (reference/clusterpro.md §3.1): code 5 carries the AWS error text, or
 * "Failed in the AWS CLI command." when AWS sent none (no answer, no credentials, a refused connection); code 6
 * is "Timeout occurred." (the AWS CLI timeout, or the engine's deadline, fired first). Monitors turn these into
 * normal / warning (code + 100) / error by their "Action when AWS CLI command failed to receive response".
 *
 * Everything here is pure: the SDK's errors are read through type guards, never through `any`.
 */
import type { DriverResult, FailureClass, MonitorResult } from '../resources/driver.js';
import { fail } from '../resources/driver.js';

export const AWS_CLI_FAILED = 'Failed in the AWS CLI command.';
export const AWS_TIMEOUT = 'Timeout occurred.';

/** `api`: AWS answered with an error or could not be reached (code 5); `timeout`: no answer in time (code 6). */
export type AwsFailureKind = 'api' | 'timeout';

/** Where it went wrong: AWS answered with an error, the endpoint could not be reached, or locally (credentials). */
export type AwsFailureOrigin = 'aws' | 'network' | 'local';

/** Thrown by every `AwsApi` call; drivers turn it into a `DriverResult` or a `MonitorResult`. */
export class AwsCallError extends Error {
  override readonly name = 'AwsCallError';

  constructor(
    /** The operation, e.g. `ReplaceRoute`. */
    readonly operation: string,
    readonly kind: AwsFailureKind,
    /** CLUSTERPRO's text: the AWS error message, "Failed in the AWS CLI command." or "Timeout occurred.". */
    readonly text: string,
    /** AWS's error code (`InvalidVpcID.NotFound`), when AWS answered. */
    readonly awsCode?: string,
    readonly httpStatus?: number,
    /** What an engineer needs beyond the text (the network error, the full AWS message); for the log only. */
    readonly detail?: string,
    readonly origin: AwsFailureOrigin = kind === 'timeout' ? 'network' : httpStatus !== undefined ? 'aws' : 'local',
  ) {
    super(`${operation}: ${text}${detail !== undefined && detail !== text ? ` (${detail})` : ''}`);
  }

  /** CLUSTERPRO's code: 5 for an API failure, 6 for a timeout. */
  get code(): 5 | 6 {
    return this.kind === 'timeout' ? 6 : 5;
  }
}

export function isAwsCallError(e: unknown): e is AwsCallError {
  return e instanceof AwsCallError;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'PriorRequestNotComplete',
  'SlowDown',
  'EC2ThrottledException',
]);

/** Network errors worth another attempt (the connection broke, not the request). */
const TRANSIENT_NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED']);

function field(e: object, key: string): unknown {
  return (e as Record<string, unknown>)[key];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** What an SDK error says, read without trusting its shape. */
export interface SdkErrorFacts {
  /** AWS's error code when the service answered (`name` of a service exception). */
  awsCode?: string;
  httpStatus?: number;
  /** The service's message, when the service answered with one. */
  awsMessage?: string;
  /** Whether a request with the same input may succeed later (throttling, 5xx, a broken connection). */
  retryable: boolean;
  /** No connection to the endpoint could be made or kept (as opposed to a local failure such as credentials). */
  network: boolean;
  throttling: boolean;
  aborted: boolean;
  /** A one-line description for the log. */
  detail: string;
}

export function sdkErrorFacts(e: unknown): SdkErrorFacts {
  if (typeof e !== 'object' || e === null) return { retryable: false, network: false, throttling: false, aborted: false, detail: String(e) };
  const name = str(field(e, 'name'));
  const message = str(field(e, 'message'));
  const metadata = field(e, '$metadata');
  const status = typeof metadata === 'object' && metadata !== null ? field(metadata, 'httpStatusCode') : undefined;
  const httpStatus = typeof status === 'number' ? status : undefined;
  const fault = field(e, '$fault');
  const netCode = str(field(e, 'code'));
  const detail = `${name ?? 'Error'}: ${message ?? ''}${netCode !== undefined ? ` [${netCode}]` : ''}`;
  // The SDK's HTTP handler renames ECONNRESET, EPIPE and ETIMEDOUT to "TimeoutError" (a stale keep-alive socket
  // reset by the server shows up so, a few ms after the request): a broken connection, worth another attempt.
  // Only a TimeoutError without such a code (its own connection timeout) or an abort is a timeout.
  if ((name === 'AbortError' || name === 'TimeoutError') && !(netCode !== undefined && TRANSIENT_NETWORK.has(netCode))) {
    return { retryable: false, network: true, throttling: false, aborted: true, detail };
  }
  // A service exception has `$fault` and an HTTP status: AWS answered.
  if ((fault === 'client' || fault === 'server') && httpStatus !== undefined) {
    const throttling = (name !== undefined && THROTTLING.has(name)) || httpStatus === 429;
    const facts: SdkErrorFacts = { httpStatus, retryable: throttling || httpStatus >= 500, network: false, throttling, aborted: false, detail };
    if (name !== undefined) facts.awsCode = name;
    if (message !== undefined && message !== 'UnknownError') facts.awsMessage = message;
    return facts;
  }
  // No answer from AWS: a network error (retry) or a local one such as missing credentials (do not).
  const network = (netCode !== undefined && TRANSIENT_NETWORK.has(netCode)) || /socket hang up/i.test(message ?? '');
  return { retryable: network, network, throttling: false, aborted: false, detail };
}

/**
 * CLUSTERPRO shows the first sentence AWS sends; EC2's "Encoded authorization failure message: …" tail is
 * for `sts decode-authorization-message` and goes to the log instead.
 */
export function clusterproText(awsMessage: string | undefined): string {
  if (awsMessage === undefined) return AWS_CLI_FAILED;
  const cut = awsMessage.indexOf(' Encoded authorization failure message:');
  return (cut >= 0 ? awsMessage.slice(0, cut) : awsMessage).trim() || AWS_CLI_FAILED;
}

export function toAwsCallError(operation: string, e: unknown, timedOut: boolean): AwsCallError {
  if (e instanceof AwsCallError) return e;
  const facts = sdkErrorFacts(e);
  if (timedOut || facts.aborted) return new AwsCallError(operation, 'timeout', AWS_TIMEOUT, undefined, undefined, facts.detail, 'network');
  const origin = facts.httpStatus !== undefined ? 'aws' : facts.network ? 'network' : 'local';
  return new AwsCallError(operation, 'api', clusterproText(facts.awsMessage), facts.awsCode, facts.httpStatus, facts.detail, origin);
}

/**
 * How a resource failure should be treated. A wrong shared ID (VPC, allocation, zone) or a missing permission
 * is the operator's to fix; a wrong ENI is this server's (another server has its own); trouble reaching AWS is
 * transient.
 */
export function failureClassOf(e: AwsCallError): FailureClass {
  if (e.kind === 'timeout') return 'transient';
  const code = e.awsCode ?? '';
  if (code === 'InvalidNetworkInterfaceID.NotFound') return 'node';
  if (/NotFound|^NoSuch|^Invalid|Unauthorized|AccessDenied|AuthFailure|^MissingParameter|OptInRequired/.test(code)) return 'config';
  return 'transient';
}

/** A driver's failure result for an `AwsCallError`; anything else is a bug and is rethrown. */
export function awsFailure(e: unknown): DriverResult {
  if (!(e instanceof AwsCallError)) throw e;
  return fail(e.code, e.text, failureClassOf(e));
}

/** CLUSTERPRO's "Action when AWS CLI command failed to receive response". */
export type AwsMonitorMode = 'none' | 'warn' | 'recover';

/**
 * A monitor's result when the AWS API failed (5) or timed out (6): nothing with `none`, a warning with code
 * + 100 with `warn` (the default), an error that leads to recovery only with `recover`.
 */
export function apiTrouble(mode: AwsMonitorMode, trouble: { code: 5 | 6; text: string }): MonitorResult {
  switch (mode) {
    case 'none':
      return { state: 'normal' };
    case 'warn':
      return { state: 'warning', code: trouble.code + 100, text: trouble.text };
    case 'recover':
      return { state: 'error', code: trouble.code, text: trouble.text };
    default: {
      const check: never = mode;
      return check;
    }
  }
}

/** `apiTrouble` for a caught error; anything that is not an `AwsCallError` is a bug and is rethrown. */
export function monitorApiFailure(mode: AwsMonitorMode, e: unknown): MonitorResult {
  if (!(e instanceof AwsCallError)) throw e;
  return apiTrouble(mode, e);
}
