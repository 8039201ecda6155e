/**
 * Every IAM statement a synthesized template grants, classified the way a security review reads
 * them: statements on `Resource: *`, and mutating statements without a condition.
 */
import type { Template } from 'aws-cdk-lib/assertions';

/** One IAM statement, with the logical id of the policy (or role) that carries it. */
export interface GrantedStatement {
  readonly policy: string;
  readonly sid?: string;
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly unknown[];
  readonly condition?: unknown;
}

const READ_ONLY = /^[a-z0-9-]+:(Describe|Get|List|BatchGet|Query|Scan|Lookup|Head|Search|Select|Check|Validate)/;

/** Every Allow/Deny statement of every `AWS::IAM::Policy` and inline role policy in the template. */
export function grantedStatements(template: Template): GrantedStatement[] {
  const out: GrantedStatement[] = [];
  const add = (policy: string, statements: Record<string, unknown>[]) => {
    for (const s of statements) {
      const action = s['Action'] ?? s['NotAction'];
      const resource = s['Resource'] ?? s['NotResource'];
      out.push({
        policy,
        ...(typeof s['Sid'] === 'string' ? { sid: s['Sid'] } : {}),
        effect: String(s['Effect']),
        actions: (Array.isArray(action) ? action : [action]).map(String),
        resources: Array.isArray(resource) ? resource : [resource],
        ...(s['Condition'] ? { condition: s['Condition'] } : {}),
      });
    }
  };
  for (const [id, policy] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
    add(id, (policy as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties.PolicyDocument.Statement);
  }
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    const inline = (role as { Properties: { Policies?: { PolicyDocument: { Statement: Record<string, unknown>[] } }[] } }).Properties
      .Policies;
    for (const p of inline ?? []) add(id, p.PolicyDocument.Statement);
  }
  return out;
}

/** True when the statement allows something on every resource. */
export function onEveryResource(s: GrantedStatement): boolean {
  return s.effect === 'Allow' && s.resources.includes('*');
}

/** True when the statement allows a non-read action without any condition. */
export function mutatingWithoutCondition(s: GrantedStatement): boolean {
  return s.effect === 'Allow' && s.condition === undefined && s.actions.some((a) => !READ_ONLY.test(a));
}

/** A stable key for a statement: the policy's logical id (without the hash) and its Sid or actions. */
export function keyOf(s: GrantedStatement): string {
  const policy = s.policy.replace(/[0-9A-F]{8}$/, '');
  return `${policy} ${s.sid ?? [...s.actions].sort().join(',')}`;
}
