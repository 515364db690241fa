/**
 * The path every EC2 and Route 53 call takes once its operation is known: it is logged, then injected
 * faults apply (latency, hang, error), then IAM denials, then the operation runs. Errors thrown as
 * `AwsError` are AWS answers; anything else is an emulator bug, answered as a 500 InternalError and printed.
 */
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { AwsError } from './aws-error.js';
import type { Cloud } from './cloud.js';
import { faultError } from './faults.js';
import { send } from './http-util.js';

export interface ApiCall {
  service: 'ec2' | 'route53';
  operation: string;
  params: Record<string, unknown>;
  accessKeyId: string | undefined;
  instanceId: string | undefined;
}

export interface ApiFront {
  /** The error document in the service's wire shape. */
  errorBody(error: AwsError, requestId: string): string;
  /** What a denied action answers (UnauthorizedOperation / AccessDenied). */
  denied(call: ApiCall): AwsError;
}

export interface ApiAnswer {
  status: number;
  body: string;
}

export async function runApiCall(
  cloud: Cloud,
  front: ApiFront,
  res: ServerResponse,
  call: ApiCall,
  execute: (requestId: string) => ApiAnswer,
  rejection?: AwsError,
): Promise<void> {
  const entry = cloud.log.start({
    service: call.service,
    operation: call.operation,
    params: call.params,
    ...(call.instanceId === undefined ? {} : { instanceId: call.instanceId }),
    ...(call.accessKeyId === undefined ? {} : { accessKeyId: call.accessKeyId }),
  });
  const requestId = randomUUID();
  const headers = { 'x-amzn-requestid': requestId };
  const answer = (status: number, body: string, errorCode?: string) => {
    entry.status = status;
    if (errorCode !== undefined) entry.errorCode = errorCode;
    send(res, status, 'text/xml;charset=UTF-8', body, headers);
  };
  const fail = (error: AwsError) => answer(error.status, front.errorBody(error, requestId), error.code);

  if (rejection) return fail(rejection);
  for (const fault of cloud.faults.take(call.service, call.operation, call.instanceId)) {
    if (fault.kind === 'latency') await cloud.delays.sleep(fault.delayMs ?? 0);
    else if (fault.kind === 'hang') return; // never answered; stop() closes the socket
    else if (fault.kind === 'reset') return void res.socket?.resetAndDestroy();
    else return fail(faultError(call.service, fault));
  }
  if (cloud.faults.isDenied(call.service, call.operation, call.instanceId)) return fail(front.denied(call));
  try {
    const result = execute(requestId);
    answer(result.status, result.body);
  } catch (error) {
    if (error instanceof AwsError) return fail(error);
    console.error(`kumo-mock-cloud: ${call.service} ${call.operation} failed:`, error);
    fail(new AwsError('InternalError', 'An internal error has occurred', 500));
  }
}
