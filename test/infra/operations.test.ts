import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { backgroundFunctionNames, functionNames } from '../../shared/routes.ts';
import { synthesizedStage, synthesisTimeout, type SynthesizedStage } from './synthesize-stage.ts';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

describe.each(['dev', 'prod'])('operations, stage %s', (stageName) => {
  let synthesized: SynthesizedStage;
  let template: Template;
  beforeAll(() => {
    synthesized = synthesizedStage(stageName);
    template = synthesized.statelessTemplate;
  }, synthesisTimeout);

  const alarmNamed = (name: string): Record<string, unknown> => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { AlarmName: `latchkey-${stageName}-${name}` },
    }) as Resources;
    const [alarm] = Object.values(alarms);
    if (!alarm) throw new Error(`No alarm latchkey-${stageName}-${name}`);
    return alarm.Properties;
  };

  it('sends every alarm and its recovery to the stage alarm topic', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm') as Resources);
    expect(alarms.map((alarm) => alarm.Properties.AlarmName).sort()).toEqual(
      [
        'api-5xx-rate',
        'attestation-p99-latency',
        'assertion-p99-latency',
        'lambda-throttles',
        'metadata-refresh-failed',
        'metadata-refresh-undelivered',
        'audit-relay-errors',
        'audit-relay-lag',
        'audit-dead-letters',
        'sign-in-failure-spike',
        'credential-clone-suspected',
      ]
        .map((name) => `latchkey-${stageName}-${name}`)
        .sort(),
    );
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ 'Fn::ImportValue': expect.stringMatching(/AlarmTopic/) }]);
      expect(alarm.Properties.OKActions).toEqual(alarm.Properties.AlarmActions);
      expect(alarm.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('alarms on the API 5xx rate above the stage threshold, once traffic is real', () => {
    const alarm = alarmNamed('api-5xx-rate');
    expect(alarm.Threshold).toBe(synthesized.stage.alarms.serverErrorRatePercent);
    const metrics = alarm.Metrics as { Expression?: string; MetricStat?: { Metric: { MetricName: string; Dimensions: unknown } } }[];
    expect(metrics.find((metric) => metric.Expression)?.Expression).toBe('IF(requests >= 20, 100 * errors / requests, 0)');
    expect(metrics.flatMap((metric) => (metric.MetricStat ? [metric.MetricStat.Metric.MetricName] : [])).sort()).toEqual(['5XXError', 'Count']);
  });

  it.each(['attestation', 'assertion'])('alarms on the p99 latency of the %s function', (name) => {
    const alarm = alarmNamed(`${name}-p99-latency`);
    expect(alarm).toMatchObject({
      MetricName: 'Duration',
      Namespace: 'AWS/Lambda',
      ExtendedStatistic: 'p99',
      Threshold: synthesized.stage.alarms.verifyLatencyP99Milliseconds,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: expect.stringMatching(new RegExp(`^${name[0]?.toUpperCase()}${name.slice(1)}Function`)) } }],
    });
  });

  it('alarms on throttles of any function', () => {
    const alarm = alarmNamed('lambda-throttles');
    const metrics = alarm.Metrics as {
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Dimensions: { Name: string; Value: { Ref: string } }[] } };
    }[];
    const throttled = metrics.filter((metric) => metric.MetricStat?.Metric.MetricName === 'Throttles');
    // One per function, the API functions and the background ones alike.
    expect(throttled).toHaveLength(functionNames.length + backgroundFunctionNames.length);
    const functionIds = throttled.map((metric) => metric.MetricStat?.Metric.Dimensions[0]?.Value.Ref);
    expect(new Set(functionIds).size).toBe(throttled.length);
    expect(functionIds).toContain(Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: `latchkey-${stageName}-metadata-refresh` } }))[0]);
    expect(alarm.Threshold).toBe(0);
  });

  it('alarms on any failed metadata refresh, and on a daily run Scheduler could not deliver', () => {
    expect(alarmNamed('metadata-refresh-failed')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Statistic: 'Sum',
      Period: 6 * 3600,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: expect.stringMatching(/^MetadataRefreshFunction/) } }],
    });
    expect(alarmNamed('metadata-refresh-undelivered')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/^MetadataRefreshScheduleDeadLetterQueue/), 'QueueName'] } }],
    });
  });

  it('alarms on relay errors, relay lag and any dead letter', () => {
    expect(alarmNamed('audit-relay-errors')).toMatchObject({ MetricName: 'Errors', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    expect(alarmNamed('audit-relay-lag')).toMatchObject({ MetricName: 'IteratorAge', Statistic: 'Maximum' });
    expect(alarmNamed('audit-dead-letters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::ImportValue': expect.stringMatching(/DeadLetterQueue.*QueueName/) } }],
    });
  });

  it('alarms on a spike of failed sign-ins and on any suspected clone', () => {
    expect(alarmNamed('sign-in-failure-spike')).toMatchObject({
      Namespace: `Latchkey/Audit/${stageName}`,
      MetricName: 'SignInFailed',
      Statistic: 'Sum',
      Period: 300,
      Threshold: synthesized.stage.alarms.failedSignInsPerFiveMinutes,
    });
    expect(alarmNamed('credential-clone-suspected')).toMatchObject({
      Namespace: `Latchkey/Audit/${stageName}`,
      MetricName: 'CredentialCloneSuspected',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('draws one dashboard', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: `latchkey-${stageName}`,
      DashboardBody: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
  });

  it('graphs the metadata refresh on its own, off the request functions\' latency graph', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard') as Resources);
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);
    expect(body).toContain('FIDO metadata refresh (hourly)');
    expect(body).toContain('metadata-refresh errors');
    expect(body).not.toContain('metadata-refresh p99');
    expect(body).toContain('attestation p99');
  });
});
