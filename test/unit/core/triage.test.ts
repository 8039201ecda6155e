import { triageCall, triageInterface } from '../../../lambda/core/triage';
import { CONTEXT } from '../../support/fixtures';

describe('triage', () => {
  it.each([
    ['requester-managed', { requesterManaged: true, interfaceType: 'interface' }, 'requester-managed'],
    ['a Lambda interface', { interfaceType: 'lambda' }, 'service-owned-type'],
    ['a NAT gateway interface', { interfaceType: 'nat_gateway' }, 'service-owned-type'],
    ['a VPC endpoint interface', { interfaceType: 'vpc_endpoint' }, 'service-owned-type'],
    ['a load balancer interface', { interfaceType: 'network_load_balancer' }, 'service-owned-type'],
    ['an ECS branch interface', { interfaceType: 'branch' }, 'service-owned-type'],
  ])('leaves %s alone', (_name, ni, reason) => {
    expect(triageInterface(ni)?.reason).toBe(reason);
  });

  it.each([
    ['a plain interface', { requesterManaged: false, interfaceType: 'interface' }],
    ['an EFA interface', { interfaceType: 'efa' }],
    ['an event without type (2019 records): EC2 decides later', {}],
  ])('evaluates %s', (_name, ni) => {
    expect(triageInterface(ni)).toBeUndefined();
  });

  it("skips the responder's own calls and nobody else's", () => {
    const role = 'arn:aws:iam::123456789012:role/EniGuardResponder';
    const own = { ...CONTEXT, caller: { ...CONTEXT.caller, type: 'AssumedRole', sessionIssuerArn: role } };
    expect(triageCall(own, role)?.reason).toBe('own-call');
    expect(triageCall(CONTEXT, role)).toBeUndefined();
    expect(triageCall(own, undefined)).toBeUndefined();
  });
});
