import { ec2Arn, partitionOf, resourceArnsOf } from '../../../lambda/core/arns';
import { accountOfArn, isAccountId } from '../../../lambda/core/ids';

describe('ARNs name the partition of the event’s Region', () => {
  it.each([
    ['eu-west-1', 'aws'],
    ['us-east-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
    ['eu-isoe-west-1', 'aws-iso-e'],
    ['us-isof-south-1', 'aws-iso-f'],
    // A Region is matched by its prefix, not by a name that merely ends like one.
    ['xx-cn-', 'aws'],
    ['eu-west-us-iso-', 'aws'],
    ['eu-west-us-isob-', 'aws'],
    ['eu-west-eu-isoe-', 'aws'],
    ['eu-west-us-isof-', 'aws'],
  ])('%s is in partition %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });

  it('builds an interface’s ARNs: the interface, its groups, its instance', () => {
    const place = { account: '123456789012', region: 'us-isob-east-1' };
    expect(ec2Arn(place, 'vpc', 'vpc-12345678')).toBe('arn:aws-iso-b:ec2:us-isob-east-1:123456789012:vpc/vpc-12345678');
    expect(resourceArnsOf(place, 'eni-1')).toEqual(['arn:aws-iso-b:ec2:us-isob-east-1:123456789012:network-interface/eni-1']);
    expect(resourceArnsOf(place, 'eni-1', ['sg-1', 'sg-2'], 'i-1')).toEqual([
      'arn:aws-iso-b:ec2:us-isob-east-1:123456789012:network-interface/eni-1',
      'arn:aws-iso-b:ec2:us-isob-east-1:123456789012:security-group/sg-1',
      'arn:aws-iso-b:ec2:us-isob-east-1:123456789012:security-group/sg-2',
      'arn:aws-iso-b:ec2:us-isob-east-1:123456789012:instance/i-1',
    ]);
  });
});

describe('account ids', () => {
  it.each([
    ['123456789012', true],
    ['12345678901', false],
    ['1234567890123', false],
    ['x123456789012', false],
    ['123456789012x', false],
    ['', false],
  ])('%s is an account id: %s', (value, ok) => {
    expect(isAccountId(value)).toBe(ok);
  });

  it('reads the account of an ARN only when it is one', () => {
    expect(accountOfArn('arn:aws:iam::123456789012:role/r')).toBe('123456789012');
    expect(accountOfArn('arn:aws:iam::a123456789012:role/r')).toBeUndefined();
    expect(accountOfArn('arn:aws:s3:::bucket')).toBeUndefined();
    expect(accountOfArn(undefined)).toBeUndefined();
  });
});
