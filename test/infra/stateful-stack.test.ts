import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableSchema } from '../../shared/storage/table.ts';
import { selectTableIndexes, TableIndexSelectionError } from '../../infra/table-indexes.ts';
import { synthesizedStage, synthesizeStage, synthesisTimeout, type SynthesizedStage } from './synthesize-stage.ts';

/** A schema index as CloudFormation declares it. */
const declaredIndex = (index: (typeof tableSchema.globalSecondaryIndexes)[number]) => ({
  IndexName: index.indexName,
  KeySchema: [
    { AttributeName: index.partitionKey, KeyType: 'HASH' },
    { AttributeName: index.sortKey, KeyType: 'RANGE' },
  ],
  Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] },
});

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
      GlobalSecondaryIndexes: tableSchema.globalSecondaryIndexes.map(declaredIndex),
    });
  });

  it('declares every index of the shared schema: byUsername, byAuthenticatorModel and directory', () => {
    const tables = Object.values(synthesized.statefulTemplate.findResources('AWS::DynamoDB::Table'));
    const indexes = (tables[0]?.Properties as { GlobalSecondaryIndexes: { IndexName: string }[] }).GlobalSecondaryIndexes;
    expect(indexes.map((index) => index.IndexName)).toEqual(['byUsername', 'byAuthenticatorModel', 'directory']);
    // Every key attribute of every index is declared as a string.
    const definitions = (tables[0]?.Properties as { AttributeDefinitions: unknown[] }).AttributeDefinitions;
    const keyAttributes = [tableSchema.partitionKey, tableSchema.sortKey, ...tableSchema.globalSecondaryIndexes.flatMap((index) => [index.partitionKey, index.sortKey])];
    expect(definitions).toEqual(expect.arrayContaining(keyAttributes.map((name) => ({ AttributeName: name, AttributeType: 'S' }))));
    expect(definitions).toHaveLength(keyAttributes.length);
  });

  it('warns about no missing index when built with the whole schema', () => {
    Annotations.fromStack(synthesized.stateful).hasNoWarning('*', Match.stringLikeRegexp('tableIndexes'));
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

describe('table indexes added one deployment at a time (-c tableIndexes)', () => {
  it('builds every schema index when the context is absent', () => {
    expect(selectTableIndexes(undefined)).toEqual(tableSchema.globalSecondaryIndexes.map((index) => index.indexName));
  });

  it('keeps schema order whatever order the list is given in', () => {
    expect(selectTableIndexes('directory, byUsername')).toEqual(['byUsername', 'directory']);
  });

  it.each([
    ['', 'must list index names'],
    ['byUsername,byEmail', '"byEmail", which is not an index of the table schema'],
    ['byUsername,byUsername', 'names an index twice'],
  ])('refuses %j', (value, message) => {
    expect(() => selectTableIndexes(value)).toThrowError(TableIndexSelectionError);
    expect(() => selectTableIndexes(value)).toThrowError(message);
  });

  it('builds only the named indexes and warns that the others are missing', { timeout: synthesisTimeout }, () => {
    // Prepare: a table deployed with byUsername only gets byAuthenticatorModel first.
    const { stateful, statefulTemplate } = synthesizeStage('dev', { tableIndexes: selectTableIndexes('byUsername,byAuthenticatorModel') });

    // Assess
    const [byUsername, byAuthenticatorModel] = tableSchema.globalSecondaryIndexes;
    statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [declaredIndex(byUsername), declaredIndex(byAuthenticatorModel)],
    });
    Annotations.fromStack(stateful).hasWarning('*', Match.stringLikeRegexp('without directory \\(-c tableIndexes\\)'));
  });
});
