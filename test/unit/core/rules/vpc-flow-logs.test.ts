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
