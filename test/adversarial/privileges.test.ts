/**
 * A compromised responder (or sweep: same role) must not be able to undo eni-guard's own fixes or
 * grant itself anything: those permissions are not in its role. And nobody but EventBridge and the
 * function may write the dead-letter queue that replays read. Checked on the synthesized template,
 * since the emulator does not enforce IAM or resource policies.
 */
import { join } from 'node:path';
import { grantedStatements } from '../support/iam-inventory';
import { buildStack } from '../support/synth';

const everything = { 'eniGuard:policyFile': join(__dirname, '..', 'fixtures', 'policies', 'everything-remediates.json') };

describe('the responder role, with every remediation on', () => {
  const { template } = buildStack(everything);
  const responder = grantedStatements(template).filter((s) => s.policy.startsWith('ResponderRoleDefaultPolicy') && s.effect === 'Allow');
  const allows = (action: string) => responder.filter((s) => s.actions.includes(action));

  it.each([
    ['iam:PutRolePolicy', 'write any policy on any role (it could grant itself anything)'],
    ['iam:DeleteRolePolicy', "lift a revocation (undo's)"],
    ['iam:UpdateAccessKey', "re-activate a deactivated key (undo's)"],
    ['ec2:AssociateAddress', "put a detached Elastic IP back (undo's)"],
    ['ec2:DeleteFlowLogs', "turn off flow logs it enabled (undo's)"],
    ['ec2:DeleteTags', "erase what it recorded on a resource (undo's)"],
  ])('cannot %s — it would %s', (action) => {
    expect(allows(action)).toEqual([]);
  });

  it('can authorize ingress only into security groups eni-guard created (a copy being filled), never into the groups it fixed', () => {
    const authorizing = allows('ec2:AuthorizeSecurityGroupIngress');
    expect(authorizing.length).toBeGreaterThan(0);
    for (const s of authorizing) expect(s.condition).toMatchObject({ StringEquals: { 'aws:ResourceTag/eni-guard:managed': 'true' } });
  });

  it('can terminate only an instance it marked as isolated', () => {
    for (const s of allows('ec2:TerminateInstances'))
      expect(s.condition).toMatchObject({ StringLike: { 'aws:ResourceTag/eni-guard:isolated': '*' } });
  });

  it('can tag interfaces only with its own record tags', () => {
    const tagging = responder.filter(
      (s) => s.actions.includes('ec2:CreateTags') && JSON.stringify(s.resources).includes(':network-interface/'),
    );
    for (const s of tagging) expect(JSON.stringify(s.condition)).toContain('aws:TagKeys');
  });
});

describe('the dead-letter queue', () => {
  const { template } = buildStack();

  it('refuses SendMessage to anyone but the responder role and the EventBridge rule', () => {
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')).flatMap(
      (p) => (p as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties.PolicyDocument.Statement,
    );
    const deny = policies.find((s) => s['Effect'] === 'Deny' && JSON.stringify(s['Action']).includes('sqs:SendMessage'));
    expect(deny).toMatchObject({
      Principal: { AWS: '*' },
      Condition: {
        StringNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [expect.stringMatching(/^ResponderRole/), 'Arn'] } },
        ArnNotEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^ResponderRule/), 'Arn'] } },
      },
    });
  });
});
