import { Annotations, Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { challengeReadableAttributes } from '../../infra/access/challenge-readable-attributes.ts';
import { leadingKeyPrefixes } from '../../infra/access/function-permissions.ts';
import { backgroundFunctionNames, functionNames, routeKey, routes } from '../../shared/routes.ts';
import { environmentVariables } from '../../shared/runtime/variables.ts';
import { keys, tableSchema } from '../../shared/storage/table.ts';
import { createTestRootPem } from './test-root-certificate.ts';
import {
  actionsOf,
  functionLogicalId,
  leadingKeysOf,
  roleStatementsOf,
  statementsAllowing,
  synthesizedStage,
  synthesisTimeout,
  synthesizeStage,
  type IamStatement,
  type SynthesizedStage,
} from './synthesize-stage.ts';

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;

const allFunctionNames = [...functionNames, ...backgroundFunctionNames];
const dynamoActionsOf = (statements: IamStatement[]) =>
  statements.flatMap(actionsOf).filter((action) => action.startsWith('dynamodb:'));

/** `METHOD /full/path` of every API Gateway method, rebuilt from the resource tree. */
const apiMethodsOf = (template: Template): Map<string, Record<string, unknown>> => {
  const resources = template.findResources('AWS::ApiGateway::Resource') as Resources;
  const pathOf = (logicalId: string): string => {
    const resource = resources[logicalId];
    if (!resource) throw new Error(`No API resource ${logicalId}`);
    const parent = resource.Properties.ParentId as { Ref?: string };
    return `${parent.Ref ? pathOf(parent.Ref) : ''}/${String(resource.Properties.PathPart)}`;
  };
  const methods = template.findResources('AWS::ApiGateway::Method') as Resources;
  return new Map(
    Object.values(methods).map((method) => {
      const resourceId = method.Properties.ResourceId as { Ref?: string };
      const path = resourceId.Ref ? pathOf(resourceId.Ref) : '/';
      return [`${String(method.Properties.HttpMethod)} ${path}`, method.Properties];
    }),
  );
};

describe.each(['dev', 'prod'])('stateless stack, stage %s', (stageName) => {
  let synthesized: SynthesizedStage;
  let template: Template;
  beforeAll(() => {
    synthesized = synthesizedStage(stageName);
    template = synthesized.statelessTemplate;
  }, synthesisTimeout);

  const statementsOf = (name: string) => roleStatementsOf(template, `latchkey-${stageName}-${name}`);

  describe('functions', () => {
    it('creates one function per handler, named latchkey-<stage>-<name>', () => {
      const functions = template.findResources('AWS::Lambda::Function') as Resources;
      expect(Object.values(functions).map((fn) => fn.Properties.FunctionName).sort()).toEqual(
        allFunctionNames.map((name) => `latchkey-${stageName}-${name}`).sort(),
      );
    });

    it.each(allFunctionNames)('runs %s on Node.js 22, arm64, traced, JSON logs into its own log group', (name) => {
      const functions = template.findResources('AWS::Lambda::Function', {
        Properties: { FunctionName: `latchkey-${stageName}-${name}` },
      }) as Resources;
      const fn = Object.values(functions)[0]?.Properties;
      expect(fn).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: synthesized.stage.logLevel },
      });
      const logGroupId = (fn?.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      const logGroups = template.findResources('AWS::Logs::LogGroup') as Resources;
      expect(logGroups[logGroupId]?.Properties.RetentionInDays).toBe(synthesized.stage.logRetention);
    });

    it('sets the runtime environment from the shared variable names', () => {
      const v = environmentVariables;
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `latchkey-${stageName}-assertion`,
        Environment: {
          Variables: Match.objectEquals({
            [v.stage]: stageName,
            [v.tableName]: Match.anyValue(),
            [v.rpId]: synthesized.stage.relyingParty.id,
            [v.rpName]: synthesized.stage.relyingParty.name,
            [v.allowedOrigins]: synthesized.stage.allowedOrigins.join(','),
            [v.tokenIssuer]: {
              'Fn::Join': [
                '',
                [
                  'https://',
                  { Ref: Match.stringLikeRegexp('^ApiRestApi') },
                  '.execute-api.',
                  { Ref: 'AWS::Region' },
                  '.',
                  { Ref: 'AWS::URLSuffix' },
                  `/${stageName}`,
                ],
              ],
            },
            [v.tokenAudience]: synthesized.stage.tokenAudience,
            [v.keySource]: 'kms',
            [v.signingKeyId]: { 'Fn::ImportValue': Match.stringLikeRegexp('TokenSigningKey') },
            [v.hmacKeyId]: { 'Fn::ImportValue': Match.stringLikeRegexp('HmacKey') },
            [v.policyDefaults]: JSON.stringify(synthesized.stage.policy),
            [v.policyCacheSeconds]: '10',
            POWERTOOLS_SERVICE_NAME: 'latchkey',
            POWERTOOLS_METRICS_NAMESPACE: 'Latchkey',
            LOG_LEVEL: synthesized.stage.logLevel,
            POWERTOOLS_LOGGER_LOG_EVENT: 'false',
            POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
    });

    it('gives only the audit relay the event bus name', () => {
      const functions = template.findResources('AWS::Lambda::Function') as Resources;
      for (const fn of Object.values(functions)) {
        const variables = (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
        const isRelay = fn.Properties.FunctionName === `latchkey-${stageName}-audit-relay`;
        expect(environmentVariables.eventBusName in variables).toBe(isRelay);
      }
    });
  });

  describe('least privilege', () => {
    it('lets every function write only its own log group', () => {
      for (const name of allFunctionNames) {
        const [logs] = statementsAllowing(statementsOf(name), 'logs:PutLogEvents');
        expect(logs?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/LogGroup/), 'Arn'] });
      }
    });

    it('uses Resource "*" only for X-Ray and the relay\'s ListStreams', () => {
      for (const name of allFunctionNames) {
        const wildcard = statementsOf(name).filter((statement) => statement.Resource === '*');
        const actions = wildcard.flatMap(actionsOf).sort();
        const expected = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
        expect(actions).toEqual(name === 'audit-relay' ? ['dynamodb:ListStreams', ...expected] : expected);
      }
    });

    it('gives the jwks function no table access, only GetPublicKey on the signing keys', () => {
      const statements = statementsOf('jwks');
      expect(dynamoActionsOf(statements)).toEqual([]);
      expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('kms:'))).toEqual(['kms:GetPublicKey']);
    });

    it('lets the assertion function delete only CHALLENGE# items, so it cannot delete users or keys', () => {
      const statements = statementsOf('assertion');
      const deletes = statementsAllowing(statements, 'dynamodb:DeleteItem');
      expect(deletes).toHaveLength(1);
      expect(leadingKeysOf(deletes[0] as IamStatement)).toEqual(['CHALLENGE#*']);
      expect(dynamoActionsOf(statements)).not.toContain('dynamodb:BatchWriteItem');
    });

    it('lets the assertion function put only outbox items and update only USER# items', () => {
      const statements = statementsOf('assertion');
      expect(statementsAllowing(statements, 'dynamodb:PutItem').map(leadingKeysOf)).toEqual([['OUTBOX#*']]);
      expect(statementsAllowing(statements, 'dynamodb:UpdateItem').map(leadingKeysOf)).toEqual([['USER#*']]);
    });

    it('restricts the challenge function\'s reads to named attributes without publicKey', () => {
      const statements = statementsOf('challenge');
      const reads = [...statementsAllowing(statements, 'dynamodb:GetItem'), ...statementsAllowing(statements, 'dynamodb:Query')];
      expect(new Set(reads).size).toBe(1);
      const [read] = reads as [IamStatement];
      const attributes = read.Condition?.['ForAllValues:StringEquals']?.['dynamodb:Attributes'];
      expect(attributes).toEqual([...challengeReadableAttributes]);
      expect(attributes).not.toContain('publicKey');
      // DynamoDB needs the table's and index's key attributes in the list.
      const [index] = tableSchema.globalSecondaryIndexes;
      expect(attributes).toEqual(
        expect.arrayContaining([tableSchema.partitionKey, tableSchema.sortKey, index.partitionKey, index.sortKey]),
      );
      expect(read.Condition?.StringEqualsIfExists).toEqual({ 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' });
      expect(read.Resource).toEqual([
        expect.objectContaining({ 'Fn::ImportValue': expect.stringMatching(/Table.*Arn/) }),
        { 'Fn::Join': ['', [expect.objectContaining({ 'Fn::ImportValue': expect.any(String) }), `/index/${index.indexName}`]] },
      ]);
    });

    it('lets the challenge function write only challenges and outbox items, and never sign', () => {
      const statements = statementsOf('challenge');
      expect(dynamoActionsOf(statements).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
      expect(statementsAllowing(statements, 'dynamodb:PutItem').map(leadingKeysOf)).toEqual([['CHALLENGE#*', 'OUTBOX#*']]);
      expect(statementsAllowing(statements, 'kms:Sign')).toEqual([]);
      expect(statementsAllowing(statements, 'kms:GenerateMac')).toHaveLength(1);
    });

    it('lets the attestation function delete only challenges, enrollment codes and users\' records of them, and never the policy item', () => {
      const statements = statementsOf('attestation');
      // USER#: a one-time code's record under its user (USER#<id> / CODE#<hash>), deleted in the registration transaction.
      expect(keys.userEnrollmentCode('u', 'h').pk.startsWith(leadingKeyPrefixes.user)).toBe(true);
      expect(statementsAllowing(statements, 'dynamodb:DeleteItem').map(leadingKeysOf)).toEqual([['CHALLENGE#*', 'CODE#*'], ['USER#*']]);
      const writes = [...statementsAllowing(statements, 'dynamodb:PutItem'), ...statementsAllowing(statements, 'dynamodb:UpdateItem')];
      for (const write of writes) {
        expect(leadingKeysOf(write)).toEqual(['USER#*', 'CRED#*', 'USERNAME#*', 'OUTBOX#*']);
      }
    });

    it('lets the credentials function delete only USER# and CRED# items', () => {
      const statements = statementsOf('credentials');
      expect(statementsAllowing(statements, 'dynamodb:DeleteItem').map(leadingKeysOf)).toEqual([['USER#*', 'CRED#*']]);
      expect(statementsAllowing(statements, 'kms:Sign')).toEqual([]);
    });

    it('lets only the verify functions sign tokens, with ES256 only, and with the active key only', () => {
      for (const name of allFunctionNames) {
        const signs = statementsAllowing(statementsOf(name), 'kms:Sign');
        if (name === 'attestation' || name === 'assertion') {
          expect(signs).toHaveLength(1);
          expect(signs[0]?.Condition).toEqual({ StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } });
          expect(signs[0]?.Resource).toEqual({ 'Fn::ImportValue': expect.stringMatching(/TokenSigningKeyv1/) });
          expect(actionsOf(signs[0] as IamStatement)).toEqual(['kms:Sign']);
        } else {
          expect(signs).toEqual([]);
        }
      }
    });

    it('lets no function Scan, and only the metadata refresh (scheduled or by the admin) BatchWriteItem, on MDS items only', () => {
      for (const name of allFunctionNames) {
        const statements = statementsOf(name);
        expect(dynamoActionsOf(statements)).not.toContain('dynamodb:Scan');
        const batchWrites = statementsAllowing(statements, 'dynamodb:BatchWriteItem');
        expect(batchWrites.map(leadingKeysOf)).toEqual(name === 'admin' || name === 'metadata-refresh' ? [['MDS*']] : []);
      }
    });

    it('lets the attestation function read FIDO metadata entries (MDS#…) with GetItem', () => {
      const reads = statementsAllowing(statementsOf('attestation'), 'dynamodb:GetItem');
      expect(reads).toHaveLength(1);
      // Unrestricted by leading key, on the table itself: MDS# entries included.
      expect(leadingKeysOf(reads[0] as IamStatement)).toBeUndefined();
      expect(reads[0]?.Resource).toEqual(expect.arrayContaining([{ 'Fn::ImportValue': expect.stringMatching(/Table.*Arn/) }]));
    });

    it('lets the admin function write every item family but challenges, query only the indexes it uses, and hold no signing key', () => {
      const statements = statementsOf('admin');
      const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem', 'dynamodb:BatchWriteItem'];
      const writablePrefixes = new Set(writes.flatMap((action) => statementsAllowing(statements, action).flatMap((statement) => leadingKeysOf(statement) as string[])));
      expect([...writablePrefixes].sort()).toEqual(['CODE#*', 'CRED#*', 'MDS*', 'OUTBOX#*', 'POLICY*', 'USER#*', 'USERNAME#*']);
      for (const action of writes) {
        for (const statement of statementsAllowing(statements, action)) expect(leadingKeysOf(statement)).toBeDefined();
      }
      // The impact report queries the directory index, the refresh the byAuthenticatorModel index; nothing reads index/*.
      const indexReads = statementsAllowing(statements, 'dynamodb:Query')
        .flatMap((statement) => (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]))
        .map((resource) => JSON.stringify(resource).match(/\/index\/([^"]+)/)?.[1])
        .filter((index) => index !== undefined);
      expect(indexReads.sort()).toEqual(['byAuthenticatorModel', 'directory']);
      expect(statements.flatMap(actionsOf).filter((action) => action.startsWith('kms:'))).toEqual(['kms:GenerateMac']);
    });

    it('lets the metadata refresh touch only MDS items, USER# keys it flags, and outbox items', () => {
      const statements = statementsOf('metadata-refresh');
      const table = { 'Fn::ImportValue': expect.stringMatching(/Table.*Arn/) };
      const tableStatements = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('dynamodb:')));
      expect(tableStatements.map((statement) => ({ actions: actionsOf(statement).sort(), keys: leadingKeysOf(statement), resource: statement.Resource }))).toEqual([
        { actions: ['dynamodb:GetItem'], keys: ['MDS*'], resource: table },
        { actions: ['dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], keys: ['MDS*'], resource: table },
        { actions: ['dynamodb:Query'], keys: undefined, resource: { 'Fn::Join': ['', [table, '/index/byAuthenticatorModel']] } },
        { actions: ['dynamodb:BatchGetItem'], keys: ['USER#*'], resource: table },
        { actions: ['dynamodb:UpdateItem'], keys: ['USER#*'], resource: table },
        { actions: ['dynamodb:PutItem'], keys: ['OUTBOX#*'], resource: table },
      ]);
      expect(statements.flatMap(actionsOf).filter((action) => !action.startsWith('dynamodb:')).sort()).toEqual([
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    });

    it('never grants a TransactWriteItems action, which IAM does not evaluate', () => {
      for (const name of allFunctionNames) {
        expect(dynamoActionsOf(statementsOf(name))).not.toContain('dynamodb:TransactWriteItems');
      }
    });

    it('lets the audit relay publish to its bus as source "latchkey" only, and touch no table item', () => {
      const statements = statementsOf('audit-relay');
      const puts = statementsAllowing(statements, 'events:PutEvents');
      expect(puts).toEqual([
        expect.objectContaining({
          Resource: { 'Fn::ImportValue': expect.stringMatching(/EventBus.*Arn/) },
          Condition: { StringEquals: { 'events:source': ['latchkey'] } },
        }),
      ]);
      expect(dynamoActionsOf(statements).sort()).toEqual([
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ]);
      expect(statementsAllowing(statements, 'sqs:SendMessage')).toHaveLength(1);
    });
  });

  describe('FIDO metadata refresh', () => {
    const functionNamed = (name: string) =>
      Object.values(template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: `latchkey-${stageName}-${name}` } }) as Resources)[0]
        ?.Properties;

    it('runs the refresh with 512 MB for up to 5 minutes, and the admin function (refresh on request) up to 29 s', () => {
      expect(functionNamed('metadata-refresh')).toMatchObject({ MemorySize: 512, Timeout: 300 });
      expect(functionNamed('admin')).toMatchObject({ Timeout: 29 });
    });

    it('gives the refresh only the stage, the table and the Powertools settings, and no stage here has an MDS root', () => {
      const v = environmentVariables;
      template.hasResourceProperties('AWS::Lambda::Function', {
        FunctionName: `latchkey-${stageName}-metadata-refresh`,
        Environment: {
          Variables: Match.objectEquals({
            [v.stage]: stageName,
            [v.tableName]: { 'Fn::ImportValue': Match.stringLikeRegexp('Table') },
            POWERTOOLS_SERVICE_NAME: 'latchkey',
            POWERTOOLS_METRICS_NAMESPACE: 'Latchkey',
            LOG_LEVEL: synthesized.stage.logLevel,
            POWERTOOLS_LOGGER_LOG_EVENT: 'false',
            POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      });
      expect(synthesized.stage.fidoMetadataRootCertificate).toBeUndefined();
      for (const name of allFunctionNames) {
        const variables = (functionNamed(name)?.Environment as { Variables: Record<string, unknown> }).Variables;
        expect(v.mdsRootCertificate in variables, name).toBe(false);
      }
    });

    it('runs it daily at 03:00 UTC with Scheduler, retrying delivery for 6 hours, then into a dead-letter queue', () => {
      const refreshId = functionLogicalId(template, `latchkey-${stageName}-metadata-refresh`);
      template.resourceCountIs('AWS::Scheduler::Schedule', 1);
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        Name: `latchkey-${stageName}-metadata-refresh`,
        GroupName: `latchkey-${stageName}`,
        ScheduleExpression: 'cron(0 3 * * ? *)',
        ScheduleExpressionTimezone: 'Etc/UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: { 'Fn::GetAtt': [refreshId, 'Arn'] },
          RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MetadataRefreshScheduleRole'), 'Arn'] },
          RetryPolicy: { MaximumEventAgeInSeconds: 6 * 3600, MaximumRetryAttempts: 10 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MetadataRefreshScheduleDeadLetterQueue'), 'Arn'] } },
        },
      });
      template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: `latchkey-${stageName}` });
      template.hasResource('AWS::Scheduler::Schedule', {
        DependsOn: Match.arrayWith([Match.stringLikeRegexp('^MetadataRefreshScheduleGroup')]),
      });
      template.hasResourceProperties('AWS::SQS::Queue', {
        QueueName: `latchkey-${stageName}-metadata-refresh-dlq`,
        SqsManagedSseEnabled: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
    });

    it('lets only the stage\'s schedule group assume the scheduler role, which may only invoke the refresh and park runs', () => {
      const roles = template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })] } } });
      expect(Object.keys(roles)).toEqual([expect.stringMatching(/^MetadataRefreshScheduleRole/)]);
      const [roleId] = Object.keys(roles) as [string];
      expect((roles[roleId]?.Properties as { AssumeRolePolicyDocument: { Statement: IamStatement[] } }).AssumeRolePolicyDocument.Statement[0]?.Condition).toEqual({
        StringEquals: {
          'aws:SourceAccount': { Ref: 'AWS::AccountId' },
          'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^MetadataRefreshScheduleGroup/), 'Arn'] },
        },
      });
      const policies = Object.values(template.findResources('AWS::IAM::Policy') as Resources).filter((policy) =>
        (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
      );
      const statements = policies.flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: IamStatement[] }).Statement);
      expect(statements.map((statement) => ({ Action: statement.Action, Resource: statement.Resource }))).toEqual([
        { Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [functionLogicalId(template, `latchkey-${stageName}-metadata-refresh`), 'Arn'] } },
        { Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^MetadataRefreshScheduleDeadLetterQueue/), 'Arn'] } },
      ]);
    });
  });

  describe('audit relay', () => {
    it('reads the table stream from the start, in batches, failing over to the dead-letter queue', () => {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: functionLogicalId(template, `latchkey-${stageName}-audit-relay`) },
        EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('StreamArn') },
        StartingPosition: 'TRIM_HORIZON',
        BatchSize: 100,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRetryAttempts: 10,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::ImportValue': Match.stringLikeRegexp('DeadLetterQueue') } } },
      });
    });

    it('filters the stream to inserted outbox items', () => {
      const mappings = template.findResources('AWS::Lambda::EventSourceMapping') as Resources;
      const [mapping] = Object.values(mappings);
      const filters = (mapping?.Properties.FilterCriteria as { Filters: { Pattern: string }[] }).Filters;
      expect(filters.map((filter) => JSON.parse(filter.Pattern) as unknown)).toEqual([
        { eventName: ['INSERT'], dynamodb: { NewImage: { pk: { S: [{ prefix: 'OUTBOX#' }] } } } },
      ]);
    });
  });

  describe('REST API', () => {
    it('has exactly one method per route, AWS_IAM on admin routes and none on public ones', () => {
      const methods = apiMethodsOf(template);
      const nonPreflight = [...methods.keys()].filter((key) => !key.startsWith('OPTIONS '));
      expect(nonPreflight.sort()).toEqual(routes.map(routeKey).sort());
      for (const route of routes) {
        expect(methods.get(routeKey(route))?.AuthorizationType).toBe(route.authorization === 'iam' ? 'AWS_IAM' : 'NONE');
      }
    });

    it('integrates each route with its own function by Lambda proxy', () => {
      const methods = apiMethodsOf(template);
      for (const route of routes) {
        const integration = methods.get(routeKey(route))?.Integration as { Type: string; Uri: unknown };
        expect(integration.Type).toBe('AWS_PROXY');
        expect(JSON.stringify(integration.Uri)).toContain(functionLogicalId(template, `latchkey-${stageName}-${route.function}`));
      }
    });

    it('answers CORS preflight on public resources only, for the stage\'s origins', () => {
      const methods = apiMethodsOf(template);
      const preflightPaths = [...methods.keys()].filter((key) => key.startsWith('OPTIONS ')).map((key) => key.slice(8));
      const publicPaths = new Set(routes.filter((route) => route.authorization === 'public').map((route) => route.path));
      expect(preflightPaths.sort()).toEqual([...publicPaths].sort());
      const preflight = methods.get('OPTIONS /v1/authentication/verify');
      const responses = JSON.stringify((preflight?.Integration as { IntegrationResponses: unknown }).IntegrationResponses);
      for (const origin of synthesized.stage.allowedOrigins) expect(responses).toContain(origin);
      expect(responses).not.toContain("'*'");
    });

    it('throttles, traces and access-logs the stage, without data tracing', () => {
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: stageName,
        TracingEnabled: true,
        MethodSettings: [
          Match.objectLike({
            HttpMethod: '*',
            ResourcePath: '/*',
            ThrottlingRateLimit: synthesized.stage.apiThrottling.rateLimit,
            ThrottlingBurstLimit: synthesized.stage.apiThrottling.burstLimit,
            LoggingLevel: 'ERROR',
            DataTraceEnabled: false,
          }),
        ],
        AccessLogSetting: { DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogs'), 'Arn'] }, Format: Match.anyValue() },
      });
      const stages = template.findResources('AWS::ApiGateway::Stage') as Resources;
      const format = (Object.values(stages)[0]?.Properties.AccessLogSetting as { Format: string }).Format;
      expect(JSON.parse(format)).toMatchObject({ requestId: '$context.requestId', status: '$context.status', sourceIp: '$context.identity.sourceIp' });
      const logGroups = template.findResources('AWS::Logs::LogGroup') as Resources;
      const accessLogs = Object.entries(logGroups).find(([id]) => id.startsWith('ApiAccessLogs'));
      expect(accessLogs?.[1].Properties.RetentionInDays).toBe(synthesized.stage.logRetention);
    });

    it('is a regional REST API', () => {
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        Name: `latchkey-${stageName}`,
        EndpointConfiguration: { Types: ['REGIONAL'] },
      });
    });

    it('answers throttling with a problem+json 429', () => {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'THROTTLED',
        StatusCode: '429',
        ResponseParameters: { 'gatewayresponse.header.Content-Type': "'application/problem+json'" },
        ResponseTemplates: { 'application/json': Match.stringLikeRegexp('"code":"rate_limited"') },
      });
    });
  });

  it('outputs the API URL, token issuer and JWKS URL', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs)).toEqual(expect.arrayContaining(['ApiUrl', 'TokenIssuer', 'JwksUrl']));
    expect(JSON.stringify(outputs.JwksUrl?.Value)).toContain(`/${stageName}/.well-known/jwks.json`);
  });
});

describe('AWS WAF', () => {
  it('is absent in dev', { timeout: synthesisTimeout }, () => {
    const { statelessTemplate } = synthesizedStage('dev');
    statelessTemplate.resourceCountIs('AWS::WAFv2::WebACL', 0);
    statelessTemplate.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  it('guards the prod API stage: per-IP rate limit, body limit, AWS managed rules', { timeout: synthesisTimeout }, () => {
    const { statelessTemplate, stage } = synthesizedStage('prod');
    statelessTemplate.resourceCountIs('AWS::WAFv2::WebACL', 1);
    statelessTemplate.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Name: 'RateLimitPerSourceIp',
          Statement: { RateBasedStatement: { Limit: stage.firewall.requestsPerFiveMinutesPerIp, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
          Action: { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'rateLimited' } } },
        }),
        Match.objectLike({
          Name: 'BodyLargerThan64KiB',
          Statement: { SizeConstraintStatement: Match.objectLike({ Size: 65536, ComparisonOperator: 'GT' }) },
        }),
        Match.objectLike({
          Statement: { ManagedRuleGroupStatement: Match.objectLike({ VendorName: 'AWS', Name: 'AWSManagedRulesCommonRuleSet' }) },
        }),
        Match.objectLike({
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: 'AWSManagedRulesKnownBadInputsRuleSet' } },
        }),
      ],
    });
    const stages = Object.keys(statelessTemplate.findResources('AWS::ApiGateway::Stage'));
    statelessTemplate.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      ResourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: stages[0] }])] },
      WebACLArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebAcl'), 'Arn'] },
    });
  });
});

describe('signing-key rotation', () => {
  let rotated: SynthesizedStage;
  beforeAll(() => {
    rotated = synthesizeStage('dev', { override: { signingKeyGenerations: ['v1', 'v2'] } });
  }, synthesisTimeout);

  it('keeps the old key, moves the active alias to the new one', () => {
    const template = rotated.statefulTemplate;
    const keys = Object.keys(template.findResources('AWS::KMS::Key', { Properties: { KeySpec: 'ECC_NIST_P256' } }));
    expect(keys.sort()).toEqual([expect.stringMatching(/^TokenSigningKeyv1/), expect.stringMatching(/^TokenSigningKeyv2/)]);
    template.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/latchkey-dev-token-signing',
      TargetKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^TokenSigningKeyv2'), 'Arn'] },
    });
  });

  it('signs with the new key and publishes both while they overlap', () => {
    const template = rotated.statelessTemplate;
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'latchkey-dev-jwks',
      Environment: {
        Variables: Match.objectLike({
          [environmentVariables.signingKeyId]: { 'Fn::ImportValue': Match.stringLikeRegexp('TokenSigningKeyv2') },
          [environmentVariables.verificationKeyIds]: { 'Fn::ImportValue': Match.stringLikeRegexp('TokenSigningKeyv1') },
        }),
      },
    });
    const [jwksRead] = statementsAllowing(roleStatementsOf(template, 'latchkey-dev-jwks'), 'kms:GetPublicKey');
    expect(JSON.stringify(jwksRead?.Resource)).toMatch(/TokenSigningKeyv1.*TokenSigningKeyv2/);
    const [sign] = statementsAllowing(roleStatementsOf(template, 'latchkey-dev-assertion'), 'kms:Sign');
    expect(JSON.stringify(sign?.Resource)).not.toContain('TokenSigningKeyv1');
  });
});

describe('FIDO metadata root certificate', () => {
  const sizeOf = (variables: Record<string, unknown>): number =>
    // A CloudFormation reference (an ARN, the table name, the issuer URL) resolves to well under 100 characters.
    Object.entries(variables).reduce((size, [name, value]) => size + name.length + (typeof value === 'string' ? value.length : 100), 0);

  describe('configured', () => {
    let pem: string;
    let configured: SynthesizedStage;
    beforeAll(async () => {
      pem = await createTestRootPem();
      configured = synthesizeStage('prod', { override: { fidoMetadataRootCertificate: pem } });
    }, synthesisTimeout);

    it('is given to the refresh and admin functions only', () => {
      const functions = configured.statelessTemplate.findResources('AWS::Lambda::Function') as Resources;
      const holders = Object.values(functions)
        .filter((fn) => (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables[environmentVariables.mdsRootCertificate] === pem)
        .map((fn) => fn.Properties.FunctionName)
        .sort();
      expect(holders).toEqual(['latchkey-prod-admin', 'latchkey-prod-metadata-refresh']);
      const withVariable = Object.values(functions).filter(
        (fn) => environmentVariables.mdsRootCertificate in (fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables,
      );
      expect(withVariable).toHaveLength(2);
    });

    it('keeps every function\'s environment within Lambda\'s 4 KB', () => {
      const functions = configured.statelessTemplate.findResources('AWS::Lambda::Function') as Resources;
      for (const fn of Object.values(functions)) {
        const size = sizeOf((fn.Properties.Environment as { Variables: Record<string, unknown> }).Variables);
        expect(size, String(fn.Properties.FunctionName)).toBeLessThan(4096);
      }
    });

    it('synthesizes without the missing-root warning', () => {
      Annotations.fromStack(configured.stateless).hasNoWarning('*', Match.stringLikeRegexp('fidoMetadataRootCertificate'));
    });
  });

  it('missing in a production stage: synthesizes with a warning on the refresh function', { timeout: synthesisTimeout }, () => {
    const { stateless, stage } = synthesizedStage('prod');
    expect(stage.production).toBe(true);
    expect(stage.fidoMetadataRootCertificate).toBeUndefined();
    Annotations.fromStack(stateless).hasWarning(
      '/Latchkey-prod-Stateless/MetadataRefresh',
      Match.stringLikeRegexp('has no fidoMetadataRootCertificate: FIDO MDS is off'),
    );
  });

  it('missing outside production: no warning', { timeout: synthesisTimeout }, () => {
    Annotations.fromStack(synthesizedStage('dev').stateless).hasNoWarning('*', Match.stringLikeRegexp('fidoMetadataRootCertificate'));
  });
});

describe('leading-key prefixes', () => {
  it('cover every metadata item with MDS*, and no other item family starts with MDS', () => {
    const matchesMetadata = (partitionKey: string) => partitionKey.startsWith(leadingKeyPrefixes.metadata);
    expect([keys.metadataEntry('AAGUID#00000000-0000-0000-0000-000000000001'), keys.metadataEntry('KEYID#ab'), keys.metadataStatus(), keys.metadataIndex()].every((key) => matchesMetadata(key.pk))).toBe(true);
    const others = Object.entries(leadingKeyPrefixes).filter(([family]) => family !== 'metadata');
    for (const [family, prefix] of others) expect(matchesMetadata(prefix), family).toBe(false);
  });
});
