import { Duration, RemovalPolicy, Stack, ArnFormat } from 'aws-cdk-lib';
import type { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { EventBus, Rule, type IRuleTarget } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FilterPattern, LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { auditDetailTypes, auditEventSource } from '../audit-events.ts';
import type { ValidatedStage } from '../stages/validate-stage-config.ts';

export interface AuditTrailProps {
  readonly stage: ValidatedStage;
}

/**
 * Where audit events go once the relay publishes them: the stage's event bus, an archive for
 * replay, and a log group that receives every Latchkey event so security teams can query
 * them with Logs Insights. Metric filters on that log group count the events alarms watch.
 */
export class AuditTrail extends Construct {
  readonly eventBus: EventBus;
  readonly logGroup: LogGroup;
  /** Counts of audit events by detail-type, published by metric filters on the log group. */
  readonly metrics: { readonly signInSucceeded: Metric; readonly signInFailed: Metric; readonly credentialCloneSuspected: Metric };
  /** CloudWatch namespace of those metrics (one per stage, so stages in one account never mix). */
  readonly metricNamespace: string;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const { stage } = props;
    const removalPolicy = stage.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.eventBus = new EventBus(this, 'EventBus', {
      eventBusName: `latchkey-${stage.name}`,
      description: `Latchkey audit events (${stage.name}); source "${auditEventSource}", detail-types in EVENTS.md`,
    });
    const archive = this.eventBus.archive('Archive', {
      archiveName: `latchkey-${stage.name}-audit`,
      description: 'Every Latchkey audit event, for replay to new or repaired consumers',
      eventPattern: { source: [auditEventSource] },
      retention: Duration.days(stage.eventArchiveRetentionDays),
    });
    // Deleting the archive deletes the archived events with it.
    this.eventBus.applyRemovalPolicy(removalPolicy);
    archive.applyRemovalPolicy(removalPolicy);

    this.logGroup = new LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/events/latchkey-${stage.name}/audit`,
      retention: stage.auditLogRetention,
      removalPolicy,
    });

    // EventBridge writes to a log group only where the log group's resource policy allows
    // it. A native AWS::Logs::ResourcePolicy does that without the custom-resource Lambda
    // that the CloudWatchLogGroup target would deploy.
    const { policyDependable } = this.logGroup.addToResourcePolicy(
      new PolicyStatement({
        sid: 'EventBridgeWritesLatchkeyAuditEvents',
        principals: [new ServicePrincipal('events.amazonaws.com'), new ServicePrincipal('delivery.logs.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    const logGroupTarget: IRuleTarget = {
      bind: () => ({
        // EventBridge wants the log group ARN without the trailing ":*".
        arn: Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          resourceName: this.logGroup.logGroupName,
        }),
      }),
    };
    const shipToLogs = new Rule(this, 'ShipEventsToLogGroup', {
      eventBus: this.eventBus,
      description: 'Copies every Latchkey audit event into the audit log group',
      eventPattern: { source: [auditEventSource] },
      targets: [logGroupTarget],
    });
    if (policyDependable) shipToLogs.node.addDependency(policyDependable);

    this.metricNamespace = `Latchkey/Audit/${stage.name}`;
    const countEvents = (filterId: string, metricName: string, detailType: string): Metric =>
      this.logGroup
        .addMetricFilter(filterId, {
          filterPattern: FilterPattern.stringValue('$.detail-type', '=', detailType),
          metricNamespace: this.metricNamespace,
          metricName,
          metricValue: '1',
        })
        .metric({ statistic: 'Sum', period: Duration.minutes(5) });

    this.metrics = {
      signInSucceeded: countEvents('CountSignInSucceeded', 'SignInSucceeded', auditDetailTypes.signInSucceeded),
      signInFailed: countEvents('CountSignInFailed', 'SignInFailed', auditDetailTypes.signInFailed),
      credentialCloneSuspected: countEvents(
        'CountCredentialCloneSuspected',
        'CredentialCloneSuspected',
        auditDetailTypes.credentialCloneSuspected,
      ),
    };
  }
}
