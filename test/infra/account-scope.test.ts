/**
 * `eniGuard:scope=account` (the default) is today's single-account stack, unchanged: organization
 * mode is an addition beside it, never a change to it. The whole template is pinned (asset hashes
 * aside), for the default policy and for every remediation on, so a refactor shared by both modes
 * (the role builder, the grants, the event pattern) cannot move a single statement here. When a
 * change to the account stack is intended, update the snapshot in the same commit and say why.
 */
import { join } from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { buildStack } from '../support/synth';

const REPO = join(__dirname, '..', '..');
const POLICIES = join(REPO, 'test', 'fixtures', 'policies');

/** The template without what changes with the handler's code (asset hashes), the CDK version (CDKMetadata) or the clone's directory. */
function pinned(template: Template): unknown {
  const json = template.toJSON() as { Resources: Record<string, unknown> };
  const { CDKMetadata: _metadata, ...resources } = json.Resources;
  return JSON.parse(
    JSON.stringify({ ...json, Resources: resources })
      .replace(/[0-9a-f]{64}(\.zip)?/g, '<asset>')
      .split(REPO)
      .join('<repo>'),
  );
}

describe('eniGuard:scope=account', () => {
  const byDefault = pinned(buildStack().template);

  it('synthesizes exactly the single-account stack with the default policy', () => {
    expect(byDefault).toMatchSnapshot();
  });

  it('synthesizes exactly the single-account stack with every remediation on', () => {
    expect(pinned(buildStack({ 'eniGuard:policyFile': join(POLICIES, 'everything-remediates.json') }).template)).toMatchSnapshot();
  });

  it('is the default: giving eniGuard:scope=account changes nothing', () => {
    expect(pinned(buildStack({ 'eniGuard:scope': 'account' }).template)).toEqual(byDefault);
  });
});
