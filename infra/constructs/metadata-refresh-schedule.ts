import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Schedule, ScheduleExpression, ScheduleGroup, type IScheduleTarget } from 'aws-cdk-lib/aws-scheduler';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ValidatedStage } from '../stages/validate-stage-config.ts';

export interface MetadataRefreshScheduleProps {
  readonly stage: ValidatedStage;
  /** The metadata-refresh function. */
  readonly target: IFunction;
}

/** Once a day, at 03:00 UTC: the FIDO Alliance publishes a new BLOB about monthly; a day's delay is fine. */
export const metadataRefreshTime = { hour: '3', minute: '0' } as const;

/** How long EventBridge Scheduler keeps trying to deliver one run before it parks it. */
const deliveryWindow = Duration.hours(6);

/**
 * Runs the metadata refresh daily (docs/metadata.md) with EventBridge Scheduler: a schedule in
 * the stage's own group, a role only that group may assume and that may only invoke the
 * function, and a dead-letter queue for runs Scheduler could not deliver (the refresh failing
 * is the function's own error, alarmed on separately).
 */
export class MetadataRefreshSchedule extends Construct {
  readonly schedule: Schedule;
  readonly group: ScheduleGroup;
  readonly role: Role;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: MetadataRefreshScheduleProps) {
    super(scope, id);
    const { stage, target } = props;
    const stack = Stack.of(this);

    this.group = new ScheduleGroup(this, 'Group', {
      scheduleGroupName: `latchkey-${stage.name}`,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // Scheduler names the schedule group as the source when it assumes the role (confused
    // deputy); AWS asks for the group's ARN here, never a schedule's.
    this.role = new Role(this, 'Role', {
      description: `EventBridge Scheduler, schedule group latchkey-${stage.name}: invokes latchkey-${stage.name}-metadata-refresh`,
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account, 'aws:SourceArn': this.group.scheduleGroupArn },
        },
      }),
    });
    // The unqualified function only: Scheduler never invokes a version or alias.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'InvokeMetadataRefresh', actions: ['lambda:InvokeFunction'], resources: [target.functionArn] }),
    );

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: `latchkey-${stage.name}-metadata-refresh-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ sid: 'ParkUndeliveredRuns', actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the metadata refresh schedule; a message only says ' +
        'a daily run was not delivered, and an alarm fires on any visible message.',
    });

    // Built here rather than with aws-scheduler-targets' LambdaInvoke, whose grant also allows
    // invoking every version and alias of the function (`<arn>:*`).
    const invokeRefresh: IScheduleTarget = {
      bind: () => ({
        arn: target.functionArn,
        role: this.role,
        retryPolicy: { maximumEventAgeInSeconds: deliveryWindow.toSeconds(), maximumRetryAttempts: 10 },
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      }),
    };
    this.schedule = new Schedule(this, 'Schedule', {
      scheduleName: `latchkey-${stage.name}-metadata-refresh`,
      scheduleGroup: this.group,
      description: 'Daily FIDO MDS3 BLOB refresh (docs/metadata.md)',
      schedule: ScheduleExpression.cron({ ...metadataRefreshTime }),
      target: invokeRefresh,
    });
    // The schedule names its group by a literal name: CloudFormation must still create the group first.
    this.schedule.node.addDependency(this.group);
  }
}
