import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { tableSchema } from '../../shared/storage/table.ts';
import { AuditTrail } from '../constructs/audit-trail.ts';
import type { ValidatedStage } from '../stages/validate-stage-config.ts';
import { allTableIndexes, type TableIndexName } from '../table-indexes.ts';

export interface StatefulStackProps extends StackProps {
  readonly stage: ValidatedStage;
  /**
   * The table's global secondary indexes; default every index of the schema. Fewer only while
   * a deployed table is brought up to the schema one index per deployment (docs/deploy.md).
   */
  readonly tableIndexes?: readonly TableIndexName[];
}

/**
 * Everything that holds data or identity and must outlive a redeploy of the code: the
 * table, the audit bus and its archive, the KMS keys, the relay's dead-letter queue, the
 * audit log group and the alarm topic. In production all of it is retained on delete.
 */
export class StatefulStack extends Stack {
  readonly table: Table;
  readonly auditTrail: AuditTrail;
  /** Signing keys, oldest generation first; the last one signs new tokens. */
  readonly signingKeys: readonly Key[];
  readonly activeSigningKey: Key;
  readonly hmacKey: Key;
  readonly auditRelayDeadLetterQueue: Queue;
  readonly alarmTopic: Topic;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const removalPolicy = stage.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.table = this.createTable(stage, removalPolicy, props.tableIndexes ?? allTableIndexes);
    this.auditTrail = new AuditTrail(this, 'AuditTrail', { stage });

    this.signingKeys = stage.signingKeyGenerations.map(
      (generation) =>
        new Key(this, `TokenSigningKey-${generation}`, {
          description: `Latchkey ${stage.name}: signs access tokens (ES256), generation ${generation}`,
          keySpec: KeySpec.ECC_NIST_P256,
          keyUsage: KeyUsage.SIGN_VERIFY,
          alias: `alias/latchkey-${stage.name}-token-signing-${generation}`,
          removalPolicy,
          pendingWindow: Duration.days(stage.production ? 30 : 7),
        }),
    );
    const activeSigningKey = this.signingKeys.at(-1);
    if (!activeSigningKey) throw new Error(`Stage ${stage.name} has no signing key generation`);
    this.activeSigningKey = activeSigningKey;
    // The stable name of whichever generation signs now; a rotation moves it to the new key.
    new Alias(this, 'ActiveTokenSigningKeyAlias', {
      aliasName: `alias/latchkey-${stage.name}-token-signing`,
      targetKey: this.activeSigningKey,
      removalPolicy,
    });

    this.hmacKey = new Key(this, 'HmacKey', {
      description: `Latchkey ${stage.name}: keys enrollment-code hashes and unknown-username decoys`,
      keySpec: KeySpec.HMAC_256,
      keyUsage: KeyUsage.GENERATE_VERIFY_MAC,
      alias: `alias/latchkey-${stage.name}-hmac`,
      removalPolicy,
      pendingWindow: Duration.days(stage.production ? 30 : 7),
    });
    this.auditRelayDeadLetterQueue = new Queue(this, 'AuditRelayDeadLetterQueue', {
      queueName: `latchkey-${stage.name}-audit-relay-dlq`,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // The maximum: time to investigate and redrive before anything is dropped.
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    Validations.of(this.auditRelayDeadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself the dead-letter destination of the audit relay stream mapping; ' +
        'it has an alarm on any visible message instead of a further queue.',
    });

    this.alarmTopic = this.createAlarmTopic(stage, removalPolicy);

    new CfnOutput(this, 'TableName', { value: this.table.tableName, description: 'DynamoDB table' });
    new CfnOutput(this, 'EventBusName', { value: this.auditTrail.eventBus.eventBusName, description: 'Audit event bus' });
    new CfnOutput(this, 'SigningKeyId', { value: this.activeSigningKey.keyId, description: 'KMS key that signs access tokens' });
    new CfnOutput(this, 'SigningKeyArn', { value: this.activeSigningKey.keyArn });
    new CfnOutput(this, 'HmacKeyId', { value: this.hmacKey.keyId, description: 'KMS HMAC key' });
    new CfnOutput(this, 'AuditLogGroupName', {
      value: this.auditTrail.logGroup.logGroupName,
      description: 'Every audit event, for CloudWatch Logs Insights',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
  }

  private createTable(stage: ValidatedStage, removalPolicy: RemovalPolicy, indexNames: readonly TableIndexName[]): Table {
    const table = new Table(this, 'Table', {
      tableName: `latchkey-${stage.name}`,
      partitionKey: { name: tableSchema.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableSchema.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: tableSchema.timeToLiveAttribute,
      stream: StreamViewType[tableSchema.streamViewType],
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: stage.production,
      contributorInsightsSpecification: { enabled: stage.tableContributorInsights },
      removalPolicy,
    });
    // The shared schema's indexes. DynamoDB creates one index per table update, so adding several
    // to a deployed table takes one deployment each (docs/deploy.md, "Table indexes").
    const indexes = tableSchema.globalSecondaryIndexes.filter((index) => indexNames.includes(index.indexName));
    for (const index of indexes) {
      table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.nonKeyAttributes],
      });
    }
    const missing = allTableIndexes.filter((name) => !indexNames.includes(name));
    if (missing.length > 0) {
      Annotations.of(table).addWarningV2(
        'latchkey:tableIndexesMissing',
        `The table is built without ${missing.join(', ')} (-c tableIndexes): the functions that query ` +
          'them fail until a deployment without -c tableIndexes adds them (docs/deploy.md, "Table indexes").',
      );
    }
    return table;
  }

  private createAlarmTopic(stage: ValidatedStage, removalPolicy: RemovalPolicy): Topic {
    // A customer managed key, because CloudWatch alarms cannot publish to a topic encrypted
    // with the AWS managed SNS key: its policy cannot grant them kms:GenerateDataKey.
    const key = new Key(this, 'AlarmTopicKey', {
      description: `Latchkey ${stage.name}: encrypts the alarm topic`,
      alias: `alias/latchkey-${stage.name}-alarms`,
      enableKeyRotation: true,
      removalPolicy,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', {
      topicName: `latchkey-${stage.name}-alarms`,
      displayName: `Latchkey ${stage.name} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccountPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    if (stage.alarms.email) topic.addSubscription(new EmailSubscription(stage.alarms.email));
    return topic;
  }
}
