import { immutableType, triageCall, triageInterface } from '../../../lambda/core/triage';
import { CONTEXT } from '../../support/fixtures';

describe('triage', () => {
  const ni = (patch: { requesterManaged?: boolean; interfaceType?: string; attachmentOwnerId?: string }) => ({
    requesterManaged: false,
    interfaceType: 'interface',
    ...patch,
  });

  it.each([
    ['requester-managed (Lambda)', ni({ requesterManaged: true, interfaceType: 'lambda' }), 'requester-managed'],
    ['requester-managed (NAT gateway)', ni({ requesterManaged: true, interfaceType: 'nat_gateway' }), 'requester-managed'],
    ['requester-managed of plain type (EFS, ELB)', ni({ requesterManaged: true }), 'requester-managed'],
    ['attached to an AWS service', ni({ attachmentOwnerId: 'amazon-rds' }), 'service-attachment'],
  ])('leaves an interface EC2 reports as %s alone', (_name, described, reason) => {
    expect(triageInterface(described)?.reason).toBe(reason);
  });

  it.each([
    ['a plain interface', ni({})],
    ['an EFA interface', ni({ interfaceType: 'efa' })],
    ['a trunk interface a customer created', ni({ interfaceType: 'trunk' })],
    ['a type EC2 invents tomorrow', ni({ interfaceType: 'quantum_tunnel' })],
    ['an interface attached to an instance of an account', ni({ attachmentOwnerId: '123456789012' })],
  ])('judges %s', (_name, described) => {
    expect(triageInterface(described)).toBeUndefined();
  });

  it.each([['interface'], ['efa'], ['efa-only']])('changes %s interfaces', (type) => {
    expect(immutableType({ interfaceType: type })).toBeUndefined();
  });

  it.each([['trunk'], ['branch'], ['lambda'], ['quantum_tunnel']])('reports, but does not change, %s interfaces', (type) => {
    expect(immutableType({ interfaceType: type })).toMatch(`interface type ${type}`);
  });

  describe('own calls', () => {
    const role = 'arn:aws:iam::123456789012:role/EniGuardResponder';
    const session = 'arn:aws:sts::123456789012:assumed-role/EniGuardResponder/eni-guard';
    const own = {
      ...CONTEXT,
      caller: { ...CONTEXT.caller, type: 'AssumedRole', arn: session, accountId: '123456789012', sessionIssuerArn: role },
    };

    it("skips the responder's own role sessions", () => {
      expect(triageCall(own, role)?.reason).toBe('own-call');
    });

    it.each([
      ['another caller', CONTEXT.caller],
      [
        'an IAM user whose record names our role as session issuer',
        { ...own.caller, type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/mallory' },
      ],
      [
        'a session of another role naming our role as issuer',
        { ...own.caller, arn: 'arn:aws:sts::123456789012:assumed-role/Mallory/eni-guard' },
      ],
      ['a session in another account', { ...own.caller, arn: 'arn:aws:sts::999999999999:assumed-role/EniGuardResponder/eni-guard' }],
      ['a caller account that is not the role’s', { ...own.caller, accountId: '999999999999' }],
      ['a session ARN that is not STS', { ...own.caller, arn: 'arn:aws:iam::123456789012:role/EniGuardResponder' }],
      [
        'a role whose ARN is the start of ours (EniGuard, beside EniGuardResponder)',
        {
          ...own.caller,
          arn: 'arn:aws:sts::123456789012:assumed-role/EniGuard/eni-guard',
          sessionIssuerArn: 'arn:aws:iam::123456789012:role/EniGuard',
        },
      ],
    ])('judges %s', (_name, caller) => {
      expect(triageCall({ ...CONTEXT, caller }, role)).toBeUndefined();
    });

    it('skips nothing when the responder role is unknown', () => {
      expect(triageCall(own, undefined)).toBeUndefined();
    });
  });
});

describe('own calls, more exactly', () => {
  const role = 'arn:aws:iam::123456789012:role/path/EniGuardResponder';
  const member = 'arn:aws:iam::123456789012:role/EniGuardMember';
  const session = (r: string, arn: string) => ({
    ...CONTEXT,
    caller: { ...CONTEXT.caller, type: 'AssumedRole', arn, sessionIssuerArn: r },
  });

  it('names the role it recognised, and recognises a role with a path by its name', () => {
    expect(triageCall(session(role, 'arn:aws:sts::123456789012:assumed-role/EniGuardResponder/s'), role)).toEqual({
      reason: 'own-call',
      detail: `called by the responder's own role ${role}`,
    });
  });

  it('in organization mode, any of the roles it acts through; an unset one is no role', () => {
    const ofMember = session(member, 'arn:aws:sts::123456789012:assumed-role/EniGuardMember/hub');
    expect(triageCall(ofMember, [undefined, role, member])?.reason).toBe('own-call');
    expect(triageCall(ofMember, [undefined, role])).toBeUndefined();
    expect(triageCall(ofMember, [undefined])).toBeUndefined();
    expect(triageCall(ofMember, [])).toBeUndefined();
  });

  it.each<[string, string]>([
    ['another partition', 'arn:aws-cn:sts::123456789012:assumed-role/EniGuardResponder/s'],
    ['a federated user of the same name', 'arn:aws:sts::123456789012:federated-user/EniGuardResponder'],
    ['no session ARN at all', ''],
  ])('does not skip a session ARN of %s', (_name, arn) => {
    const context = session(role, arn);
    expect(triageCall(arn ? context : { ...context, caller: { ...context.caller, arn: undefined } }, role)).toBeUndefined();
  });
});

describe('service-managed interfaces, exactly', () => {
  it('says what EC2 reports', () => {
    expect(triageInterface({ requesterManaged: true, interfaceType: 'lambda' })).toEqual({
      reason: 'requester-managed',
      detail: 'EC2 reports the lambda interface as requester-managed by an AWS service',
    });
    expect(triageInterface({ requesterManaged: false, interfaceType: 'interface', attachmentOwnerId: 'amazon-elb' })).toEqual({
      reason: 'service-attachment',
      detail: 'EC2 reports the interface attached to amazon-elb, an AWS service',
    });
  });

  it('an attachment owner is an account only when it is exactly twelve digits', () => {
    expect(triageInterface({ requesterManaged: false, interfaceType: 'interface', attachmentOwnerId: '1234567890123' })?.reason).toBe(
      'service-attachment',
    );
    expect(triageInterface({ requesterManaged: false, interfaceType: 'interface', attachmentOwnerId: 'x123456789012' })?.reason).toBe(
      'service-attachment',
    );
  });

  it('says why a type is only reported', () => {
    expect(immutableType({ interfaceType: 'trunk' })).toBe(
      'interface type trunk: eni-guard reports but does not change interfaces of this type (their owner manages them); fix it by hand',
    );
  });
});

describe('own calls, pinned behaviour', () => {
  const role = 'arn:aws:iam::123456789012:role/EniGuardResponder';
  const as = (type: string, arn: string) => ({ ...CONTEXT, caller: { ...CONTEXT.caller, type, arn, sessionIssuerArn: role } });

  it('only an AssumedRole caller is our own, even with a consistent session ARN', () => {
    expect(triageCall(as('IAMUser', 'arn:aws:sts::123456789012:assumed-role/EniGuardResponder/s'), role)).toBeUndefined();
    expect(triageCall(as('AssumedRole', 'arn:aws:sts::123456789012:assumed-role/EniGuardResponder/s'), role)?.reason).toBe('own-call');
  });

  it('a session ARN of a service other than sts is not ours', () => {
    expect(triageCall(as('AssumedRole', 'arn:aws:iam::123456789012:assumed-role/EniGuardResponder/s'), role)).toBeUndefined();
  });
});
