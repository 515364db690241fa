/**
 * Test helpers: the guide topology on random loopback ports with short delays, real SDK clients pointed at
 * it (static test keys, one attempt), and an assertion for AWS errors as the SDK surfaces them.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { expect } from 'vitest';
import { GUIDE_TOPOLOGY_PATH, startMockCloud, type MockCloud, type MockCloudOptions } from './index.js';

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

export const GUIDE = {
  region: 'ap-northeast-1',
  vpc: 'vpc-0a1b2c3d4e5f67890',
  subnet1A: 'subnet-0a1b2c3d4e5f61a00',
  subnet1B: 'subnet-0a1b2c3d4e5f61b00',
  subnet2A: 'subnet-0a1b2c3d4e5f62a00',
  subnet2B: 'subnet-0a1b2c3d4e5f62b00',
  igw: 'igw-0a1b2c3d4e5f60001',
  nat1: 'nat-0a1b2c3d4e5f60001',
  nat2: 'nat-0a1b2c3d4e5f60002',
  publicAB: 'rtb-0a1b2c3d4e5f600ab',
  privateA: 'rtb-0a1b2c3d4e5f6002a',
  privateB: 'rtb-0a1b2c3d4e5f6002b',
  server1: 'i-0a1b2c3d4e5f60001',
  server2: 'i-0a1b2c3d4e5f60002',
  eni1: 'eni-0a1b2c3d4e5f60001',
  eni2: 'eni-0a1b2c3d4e5f60002',
  eip: 'eipalloc-0a1b2c3d4e5f60001',
  zone: 'Z0KUMOHZ1LOCAL00001A',
} as const;

export function startGuide(options: Partial<MockCloudOptions> = {}): Promise<MockCloud> {
  return startMockCloud({
    topology: GUIDE_TOPOLOGY_PATH,
    changeSyncDelayMs: 100,
    instanceStopDelayMs: 100,
    instanceStartDelayMs: 100,
    ...options,
  });
}

export interface TestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

const TEST_CREDENTIALS: TestCredentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'x' };

export function ec2Client(cloud: Pick<MockCloud, 'url' | 'region'>, credentials = TEST_CREDENTIALS): EC2Client {
  return new EC2Client({ region: cloud.region, endpoint: cloud.url, credentials, maxAttempts: 1 });
}

export function route53Client(cloud: Pick<MockCloud, 'url'>, credentials = TEST_CREDENTIALS): Route53Client {
  return new Route53Client({ region: 'us-east-1', endpoint: cloud.url, credentials, maxAttempts: 1 });
}

/** Awaits a rejection and checks the SDK error's name, message and (optionally) HTTP status. */
export async function expectAwsError(promise: Promise<unknown>, name: string, message?: string | RegExp, status?: number) {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${name}`).toBeInstanceOf(Error);
  const e = error as Error & { $metadata?: { httpStatusCode?: number } };
  expect(e.name).toBe(name);
  if (typeof message === 'string') expect(e.message).toBe(message);
  else if (message) expect(e.message).toMatch(message);
  if (status !== undefined) expect(e.$metadata?.httpStatusCode).toBe(status);
  return e;
}

/** Polls `check` every 10 ms until it returns true or `ms` passes. */
export async function waitFor(check: () => boolean | Promise<boolean>, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('waitFor: condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
