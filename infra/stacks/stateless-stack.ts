import { Annotations, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { FilterCriteria, FilterRule, StartingPosition, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { functionNames, type FunctionName } from '../../shared/routes.ts';
import { environmentVariables as variable } from '../../shared/runtime/variables.ts';
import { keys, tableSchema } from '../../shared/storage/table.ts';
import { functionPermissions } from '../access/function-permissions.ts';
import { ApiFirewall } from '../constructs/api-firewall.ts';
import { LatchkeyApi } from '../constructs/latchkey-api.ts';
import { LatchkeyFunction } from '../constructs/latchkey-function.ts';
import { MetadataRefreshSchedule } from '../constructs/metadata-refresh-schedule.ts';
import { Operations } from '../constructs/operations.ts';
import type { ValidatedStage } from '../stages/validate-stage-config.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface StatelessStackProps extends StackProps {
  readonly stage: ValidatedStage;
  readonly stateful: StatefulStack;
}

/** How long a policy read is trusted by a function (API.md: 10 s in AWS). */
const policyCacheSeconds = 10;

const apiFunctionDescriptions: Record<FunctionName, string> = {
  challenge: 'Registration and sign-in options: issues WebAuthn challenges',
  attestation: 'Registration verify: checks the attestation and stores the credential',
  assertion: 'Sign-in verify: checks the assertion and issues an access token',
  credentials: "A signed-in user's own credentials: list, rename, delete",
  jwks: 'Publishes the public keys that verify access tokens',
  admin: 'IAM-authorised administration: policy, users, enrollment codes, FIDO metadata status and refresh',
};

/**
 * The code: every function, the REST API in front of them, the audit relay on the table
 * stream, the daily FIDO metadata refresh and its schedule, the WAF web ACL where the stage
 * has one, alarms and the dashboard. It can be destroyed and redeployed without touching data.
 */
export class StatelessStack extends Stack {
  readonly api: LatchkeyApi;
  readonly apiFunctions: Readonly<Record<FunctionName, LatchkeyFunction>>;
  readonly auditRelay: LatchkeyFunction;
  readonly metadataRefresh: LatchkeyFunction;
  readonly metadataRefreshSchedule: MetadataRefreshSchedule;
  readonly firewall: ApiFirewall | undefined;
  readonly operations: Operations;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { stage, stateful } = props;
    this.addStackDependency(stateful, 'functions use the table, keys, bus and queue');

    this.api = new LatchkeyApi(this, 'Api', { stage });

    const olderSigningKeys = stateful.signingKeys.slice(0, -1);
    const environment: Record<string, string> = {
      [variable.stage]: stage.name,
      [variable.tableName]: stateful.table.tableName,
      [variable.rpId]: stage.relyingParty.id,
      [variable.rpName]: stage.relyingParty.name,
      [variable.allowedOrigins]: stage.allowedOrigins.join(','),
      [variable.tokenIssuer]: this.api.tokenIssuer,
      [variable.tokenAudience]: stage.tokenAudience,
      [variable.keySource]: 'kms',
      [variable.signingKeyId]: stateful.activeSigningKey.keyArn,
      // Left out when there is no rotation in progress (the runtime reads a missing list as empty).
      ...(olderSigningKeys.length > 0
        ? { [variable.verificationKeyIds]: olderSigningKeys.map((key) => key.keyArn).join(',') }
        : {}),
      [variable.hmacKeyId]: stateful.hmacKey.keyArn,
      [variable.policyDefaults]: JSON.stringify(stage.policy),
      [variable.policyCacheSeconds]: String(policyCacheSeconds),
    };

    const permissions = functionPermissions({
      tableArn: stateful.table.tableArn,
      activeSigningKeyArn: stateful.activeSigningKey.keyArn,
      signingKeyArns: stateful.signingKeys.map((key) => key.keyArn),
      hmacKeyArn: stateful.hmacKey.keyArn,
      eventBusArn: stateful.auditTrail.eventBus.eventBusArn,
    });

    this.apiFunctions = byFunctionName(
      (name) =>
        new LatchkeyFunction(this, constructIdOf(name), {
          name,
          stage,
          description: apiFunctionDescriptions[name],
          environment: name === 'admin' ? { ...environment, ...metadataEnvironmentOf(stage) } : environment,
          permissions: permissions[name],
          // A refresh on request downloads and stores a BLOB: up to API Gateway's 29-second limit.
          ...(name === 'admin' ? { timeout: Duration.seconds(29) } : {}),
        }),
    );
    const apiHandlers = byFunctionName<IFunction>((name) => this.apiFunctions[name].handler);
    this.api.addRoutes(apiHandlers);

    this.auditRelay = new LatchkeyFunction(this, 'AuditRelay', {
      name: 'audit-relay',
      stage,
      description: 'Publishes outbox items from the table stream to the audit event bus',
      environment: { ...environment, [variable.eventBusName]: stateful.auditTrail.eventBus.eventBusName },
      permissions: permissions['audit-relay'],
      memorySize: 512,
      timeout: Duration.seconds(60),
    });
    this.auditRelay.handler.addEventSource(
      new DynamoEventSource(stateful.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        retryAttempts: 10,
        onFailure: new SqsDlq(stateful.auditRelayDeadLetterQueue),
        // Only new outbox items reach the relay: no invocation for challenges, users or keys.
        filters: [
          FilterCriteria.filter({
            eventName: FilterRule.isEqual('INSERT'),
            dynamodb: { NewImage: { [tableSchema.partitionKey]: { S: FilterRule.beginsWith(keys.outboxPrefix) } } },
          }),
        ],
      }),
    );

    // FIDO metadata (docs/metadata.md): refreshed daily, and on demand through the admin API.
    // The refresh reads only the stage, the table and the MDS settings; it signs and hashes nothing.
    this.metadataRefresh = new LatchkeyFunction(this, 'MetadataRefresh', {
      name: 'metadata-refresh',
      stage,
      description: 'Downloads and verifies the FIDO MDS3 BLOB daily; flags keys of compromised models',
      environment: {
        [variable.stage]: stage.name,
        [variable.tableName]: stateful.table.tableName,
        ...metadataEnvironmentOf(stage),
      },
      permissions: permissions['metadata-refresh'],
      // A BLOB is a few megabytes; storing it is a few dozen batch writes (docs/metadata.md).
      memorySize: 512,
      timeout: Duration.minutes(5),
    });
    if (!stage.fidoMetadataRootCertificate && stage.production) {
      Annotations.of(this.metadataRefresh).addWarningV2(
        'latchkey:fidoMetadataRootMissing',
        `Stage "${stage.name}" has no fidoMetadataRootCertificate: FIDO MDS is off, the daily refresh reports "disabled", ` +
          'no attestation is trusted and enforceAttestation refuses every key (docs/deploy.md, FIDO metadata refresh).',
      );
    }
    this.metadataRefreshSchedule = new MetadataRefreshSchedule(this, 'MetadataRefreshSchedule', {
      stage,
      target: this.metadataRefresh.handler,
    });

    this.firewall = stage.firewall.enabled
      ? new ApiFirewall(this, 'Firewall', { stage, apiStage: this.api.restApi.deploymentStage })
      : undefined;

    this.operations = new Operations(this, 'Operations', {
      stage,
      apiStage: this.api.restApi.deploymentStage,
      apiFunctions: apiHandlers,
      auditRelay: this.auditRelay.handler,
      metadataRefresh: this.metadataRefresh.handler,
      metadataRefreshDeadLetterQueue: this.metadataRefreshSchedule.deadLetterQueue,
      auditRelayDeadLetterQueue: stateful.auditRelayDeadLetterQueue,
      auditTrail: stateful.auditTrail,
      alarmTopic: stateful.alarmTopic,
      ...(this.firewall ? { webAclName: this.firewall.webAclName } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.api.restApi.url, description: 'Base URL of the API stage' });
    new CfnOutput(this, 'TokenIssuer', { value: this.api.tokenIssuer, description: 'The iss claim of access tokens' });
    new CfnOutput(this, 'JwksUrl', {
      value: `${this.api.tokenIssuer}/.well-known/jwks.json`,
      description: 'Public keys that verify access tokens',
    });
    new CfnOutput(this, 'DashboardName', { value: this.operations.dashboard.dashboardName });
  }
}

/** The refresh's trust anchor, when the operator configured one (the admin function refreshes too). */
const metadataEnvironmentOf = (stage: ValidatedStage): Record<string, string> =>
  stage.fidoMetadataRootCertificate ? { [variable.mdsRootCertificate]: stage.fidoMetadataRootCertificate } : {};

/** One value per API function, keyed by its name. */
const byFunctionName = <T>(make: (name: FunctionName) => T): Record<FunctionName, T> =>
  Object.fromEntries(functionNames.map((name) => [name, make(name)])) as Record<FunctionName, T>;

/** `audit-relay` → `AuditRelay`, `challenge` → `Challenge`. */
const constructIdOf = (name: string): string =>
  name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
