import { describe, expect, it } from 'vitest';
import { silentLogger } from '../util/log.js';
import { confirm, runCall, type RetryPolicy } from './call.js';
import { apiTrouble, AwsCallError, clusterproText, failureClassOf, sdkErrorFacts, toAwsCallError } from './errors.js';
import { RateLimiters, TokenBucket } from './rate-limit.js';

/** An error shaped like the SDK's service exceptions (name, $fault, $metadata). */
function serviceError(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

const RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 };
const ctx = (over: Partial<Parameters<typeof runCall>[2]> = {}) => ({
  limiter: new TokenBucket({ perSecond: 1000, burst: 1000 }),
  timeoutMs: 1000,
  retry: RETRY,
  log: silentLogger,
  ...over,
});

describe('errors: AWS failures in CLUSTERPRO terms', () => {
  it('keeps AWS\'s text, drops the encoded authorization tail, falls back to the generic text', () => {
    expect(clusterproText("The vpc ID 'vpc-1' does not exist")).toBe("The vpc ID 'vpc-1' does not exist");
    expect(clusterproText('You are not authorized to perform this operation. Encoded authorization failure message: AbC')).toBe(
      'You are not authorized to perform this operation.',
    );
    expect(clusterproText(undefined)).toBe('Failed in the AWS CLI command.');
  });

  it('a network error or missing credentials is 5 "Failed in the AWS CLI command."; an abort is 6', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(toAwsCallError('DescribeVpcs', refused, false)).toMatchObject({ code: 5, text: 'Failed in the AWS CLI command.' });
    expect(sdkErrorFacts(refused).retryable).toBe(true);
    const noCredentials = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    expect(sdkErrorFacts(noCredentials).retryable).toBe(false);
    expect(toAwsCallError('DescribeVpcs', noCredentials, false).text).toBe('Failed in the AWS CLI command.');
    const aborted = Object.assign(new Error('Request aborted'), { name: 'AbortError' });
    expect(toAwsCallError('DescribeVpcs', aborted, false)).toMatchObject({ code: 6, text: 'Timeout occurred.' });
  });

  it('a connection reset that the SDK names "TimeoutError" is a broken connection to retry, not a timeout', () => {
    // @smithy/node-http-handler renames ECONNRESET / EPIPE / ETIMEDOUT errors of a request to "TimeoutError".
    const reset = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
    expect(sdkErrorFacts(reset)).toMatchObject({ retryable: true, network: true, aborted: false });
    expect(toAwsCallError('ReplaceRoute', reset, false)).toMatchObject({ code: 5, text: 'Failed in the AWS CLI command.' });
    const connectTimeout = Object.assign(new Error('the request socket did not establish a connection'), { name: 'TimeoutError' });
    expect(sdkErrorFacts(connectTimeout)).toMatchObject({ retryable: false, aborted: true });
  });

  it('throttling and 5xx are retryable, client errors are not', () => {
    expect(sdkErrorFacts(serviceError('RequestLimitExceeded', 'Request limit exceeded.', 503))).toMatchObject({ retryable: true, throttling: true });
    expect(sdkErrorFacts(serviceError('Throttling', 'Rate exceeded', 400))).toMatchObject({ retryable: true, throttling: true });
    expect(sdkErrorFacts(serviceError('InternalError', 'An internal error has occurred', 500))).toMatchObject({ retryable: true, throttling: false });
    expect(sdkErrorFacts(serviceError('InvalidVpcID.NotFound', 'x', 400))).toMatchObject({ retryable: false, awsCode: 'InvalidVpcID.NotFound' });
  });

  it('failure classes: wrong shared IDs and permissions are config, a wrong ENI is the node\'s, timeouts transient', () => {
    const e = (code: string) => new AwsCallError('X', 'api', 't', code, 400);
    expect(failureClassOf(e('InvalidVpcID.NotFound'))).toBe('config');
    expect(failureClassOf(e('UnauthorizedOperation'))).toBe('config');
    expect(failureClassOf(e('NoSuchHostedZone'))).toBe('config');
    expect(failureClassOf(e('InvalidNetworkInterfaceID.NotFound'))).toBe('node');
    expect(failureClassOf(e('RequestLimitExceeded'))).toBe('transient');
    expect(failureClassOf(new AwsCallError('X', 'timeout', 'Timeout occurred.'))).toBe('transient');
  });

  it('the monitor mode decides: none → normal, warn → code + 100, recover → the code', () => {
    const trouble = { code: 6 as const, text: 'Timeout occurred.' };
    expect(apiTrouble('none', trouble)).toEqual({ state: 'normal' });
    expect(apiTrouble('warn', trouble)).toEqual({ state: 'warning', code: 106, text: 'Timeout occurred.' });
    expect(apiTrouble('recover', trouble)).toEqual({ state: 'error', code: 6, text: 'Timeout occurred.' });
  });
});

describe('runCall: one AWS CLI command', () => {
  it('retries throttling with jittered backoff, then succeeds', async () => {
    let calls = 0;
    const result = await runCall(
      'ReplaceRoute',
      async () => {
        calls++;
        if (calls < 3) throw serviceError('RequestLimitExceeded', 'Request limit exceeded.', 503);
        return 'done';
      },
      ctx(),
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after maxAttempts with the last error\'s text', async () => {
    let calls = 0;
    const failing = runCall(
      'DescribeVpcs',
      async () => {
        calls++;
        throw serviceError('InternalError', 'An internal error has occurred', 500);
      },
      ctx(),
    );
    await expect(failing).rejects.toMatchObject({ code: 5, text: 'An internal error has occurred', awsCode: 'InternalError' });
    expect(calls).toBe(3);
  });

  it('never retries a client error', async () => {
    let calls = 0;
    await expect(
      runCall(
        'DescribeVpcs',
        async () => {
          calls++;
          throw serviceError('InvalidVpcID.NotFound', "The vpc ID 'vpc-1' does not exist", 400);
        },
        ctx(),
      ),
    ).rejects.toMatchObject({ code: 5, text: "The vpc ID 'vpc-1' does not exist" });
    expect(calls).toBe(1);
  });

  it('ends with 6 at the deadline, however many attempts were left', async () => {
    const started = Date.now();
    const hang = (signal: AbortSignal) =>
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))));
    await expect(runCall('DescribeVpcs', hang, ctx({ timeoutMs: 50, retry: { maxAttempts: 10, baseDelayMs: 1, maxDelayMs: 1 } }))).rejects.toMatchObject({
      code: 6,
      text: 'Timeout occurred.',
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('ends with 6 when the engine\'s signal fires, even while waiting for the rate limiter', async () => {
    const limiter = new TokenBucket({ perSecond: 0.001, burst: 1 });
    await limiter.acquire();
    const engine = new AbortController();
    const call = runCall('DescribeVpcs', async () => 'never', ctx({ limiter, signal: engine.signal }));
    setTimeout(() => engine.abort(new Error('engine deadline')), 20);
    await expect(call).rejects.toMatchObject({ code: 6 });
    expect(limiter.waiting).toBe(0);
  });
});

describe('confirm: a write is confirmed by a read with backoff', () => {
  it('polls until the read shows the write (eventual consistency)', async () => {
    let reads = 0;
    await confirm('route', async () => ++reads >= 4, { timeoutMs: 2000, backoff: { initialDelayMs: 1, maxDelayMs: 4 } });
    expect(reads).toBe(4);
  });

  it('ends with 6 when the write never shows', async () => {
    await expect(confirm('route', async () => false, { timeoutMs: 50, backoff: { initialDelayMs: 1, maxDelayMs: 10 } })).rejects.toMatchObject({
      code: 6,
      text: 'Timeout occurred.',
    });
  });

  it('passes on the error of a read', async () => {
    const read = async () => {
      throw new AwsCallError('DescribeRouteTables', 'api', 'You are not authorized to perform this operation.', 'UnauthorizedOperation', 403);
    };
    await expect(confirm('route', read, { timeoutMs: 1000, backoff: { initialDelayMs: 1, maxDelayMs: 4 } })).rejects.toMatchObject({ code: 5 });
  });
});

describe('rate limiting: one budget per account and region', () => {
  it('lets a burst through, then spaces calls at the refill rate, in order', async () => {
    const bucket = new TokenBucket({ perSecond: 50, burst: 2 });
    const started = Date.now();
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3, 4].map((i) => bucket.acquire().then(() => order.push(i))));
    const elapsed = Date.now() - started;
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(elapsed).toBeGreaterThanOrEqual(50);
    expect(elapsed).toBeLessThan(1000);
  });

  it('a waiter whose signal fires leaves the queue', async () => {
    const bucket = new TokenBucket({ perSecond: 0.001, burst: 1 });
    await bucket.acquire();
    const c = new AbortController();
    const waiting = bucket.acquire(c.signal);
    expect(bucket.waiting).toBe(1);
    c.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(bucket.waiting).toBe(0);
  });

  it('the registry hands every caller of a key the same bucket', () => {
    const limiters = new RateLimiters();
    const a = limiters.get('ec2/123456789012/ap-northeast-1', { perSecond: 10, burst: 20 });
    expect(limiters.get('ec2/123456789012/ap-northeast-1', { perSecond: 1, burst: 1 })).toBe(a);
    expect(limiters.get('ec2/123456789012/us-east-1', { perSecond: 10, burst: 20 })).not.toBe(a);
  });
});
