import { awsazwType } from '@kumo/shared';
import { describe, expect, it } from 'vitest';
import { SERVERS, useCluster, type ServerName } from '../../aws/testing.js';
import { awsazwDriver } from './driver.js';

describe('awsazw: the health of this server\'s availability zone', () => {
  const cluster = useCluster();

  const check = (server: ServerName, over: Record<string, unknown> = {}) =>
    awsazwDriver.check(cluster.monitorCtx(server, 'awsazw1', { ...awsazwType.params.parse({ availabilityZone: SERVERS[server].az }), ...over }));

  it('available is normal, on each server for its own AZ', async () => {
    expect(await check('server1')).toEqual({ state: 'normal' });
    expect(await check('server2')).toEqual({ state: 'normal' });
  });

  it('impaired and information are warnings, unavailable is an error, only for the AZ concerned', async () => {
    cluster.cloud.tamper.setAzState('ap-northeast-1a', 'impaired');
    expect(await check('server1')).toEqual({ state: 'warning', code: 108, text: 'The availability zone ap-northeast-1a is impaired.' });
    expect(await check('server2')).toEqual({ state: 'normal' });
    cluster.cloud.tamper.setAzState('ap-northeast-1a', 'information');
    expect(await check('server1')).toEqual({ state: 'warning', code: 109, text: 'The availability zone ap-northeast-1a is in state information.' });
    cluster.cloud.tamper.setAzState('ap-northeast-1a', 'unavailable');
    expect(await check('server1')).toEqual({ state: 'error', code: 7, text: 'The availability zone ap-northeast-1a is unavailable.' });
    // A state is not an API failure: "do nothing" does not hide it.
    expect(await check('server1', { mode: 'none' })).toMatchObject({ state: 'error', code: 7 });
    cluster.cloud.tamper.setAzState('ap-northeast-1a', 'available');
    expect(await check('server1')).toEqual({ state: 'normal' });
  });

  it('Invalid availability zone: [ap-northeast-1x] — 105 as a warning, 5 with recover, nothing with none', async () => {
    const az = { availabilityZone: 'ap-northeast-1x' };
    expect(await check('server1', az)).toEqual({ state: 'warning', code: 105, text: 'Invalid availability zone: [ap-northeast-1x]' });
    expect(await check('server1', { ...az, mode: 'recover' })).toEqual({ state: 'error', code: 5, text: 'Invalid availability zone: [ap-northeast-1x]' });
    expect(await check('server1', { ...az, mode: 'none' })).toEqual({ state: 'normal' });
  });

  it('105 : Failed in the AWS CLI command. when AWS cannot be reached at all', async () => {
    const cut = cluster.api('server1', { endpoints: { ec2: 'http://127.0.0.1:9', route53: 'http://127.0.0.1:9' } });
    const ctx = { ...cluster.monitorCtx('server1', 'awsazw1', awsazwType.params.parse({ availabilityZone: SERVERS.server1.az })), aws: cut };
    expect(await awsazwDriver.check(ctx)).toEqual({ state: 'warning', code: 105, text: 'Failed in the AWS CLI command.' });
  });

  it('106 / 6 : Timeout occurred.', async () => {
    cluster.cloud.faults.inject({ operation: 'DescribeAvailabilityZones', kind: 'hang' });
    expect(await check('server1', { awsCliTimeoutS: 0.1 })).toEqual({ state: 'warning', code: 106, text: 'Timeout occurred.' });
    expect(await check('server1', { awsCliTimeoutS: 0.1, mode: 'recover' })).toEqual({ state: 'error', code: 6, text: 'Timeout occurred.' });
  });

  it('denied by IAM: 105 with AWS\'s text', async () => {
    cluster.cloud.faults.denyAction('DescribeAvailabilityZones');
    expect(await check('server1')).toEqual({ state: 'warning', code: 105, text: 'You are not authorized to perform this operation.' });
  });
});
