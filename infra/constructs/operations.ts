import { Duration } from 'aws-cdk-lib';
import type { Stage } from 'aws-cdk-lib/aws-apigateway';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { FunctionName } from '../../shared/routes.ts';
import type { AuditTrail } from './audit-trail.ts';
import type { ValidatedStage } from '../stages/validate-stage-config.ts';

export interface OperationsProps {
  readonly stage: ValidatedStage;
  readonly apiStage: Stage;
  readonly apiFunctions: Readonly<Record<FunctionName, IFunction>>;
  readonly auditRelay: IFunction;
  /** The daily FIDO metadata refresh: a failed run means the BLOB was refused or unreachable. */
  readonly metadataRefresh: IFunction;
  /** Where Scheduler parks a daily refresh it could not deliver. */
  readonly metadataRefreshDeadLetterQueue: IQueue;
  readonly auditRelayDeadLetterQueue: IQueue;
  readonly auditTrail: AuditTrail;
  readonly alarmTopic: ITopic;
  /** The WAF web ACL's name, when the stage has one (blocked requests on the dashboard). */
  readonly webAclName?: string;
}

const fiveMinutes = Duration.minutes(5);

/**
 * What tells an operator something is wrong: alarms on the API's 5xx rate, verify latency,
 * throttles, the audit relay (errors, lag, dead letters), the FIDO metadata refresh (a failed
 * or undelivered run) and on security signals (a spike of failed sign-ins, any suspected
 * cloned credential), all to the alarm topic; and one dashboard with the same signals.
 */
export class Operations extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const { stage, apiStage, apiFunctions, auditRelay, auditTrail } = props;
    const alarmAction = new SnsAction(props.alarmTopic);
    const alarm = (alarmId: string, options: AlarmOptions): Alarm => {
      const created = new Alarm(this, alarmId, {
        alarmName: `latchkey-${stage.name}-${options.name}`,
        alarmDescription: options.description,
        metric: options.metric,
        threshold: options.threshold,
        comparisonOperator: options.comparisonOperator ?? ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        datapointsToAlarm: options.datapointsToAlarm ?? options.evaluationPeriods ?? 1,
        // No traffic or no events is healthy, not unknown.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      created.addAlarmAction(alarmAction);
      created.addOkAction(alarmAction);
      this.alarms.push(created);
      return created;
    };

    const requests = apiStage.metricCount({ period: fiveMinutes, statistic: 'Sum' });
    const serverErrors = apiStage.metricServerError({ period: fiveMinutes, statistic: 'Sum' });
    const serverErrorRate = new MathExpression({
      // Below 20 requests one error would read as a large rate; stay quiet until traffic is real.
      expression: 'IF(requests >= 20, 100 * errors / requests, 0)',
      usingMetrics: { requests, errors: serverErrors },
      period: fiveMinutes,
      label: '5xx rate (%)',
    });
    alarm('ApiServerErrorRate', {
      name: 'api-5xx-rate',
      description: `More than ${stage.alarms.serverErrorRatePercent}% of API requests answered 5xx in two of three 5-minute periods.`,
      metric: serverErrorRate,
      threshold: stage.alarms.serverErrorRatePercent,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
    });

    for (const name of ['attestation', 'assertion'] as const) {
      alarm(`${capitalise(name)}LatencyP99`, {
        name: `${name}-p99-latency`,
        description: `p99 duration of the ${name} (verify) function above ${stage.alarms.verifyLatencyP99Milliseconds} ms in two of three 5-minute periods.`,
        metric: apiFunctions[name].metricDuration({ period: fiveMinutes, statistic: 'p99' }),
        threshold: stage.alarms.verifyLatencyP99Milliseconds,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
      });
    }

    const allFunctions: [string, IFunction][] = [
      ...Object.entries(apiFunctions),
      ['audit-relay', auditRelay],
      ['metadata-refresh', props.metadataRefresh],
    ];
    const throttles = new MathExpression({
      expression: allFunctions.map((_, index) => `t${index}`).join(' + '),
      usingMetrics: Object.fromEntries(
        allFunctions.map(([, fn], index) => [`t${index}`, fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' })]),
      ),
      period: fiveMinutes,
      label: 'Lambda throttles',
    });
    alarm('LambdaThrottles', {
      name: 'lambda-throttles',
      description: 'A Latchkey function was throttled: requests were refused for lack of concurrency.',
      metric: throttles,
      threshold: 0,
    });

    // One run a day, and Lambda's two retries of a failed one: the alarm stays raised for the rest of that period.
    const refreshErrors = props.metadataRefresh.metricErrors({ period: Duration.hours(6), statistic: 'Sum' });
    const refreshDeadLetters = props.metadataRefreshDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
      period: fiveMinutes,
      statistic: 'Maximum',
    });
    alarm('MetadataRefreshFailed', {
      name: 'metadata-refresh-failed',
      description:
        'The FIDO metadata refresh failed: the BLOB was refused or unreachable, or the run crashed. The last good ' +
        'entries stay in use; see GET /v1/admin/metadata and docs/metadata.md.',
      metric: refreshErrors,
      threshold: 0,
    });
    alarm('MetadataRefreshUndelivered', {
      name: 'metadata-refresh-undelivered',
      description:
        'EventBridge Scheduler could not start the daily FIDO metadata refresh for 6 hours and parked the run in ' +
        'its dead-letter queue. Run it with npm run admin -- metadata refresh, then purge the queue (docs/deploy.md).',
      metric: refreshDeadLetters,
      threshold: 0,
    });
    alarm('AuditRelayErrors', {
      name: 'audit-relay-errors',
      description: 'The audit relay failed a whole batch; events are retried, then parked in the dead-letter queue.',
      metric: auditRelay.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
      threshold: 0,
    });
    alarm('AuditRelayLag', {
      name: 'audit-relay-lag',
      description: 'Audit events are waiting more than 5 minutes in the table stream before publication.',
      metric: auditRelay.metric('IteratorAge', { period: fiveMinutes, statistic: 'Maximum' }),
      threshold: 5 * 60 * 1000,
      evaluationPeriods: 2,
    });
    alarm('AuditDeadLetters', {
      name: 'audit-dead-letters',
      description:
        'The audit relay gave up on a batch: its stream position is in the dead-letter queue. Replay it within ' +
        'the outbox retention (docs/deploy.md) or audit events are lost.',
      metric: props.auditRelayDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      threshold: 0,
    });

    alarm('SignInFailureSpike', {
      name: 'sign-in-failure-spike',
      description: `More than ${stage.alarms.failedSignInsPerFiveMinutes} Sign-In Failed events in 5 minutes: a possible attack or a broken client.`,
      metric: auditTrail.metrics.signInFailed,
      threshold: stage.alarms.failedSignInsPerFiveMinutes,
    });
    alarm('CredentialCloneSuspected', {
      name: 'credential-clone-suspected',
      description: 'A credential signature counter went backwards: the authenticator may have been cloned.',
      metric: auditTrail.metrics.credentialCloneSuspected,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `latchkey-${stage.name}`,
      defaultInterval: Duration.hours(6),
    });
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) =>
      new GraphWidget({ title, left, right, width: 8, height: 6 });
    const perFunction = (metricOf: (fn: IFunction) => Metric, label: string, functions = allFunctions) =>
      functions.map(([name, fn]) => metricOf(fn).with({ label: `${name} ${label}` }));
    // The refresh runs for seconds to minutes once a day: on the request functions' latency graph it would flatten them.
    const requestFunctions = allFunctions.filter(([, fn]) => fn !== props.metadataRefresh);

    this.dashboard.addWidgets(
      new TextWidget({
        markdown: `# Latchkey ${stage.name}\nAPI, functions, audit relay, FIDO metadata refresh and sign-in security signals. Alarms go to the alarm topic.`,
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 }));
    this.dashboard.addWidgets(
      graph(
        'API requests and errors',
        [requests.with({ label: 'requests' }), apiStage.metricClientError({ period: fiveMinutes, statistic: 'Sum' }).with({ label: '4xx' }), serverErrors.with({ label: '5xx' })],
        [serverErrorRate],
      ),
      graph('API latency', [
        apiStage.metricLatency({ period: fiveMinutes, statistic: 'p50' }).with({ label: 'p50' }),
        apiStage.metricLatency({ period: fiveMinutes, statistic: 'p99' }).with({ label: 'p99' }),
      ]),
      graph('Sign-ins', [
        auditTrail.metrics.signInSucceeded.with({ label: 'succeeded' }),
        auditTrail.metrics.signInFailed.with({ label: 'failed' }),
        auditTrail.metrics.credentialCloneSuspected.with({ label: 'clone suspected' }),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Function p99 duration (ms)', perFunction((fn) => fn.metricDuration({ period: fiveMinutes, statistic: 'p99' }), 'p99', requestFunctions)),
      graph('Function errors', perFunction((fn) => fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }), 'errors')),
      graph('Function throttles and concurrency', [throttles], [
        new Metric({ namespace: 'AWS/Lambda', metricName: 'ConcurrentExecutions', statistic: 'Maximum', period: fiveMinutes, label: 'account concurrency' }),
      ]),
    );
    const relayRow = [
      graph(
        'Audit relay',
        [auditRelay.metric('IteratorAge', { period: fiveMinutes, statistic: 'Maximum' }).with({ label: 'iterator age (ms)' })],
        [props.auditRelayDeadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }).with({ label: 'dead letters' })],
      ),
    ];
    if (props.webAclName) {
      relayRow.push(
        graph('AWS WAF', [
          new Metric({
            namespace: 'AWS/WAFV2',
            metricName: 'BlockedRequests',
            dimensionsMap: { WebACL: props.webAclName, Region: apiStage.stack.region, Rule: 'ALL' },
            statistic: 'Sum',
            period: fiveMinutes,
            label: 'blocked',
          }),
          new Metric({
            namespace: 'AWS/WAFV2',
            metricName: 'AllowedRequests',
            dimensionsMap: { WebACL: props.webAclName, Region: apiStage.stack.region, Rule: 'ALL' },
            statistic: 'Sum',
            period: fiveMinutes,
            label: 'allowed',
          }),
        ]),
      );
    }
    relayRow.push(
      graph(
        'FIDO metadata refresh (hourly)',
        [
          props.metadataRefresh.metricInvocations({ period: Duration.hours(1), statistic: 'Sum' }).with({ label: 'runs' }),
          refreshErrors.with({ label: 'failed runs', period: Duration.hours(1) }),
          refreshDeadLetters.with({ label: 'undelivered runs', period: Duration.hours(1) }),
        ],
        [props.metadataRefresh.metricDuration({ period: Duration.hours(1), statistic: 'Maximum' }).with({ label: 'duration (ms)' })],
      ),
    );
    this.dashboard.addWidgets(...relayRow);
  }
}

interface AlarmOptions {
  readonly name: string;
  readonly description: string;
  readonly metric: IMetric;
  readonly threshold: number;
  readonly comparisonOperator?: ComparisonOperator;
  readonly evaluationPeriods?: number;
  readonly datapointsToAlarm?: number;
}

const capitalise = (value: string): string => value.charAt(0).toUpperCase() + value.slice(1);
