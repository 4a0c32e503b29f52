import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { BackgroundFunctionName, FunctionName } from '../../shared/routes.ts';
import { functionEntry, nodejsBundlingOptions, projectRoot } from '../bundling.ts';
import type { ValidatedStage } from '../stages/validate-stage-config.ts';

export interface LatchkeyFunctionProps {
  readonly name: FunctionName | BackgroundFunctionName;
  readonly stage: ValidatedStage;
  readonly description: string;
  /** Latchkey's own variables (shared/runtime/variables.ts names); Powertools' are added here. */
  readonly environment: Readonly<Record<string, string>>;
  /** The only permissions the function gets beyond writing its own logs and traces. */
  readonly permissions: readonly PolicyStatement[];
  /** Defaults to 1024 MB: Lambda gives CPU in proportion, and verify is CPU-bound. */
  readonly memorySize?: number;
  readonly timeout?: Duration;
}

/**
 * The one way a Latchkey function is built: Node.js 22 on arm64, minified ESM bundle
 * (infra/bundling.ts), X-Ray tracing, JSON logs into its own log group with finite
 * retention, Powertools settings, and a role holding only the given permissions.
 */
export class LatchkeyFunction extends Construct {
  readonly handler: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: LatchkeyFunctionProps) {
    super(scope, id);
    const { name, stage } = props;
    const functionName = `latchkey-${stage.name}-${name}`;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: stage.logRetention,
      // Production keeps function logs for incident review after a stack is replaced.
      removalPolicy: stage.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs ${functionName}: its own log group and the permissions in infra/access/function-permissions.ts`,
    });
    // Instead of AWSLambdaBasicExecutionRole, which may write to every log group in the account.
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    for (const statement of props.permissions) this.role.addToPrincipalPolicy(statement);

    this.handler = new NodejsFunction(this, 'Function', {
      functionName,
      description: props.description,
      entry: functionEntry(name),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: join(projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      // Lambda filters application logs at the same level Powertools uses (LOG_LEVEL).
      applicationLogLevelV2: ApplicationLogLevel[stage.logLevel],
      systemLogLevelV2: SystemLogLevel.INFO,
      bundling: nodejsBundlingOptions,
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: 'latchkey',
        POWERTOOLS_METRICS_NAMESPACE: 'Latchkey',
        LOG_LEVEL: stage.logLevel,
        // Events and responses carry WebAuthn payloads and access tokens: never log or trace them.
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        POWERTOOLS_TRACER_CAPTURE_RESPONSE: 'false',
        // Stack traces point at the TypeScript sources through the bundled source map.
        NODE_OPTIONS: '--enable-source-maps',
      },
    });

    Validations.of(this.handler).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'Pinned to nodejs22.x on purpose: the bundles are built for it (esbuild target node22) and tested on it; ' +
        'moving to a newer runtime is a deliberate change with its own test run, not drift.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only the X-Ray statement CDK adds for active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords ' +
        'support no resource-level permissions. The stack tests assert no other statement uses Resource "*" ' +
        '(except dynamodb:ListStreams on the audit relay).',
    });
  }
}
