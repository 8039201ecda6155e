/**
 * Every action family's whole plan, pinned: the calls with every parameter (names, descriptions,
 * tags, outputs), the errors that mean "already done", the compensation, the undo, the checks that
 * verify it, the summary people read and the irreversible warning. plan.test.ts says what each plan
 * must do; these fixtures (test/fixtures/plans/*.json) say exactly what it is, so a changed tag key,
 * a dropped check or an undo that no longer restores shows as a diff to review.
 * `UPDATE_FIXTURES=1` rewrites them.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate } from '../../../lambda/core/evaluate';
import type { InterfaceFacts, OwnGroup } from '../../../lambda/core/model';
import { planResponse, type Plan, type PlanInputs } from '../../../lambda/core/plan/index';
import { parsePolicy, type Policy, type PolicyInput } from '../../../lambda/core/policy';
import {
  CONTEXT,
  facts,
  instance,
  INSTANCE_CREDENTIALS_CONTEXT,
  INSTANCE_PROFILE_ARN,
  NOW,
  planInputs,
  rule,
} from '../../support/fixtures';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'plans');
const ENI = 'eni-0aaaaaaaaaaaaaaaa';

const policy = (input: Partial<PolicyInput> = {}) => parsePolicy({ version: 1, ...input });
const only = (ruleId: string, extra: Record<string, unknown> = {}) =>
  policy({ rules: { 'world-open-ingress': { mode: 'off' }, [ruleId]: { mode: 'remediate', ...extra } } });
const plan = (input: InterfaceFacts, p: Policy, usage: Record<string, number> = { 'sg-1': 1 }, extra: Partial<PlanInputs> = {}): Plan =>
  planResponse(evaluate(input, p, NOW), p, planInputs(input, usage, extra));

const profile = INSTANCE_PROFILE_ARN;
const callerInstance = instance({
  instanceId: 'i-0123456789abcdef0',
  vpcId: 'vpc-1',
  networkInterfaces: [
    { networkInterfaceId: 'eni-primary', groupIds: ['sg-app'] },
    { networkInterfaceId: 'eni-second', groupIds: ['sg-app', 'sg-db'] },
  ],
  volumes: [
    { volumeId: 'vol-1', encrypted: true },
    { volumeId: 'vol-2', encrypted: false },
  ],
  credentialOrigin: { associatedProfiles: [profile], roleProfiles: [profile] },
});
const leftover: OwnGroup = {
  groupId: 'sg-copy',
  groupName: `eni-guard-${ENI}-sg-1-00000000`,
  vpcId: 'vpc-1',
  tags: { 'eni-guard:copy-of': 'sg-1', 'eni-guard:interface': ENI, 'eni-guard:ledger': 'evt-0/eni-0aaaaaaaaaaaaaaaa' },
  rules: [rule({ ruleId: 'sgr-def', groupId: 'sg-copy', isEgress: true, protocol: '-1', fromPort: -1, toPort: -1 })],
  users: 0,
};
const shared = () =>
  facts(
    [
      rule({ ruleId: 'sgr-ssh' }),
      rule({ ruleId: 'sgr-https', fromPort: 443, toPort: 443 }),
      rule({ ruleId: 'sgr-out', isEgress: true, fromPort: 443, toPort: 443 }),
      rule({ ruleId: 'sgr-rdp', groupId: 'sg-2', fromPort: 3389, toPort: 3389 }),
    ],
    { groups: [{ groupId: 'sg-1', groupName: 'web' }, { groupId: 'sg-2' }] },
  );

const SCENARIOS: Record<string, () => Plan> = {
  // The group is this interface's alone: its world-open rules revoked by id; the interface tagged (the default).
  'revoke-own-group': () => plan(facts([rule({ ruleId: 'sgr-ssh' }), rule({ ruleId: 'sgr-rdp', fromPort: 3389, toPort: 3389 })]), policy()),
  // Two shared groups: one copy each, a non-default egress copied exactly, one swap.
  'copy-shared-groups': () => plan(shared(), policy(), { 'sg-1': 3, 'sg-2': 2 }),
  // An interrupted attempt's copy is adopted: no second CreateSecurityGroup.
  'adopt-leftover-copy': () => plan(shared(), policy(), { 'sg-1': 3, 'sg-2': 1 }, { ownCopies: new Map([['sg-1', leftover]]) }),
  'quarantine-new-group': () =>
    plan(facts([rule({ ruleId: 'sgr-ssh' })]), policy({ remediation: { sharedGroups: 'quarantine' } }), { 'sg-1': 2 }),
  'disassociate-elastic-ip': () =>
    plan(
      facts([], { elasticIp: { allocationId: 'eipalloc-1', associationId: 'eipassoc-1' }, privateIpAddress: '10.0.1.5' }),
      only('public-ip'),
    ),
  'restore-source-dest-check': () => plan(facts([], { sourceDestCheck: false }), only('source-dest-check')),
  'create-flow-log': () =>
    plan(
      facts([], {}, { flowLogs: { status: 'ok', value: { active: [] } } }),
      only('vpc-flow-logs'),
      {},
      {
        flowLogDestination: {
          type: 'cloud-watch-logs',
          arn: 'arn:aws:logs:eu-west-1:123456789012:log-group:flow',
          deliveryRoleArn: 'arn:aws:iam::123456789012:role/fl',
        },
      },
    ),
  'delete-interface': () =>
    plan(
      facts([rule({ ruleId: 'sgr-ssh' })], { status: 'available', privateIpAddress: '10.0.1.5' }),
      policy({ rules: { 'network-placement': { mode: 'remediate', allowedSubnets: ['subnet-9'] } } }),
    ),
  // An interface already tagged by an earlier fix: undo restores the earlier values, and deletes only what is new.
  'retag-interface': () =>
    plan(
      facts([rule({ ruleId: 'sgr-ssh' })], {
        tags: { 'eni-guard:ledger': 'evt-0/eni-0aaaaaaaaaaaaaaaa', 'eni-guard:findings': 'public-ip', Name: 'web' },
      }),
      policy(),
    ),
  'backup-tag-instance': () =>
    plan(
      facts(
        [],
        { attachedInstanceId: 'i-1' },
        { instance: { status: 'ok', value: instance({ instanceId: 'i-1', tags: { backup: 'none' } }) } },
      ),
      only('backup-coverage'),
    ),
  'deactivate-access-key': () =>
    plan(
      facts([], {}, { context: { ...CONTEXT, caller: { ...CONTEXT.caller, accessKeyId: 'AKIAEXAMPLE' } } }),
      only('caller', { allowedPrincipals: ['arn:aws:iam::*:role/Deploy'] }),
    ),
  'isolate-and-terminate-instance': () =>
    plan(
      facts([], {}, { context: INSTANCE_CREDENTIALS_CONTEXT, callerInstance: { status: 'ok', value: callerInstance } }),
      only('caller', { isolateInstance: true, terminateInstance: true }),
      {},
      { quarantineGroups: new Map([['vpc-1', 'sg-q']]) },
    ),
};

/** Compares with a fixture file; `UPDATE_FIXTURES=1` (or a missing file, outside CI) writes it — review the diff. */
function expectFixture(name: string, actual: Plan): void {
  const file = join(FIXTURES, `${name}.json`);
  const text = `${JSON.stringify(actual, null, 2)}\n`;
  // CI never writes one: a fixture missing there is a failure, not a new baseline.
  if (process.env['UPDATE_FIXTURES'] === '1' || (!existsSync(file) && process.env['CI'] !== 'true')) {
    mkdirSync(FIXTURES, { recursive: true });
    writeFileSync(file, text);
  }
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

describe('each action family, exactly', () => {
  it.each(Object.keys(SCENARIOS))('%s', (name) => {
    const result = SCENARIOS[name]!();
    expect(result.actions.length).toBeGreaterThan(0);
    expectFixture(name, result);
  });

  it('has a fixture for every scenario and no other', () => {
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json'));
    expect(files.sort()).toEqual(
      Object.keys(SCENARIOS)
        .map((n) => `${n}.json`)
        .sort(),
    );
  });
});
