import { vpcFlowLogs } from '../../../../lambda/core/rules/vpc-flow-logs';
import { facts, run } from '../../../support/fixtures';

describe('vpc-flow-logs', () => {
  it('accepts a VPC with an active flow log', () => {
    expect(run(vpcFlowLogs, facts([]))).toEqual({ status: 'compliant' });
  });

  it('flags a VPC without one', () => {
    expect(run(vpcFlowLogs, facts([], {}, { flowLogs: { status: 'ok', value: { active: [] } } }))).toMatchObject({
      status: 'non-compliant',
      findings: [{ severity: 'medium', evidence: { vpcId: 'vpc-1' } }],
    });
  });

  it('does not apply outside a VPC', () => {
    expect(run(vpcFlowLogs, facts([], { vpcId: undefined })).status).toBe('not-applicable');
  });

  it('throws (so the evaluator fails closed) when flow logs could not be read', () => {
    expect(() => run(vpcFlowLogs, facts([], {}, { flowLogs: { status: 'unavailable', reason: 'UnauthorizedOperation' } }))).toThrow(
      'flowLogs unavailable: UnauthorizedOperation',
    );
  });
});

describe('vpc-flow-logs, what it asks for', () => {
  it('names the VPC and subnet, and asks for a flow log on the VPC', () => {
    const none = { flowLogs: { status: 'ok' as const, value: { active: [] } } };
    expect(run(vpcFlowLogs, facts([], {}, none))).toEqual({
      status: 'non-compliant',
      findings: [
        {
          ruleId: 'vpc-flow-logs',
          severity: 'medium',
          title: 'no active flow log covers vpc-1 / subnet-1',
          evidence: { vpcId: 'vpc-1', subnetId: 'subnet-1' },
          remediation: { kind: 'enable-flow-logs', vpcId: 'vpc-1' },
        },
      ],
    });
    expect(run(vpcFlowLogs, facts([], { subnetId: undefined }, none))).toMatchObject({
      findings: [{ title: 'no active flow log covers vpc-1 / ?' }],
    });
  });
});
