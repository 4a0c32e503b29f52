import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableSchema } from '../../shared/storage/table.ts';
import { synthesizedStage, synthesisTimeout, type SynthesizedStage } from './synthesize-stage.ts';

const [usernameIndex] = tableSchema.globalSecondaryIndexes;

describe.each(['dev', 'prod'])('stateful stack, stage %s', (stageName) => {
  let synthesized: SynthesizedStage;
  beforeAll(() => {
    synthesized = synthesizedStage(stageName);
  }, synthesisTimeout);

  const retained = stageName === 'prod';
  const deletionPolicy = retained ? 'Retain' : 'Delete';

  it('is named Latchkey-<stage>-Stateful and termination-protected only in prod', () => {
    expect(synthesized.stateful.stackName).toBe(`Latchkey-${stageName}-Stateful`);
    expect(synthesized.stateful.terminationProtection).toBe(retained);
  });

  it('builds the table from the shared schema: keys, on-demand, TTL, stream, PITR', () => {
    synthesized.statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: `latchkey-${stageName}`,
      KeySchema: [
        { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: tableSchema.timeToLiveAttribute, Enabled: true },
      StreamSpecification: { StreamViewType: tableSchema.streamViewType },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: usernameIndex.indexName,
          KeySchema: [
            { AttributeName: usernameIndex.partitionKey, KeyType: 'HASH' },
            { AttributeName: usernameIndex.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...usernameIndex.nonKeyAttributes] },
        },
      ],
    });
  });

  it(`protects the table: deletion protection ${retained ? 'on' : 'off'}, DeletionPolicy ${deletionPolicy}`, () => {
    synthesized.statefulTemplate.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: deletionPolicy,
      UpdateReplacePolicy: deletionPolicy,
      Properties: Match.objectLike({ DeletionProtectionEnabled: retained }),
    });
  });

  it('creates one ES256 signing key and an active alias pointing at it', () => {
    const keys = synthesized.statefulTemplate.findResources('AWS::KMS::Key', {
      Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' },
    });
    expect(Object.keys(keys)).toHaveLength(1);
    const [signingKeyId] = Object.keys(keys);
    synthesized.statefulTemplate.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: `alias/latchkey-${stageName}-token-signing`,
      TargetKeyId: { 'Fn::GetAtt': [signingKeyId, 'Arn'] },
    });
    synthesized.statefulTemplate.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ KeySpec: 'ECC_NIST_P256' }),
      DeletionPolicy: deletionPolicy,
    });
  });

  it('creates an HMAC_256 key with its alias', () => {
    const keys = synthesized.statefulTemplate.findResources('AWS::KMS::Key', {
      Properties: { KeySpec: 'HMAC_256', KeyUsage: 'GENERATE_VERIFY_MAC' },
    });
    expect(Object.keys(keys)).toHaveLength(1);
    synthesized.statefulTemplate.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: `alias/latchkey-${stageName}-hmac`,
      TargetKeyId: { 'Fn::GetAtt': [Object.keys(keys)[0], 'Arn'] },
    });
  });

  it('keeps key material longer before deletion in prod', () => {
    synthesized.statefulTemplate.hasResourceProperties('AWS::KMS::Key', {
      KeySpec: 'ECC_NIST_P256',
      PendingWindowInDays: retained ? 30 : 7,
    });
  });

  it('creates the audit bus and an archive of source "latchkey" with the stage retention', () => {
    synthesized.statefulTemplate.hasResourceProperties('AWS::Events::EventBus', { Name: `latchkey-${stageName}` });
    synthesized.statefulTemplate.hasResource('AWS::Events::Archive', {
      Properties: Match.objectLike({
        ArchiveName: `latchkey-${stageName}-audit`,
        EventPattern: { source: ['latchkey'] },
        RetentionDays: synthesized.stage.eventArchiveRetentionDays,
      }),
      DeletionPolicy: deletionPolicy,
    });
  });

  it('ships every latchkey event to the audit log group, which EventBridge may write to', () => {
    const template = synthesized.statefulTemplate;
    const logGroups = template.findResources('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: `/aws/events/latchkey-${stageName}/audit` },
    });
    const [auditLogGroupId] = Object.keys(logGroups);
    expect(auditLogGroupId).toBeDefined();
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: `/aws/events/latchkey-${stageName}/audit`, RetentionInDays: synthesized.stage.auditLogRetention, Tags: Match.anyValue() },
      DeletionPolicy: deletionPolicy,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['latchkey'] },
      Targets: [Match.objectLike({ Arn: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp(`log-group:`)])]) }) })],
    });
    template.hasResourceProperties('AWS::Logs::ResourcePolicy', {
      PolicyDocument: Match.objectLike({
        'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('"Service":\\["events.amazonaws.com"'), { 'Fn::GetAtt': [auditLogGroupId, 'Arn'] }])],
      }),
    });
  });

  it.each([
    ['Sign-In Failed', 'SignInFailed'],
    ['Credential Clone Suspected', 'CredentialCloneSuspected'],
    ['Sign-In Succeeded', 'SignInSucceeded'],
  ])('counts "%s" events with a metric filter on the audit log group', (detailType, metricName) => {
    synthesized.statefulTemplate.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: `{ $.detail-type = "${detailType}" }`,
      MetricTransformations: [{ MetricName: metricName, MetricNamespace: `Latchkey/Audit/${stageName}`, MetricValue: '1' }],
    });
  });

  it('creates an encrypted, TLS-only dead-letter queue for the relay', () => {
    const queues = synthesized.statefulTemplate.findResources('AWS::SQS::Queue', {
      Properties: { QueueName: `latchkey-${stageName}-audit-relay-dlq`, SqsManagedSseEnabled: true },
    });
    const [queueId] = Object.keys(queues);
    expect(queueId).toBeDefined();
    synthesized.statefulTemplate.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: {
        Statement: [Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })],
      },
    });
  });

  it('creates a KMS-encrypted alarm topic CloudWatch may publish to', () => {
    const template = synthesized.statefulTemplate;
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: `latchkey-${stageName}-alarms`,
      KmsMasterKeyId: Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: 'sns:Publish' }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
        ]),
      },
    });
  });

  it(retained ? 'subscribes the on-call e-mail to the alarm topic' : 'subscribes no e-mail in dev', () => {
    const subscriptions = synthesized.statefulTemplate.findResources('AWS::SNS::Subscription');
    if (retained) {
      synthesized.statefulTemplate.hasResourceProperties('AWS::SNS::Subscription', {
        Protocol: 'email',
        Endpoint: synthesized.stage.alarms.email,
      });
    } else {
      expect(subscriptions).toEqual({});
    }
  });

  it('outputs the table name, bus name and key ids', () => {
    const outputs = synthesized.statefulTemplate.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining(['TableName', 'EventBusName', 'SigningKeyId', 'HmacKeyId', 'AuditLogGroupName', 'AlarmTopicArn']),
    );
  });
});
