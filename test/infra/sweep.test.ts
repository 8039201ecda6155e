/** The periodic sweep in the template: schedule, function settings, role, configuration key. */
import { Match } from 'aws-cdk-lib/assertions';
import { ConfigError, loadConfig } from '../../lib/config';
import { buildStack } from '../support/synth';

describe('sweep', () => {
  const { template } = buildStack();

  it('runs daily at 04:00 UTC by default, on an EventBridge schedule, retried once', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'cron(0 4 * * ? *)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SweepHandlerFunction'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
  });

  it('is one run at a time (reserved concurrency 1), up to 15 minutes, as the responder role, with the responder environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('periodic sweep'),
      ReservedConcurrentExecutions: 1,
      Timeout: 900,
      Runtime: 'nodejs24.x',
      Role: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ResponderRole'), 'Arn'] },
      Environment: {
        Variables: Match.objectLike({
          ALERT_TOPIC_ARN: Match.anyValue(),
          LEDGER_TABLE_NAME: Match.anyValue(),
          RESPONDER_ROLE_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ResponderRole'), 'Arn'] },
        }),
      },
    });
  });

  it('adds no IAM action: listing every interface is ec2:DescribeNetworkInterfaces, which the responder already has', () => {
    const actionsOf = (t: typeof template) =>
      [
        ...new Set(
          Object.values(t.findResources('AWS::IAM::Policy'))
            .flatMap(
              (p) =>
                (p as { Properties: { PolicyDocument: { Statement: { Action: string | string[] }[] } } }).Properties.PolicyDocument
                  .Statement,
            )
            .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])),
        ),
      ].sort();
    const withoutSweep = actionsOf(buildStack({ 'eniGuard:sweepSchedule': 'off' }).template);
    expect(actionsOf(template)).toEqual(withoutSweep);
    expect(withoutSweep).toContain('ec2:DescribeNetworkInterfaces');
  });

  it('takes its schedule from eniGuard:sweepSchedule, and "off" removes it', () => {
    expect(
      buildStack({ 'eniGuard:sweepSchedule': 'rate(12 hours)' }).template.findResources('AWS::Events::Rule', {
        Properties: { ScheduleExpression: 'rate(12 hours)' },
      }),
    ).not.toEqual({});
    const off = buildStack({ 'eniGuard:sweepSchedule': 'off' }).template;
    expect(off.findResources('AWS::Events::Rule', { Properties: { Description: Match.stringLikeRegexp('periodic sweep') } })).toEqual({});
    expect(off.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('periodic sweep') } })).toEqual(
      {},
    );
  });

  it.each(['daily', 'rate(1 days)', 'cron(0 4 * * *)'])('rejects the schedule %s naming the key', (value) => {
    expect(() => loadConfig({ 'eniGuard:sweepSchedule': value }, __dirname)).toThrow(ConfigError);
    expect(() => loadConfig({ 'eniGuard:sweepSchedule': value }, __dirname)).toThrow(/eniGuard:sweepSchedule/);
  });
});
