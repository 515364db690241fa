import { describe, expect, it } from 'vitest';
import { iamPolicyFor } from './iam-policy.js';
import { guideConfig, withForcedStop } from './testing.js';

describe('the least-privilege IAM policy for the guide\'s configurations', () => {
  it('VIP (chapter 5): the Describe* actions on *, ReplaceRoute on the discovered route tables, AZ monitor', () => {
    const { policy, text, notes } = iamPolicyFor(guideConfig('vip'), {
      accountId: '123456789012',
      region: 'ap-northeast-1',
      routeTableIds: ['rtb-0a1b2c3d4e5f600ab', 'rtb-0a1b2c3d4e5f6002a', 'rtb-0a1b2c3d4e5f6002b'],
    });
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'KumoDescribe',
          Effect: 'Allow',
          Action: ['ec2:DescribeAvailabilityZones', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables', 'ec2:DescribeVpcs'],
          Resource: '*',
        },
        {
          Sid: 'KumoAwsvipReplaceRoute',
          Effect: 'Allow',
          Action: ['ec2:ReplaceRoute'],
          Resource: [
            'arn:aws:ec2:ap-northeast-1:123456789012:route-table/rtb-0a1b2c3d4e5f6002a',
            'arn:aws:ec2:ap-northeast-1:123456789012:route-table/rtb-0a1b2c3d4e5f6002b',
            'arn:aws:ec2:ap-northeast-1:123456789012:route-table/rtb-0a1b2c3d4e5f600ab',
          ],
        },
      ],
    });
    expect(JSON.parse(text)).toEqual(policy);
    expect(text).toContain('\n  "Statement": [');
    expect(notes).toEqual([]);
  });

  it('VIP without the discovered tables: every route table of the account and region, and a note saying so', () => {
    const { policy, notes } = iamPolicyFor(guideConfig('vip'));
    expect(policy.Statement.find((s) => s.Sid === 'KumoAwsvipReplaceRoute')?.Resource).toEqual(['arn:aws:ec2:*:*:route-table/*']);
    expect(notes.join(' ')).toMatch(/ReplaceRoute is allowed on every route table/);
  });

  it('EIP (chapter 6): Associate / Disassociate on the allocation and both servers\' ENIs', () => {
    const { policy } = iamPolicyFor(guideConfig('eip'), { accountId: '123456789012', region: 'ap-northeast-1' });
    expect(policy.Statement).toEqual([
      { Sid: 'KumoDescribe', Effect: 'Allow', Action: ['ec2:DescribeAddresses', 'ec2:DescribeAvailabilityZones', 'ec2:DescribeNetworkInterfaces'], Resource: '*' },
      {
        Sid: 'KumoAwseipAssociate',
        Effect: 'Allow',
        Action: ['ec2:AssociateAddress', 'ec2:DisassociateAddress'],
        Resource: [
          'arn:aws:ec2:ap-northeast-1:123456789012:elastic-ip/eipalloc-0a1b2c3d4e5f60001',
          'arn:aws:ec2:ap-northeast-1:123456789012:network-interface/eni-0a1b2c3d4e5f60001',
          'arn:aws:ec2:ap-northeast-1:123456789012:network-interface/eni-0a1b2c3d4e5f60002',
        ],
      },
    ]);
  });

  it('DNS (chapter 7): record changes and reads on the hosted zone, GetChange for the INSYNC wait', () => {
    const { policy } = iamPolicyFor(guideConfig('dns'));
    expect(policy.Statement).toEqual([
      { Sid: 'KumoDescribe', Effect: 'Allow', Action: ['ec2:DescribeAvailabilityZones'], Resource: '*' },
      {
        Sid: 'KumoAwsdnsRecords',
        Effect: 'Allow',
        Action: ['route53:ChangeResourceRecordSets', 'route53:ListResourceRecordSets'],
        Resource: ['arn:aws:route53:::hostedzone/Z0KUMOHZ1LOCAL00001A'],
      },
      { Sid: 'KumoAwsdnsChanges', Effect: 'Allow', Action: ['route53:GetChange'], Resource: 'arn:aws:route53:::change/*' },
    ]);
  });

  it('forced stop: StopInstances on the servers\' instances, DescribeInstances on *', () => {
    const { policy } = iamPolicyFor(guideConfig('vip', withForcedStop), { accountId: '123456789012', region: 'ap-northeast-1', routeTableIds: ['rtb-0a1b2c3d4e5f600ab'] });
    expect(policy.Statement.find((s) => s.Sid === 'KumoDescribe')?.Action).toContain('ec2:DescribeInstances');
    expect(policy.Statement.find((s) => s.Sid === 'KumoForcedStop')).toEqual({
      Sid: 'KumoForcedStop',
      Effect: 'Allow',
      Action: ['ec2:StopInstances'],
      Resource: ['arn:aws:ec2:ap-northeast-1:123456789012:instance/i-0a1b2c3d4e5f60001', 'arn:aws:ec2:ap-northeast-1:123456789012:instance/i-0a1b2c3d4e5f60002'],
    });
  });

  it('takes the region (and its partition) from the config', () => {
    const { policy } = iamPolicyFor(
      guideConfig('eip', (raw) => ((raw['cluster'] as Record<string, unknown>)['aws'] = { region: 'cn-north-1' })),
      { accountId: '123456789012' },
    );
    expect(policy.Statement.find((s) => s.Sid === 'KumoAwseipAssociate')?.Resource).toContain('arn:aws-cn:ec2:cn-north-1:123456789012:elastic-ip/eipalloc-0a1b2c3d4e5f60001');
  });
});
