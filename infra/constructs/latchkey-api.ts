import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import {
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseType,
  RestApi,
  type IResource,
  type Method,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { routes, type FunctionName, type HttpMethod } from '../../shared/routes.ts';
import type { ValidatedStage } from '../stages/validate-stage-config.ts';

export interface LatchkeyApiProps {
  readonly stage: ValidatedStage;
}

/** Fields of one JSON access-log line; never headers or bodies (tokens, WebAuthn payloads). */
const accessLogFields = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  // The SigV4 caller of the admin routes; empty on public routes.
  userArn: '$context.identity.userArn',
  wafStatus: '$context.waf.status',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
  xrayTraceId: '$context.xrayTraceId',
};

/** An RFC 9457 body in the shape API.md promises, for responses API Gateway itself produces. */
const problemTemplate = (status: number | undefined, title: string, code: string, detail: string) => ({
  'application/json': JSON.stringify({ type: 'about:blank', title, ...(status === undefined ? {} : { status }), detail, code }),
});

/**
 * The REST API (REST, so AWS WAF can attach), built from the one route table. The API
 * exists before its methods so functions can be given its issuer URL: the RestApi resource
 * does not depend on methods, integrations or functions, so no cycle forms.
 */
export class LatchkeyApi extends Construct {
  readonly restApi: RestApi;
  readonly accessLogGroup: LogGroup;
  /** The stage's base URL without a trailing slash: the `iss` of every access token. */
  readonly tokenIssuer: string;
  private readonly stage: ValidatedStage;

  constructor(scope: Construct, id: string, props: LatchkeyApiProps) {
    super(scope, id);
    const { stage } = props;
    this.stage = stage;

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: stage.logRetention,
      removalPolicy: stage.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    this.restApi = new RestApi(this, 'RestApi', {
      restApiName: `latchkey-${stage.name}`,
      description: `Latchkey passwordless sign-in API (${stage.name})`,
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      // API Gateway logs through one role per account and region; keep it when a stack goes,
      // since other APIs in the account may rely on it.
      cloudWatchRole: true,
      cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN,
      deployOptions: {
        stageName: stage.name,
        throttlingRateLimit: stage.apiThrottling.rateLimit,
        throttlingBurstLimit: stage.apiThrottling.burstLimit,
        tracingEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        // Execution logs with data would record request bodies and Authorization headers.
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(accessLogFields)),
      },
    });

    const stack = Stack.of(this);
    this.tokenIssuer = `https://${this.restApi.restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${stage.name}`;

    // Responses API Gateway sends without reaching a function still speak problem+json.
    const problemJson = { 'Content-Type': "'application/problem+json'" };
    this.restApi.addGatewayResponse('Throttled', {
      type: ResponseType.THROTTLED,
      statusCode: '429',
      responseHeaders: problemJson,
      templates: problemTemplate(429, 'Too Many Requests', 'rate_limited', 'Request rate limit exceeded; retry later.'),
    });
    this.restApi.addGatewayResponse('RequestTooLarge', {
      type: ResponseType.REQUEST_TOO_LARGE,
      statusCode: '413',
      responseHeaders: problemJson,
      templates: problemTemplate(413, 'Payload Too Large', 'invalid_request', 'The request body is too large.'),
    });
    this.restApi.addGatewayResponse('ServerError', {
      type: ResponseType.DEFAULT_5XX,
      responseHeaders: problemJson,
      // No status in the body: this covers 500, 502 and 504 alike.
      templates: problemTemplate(undefined, 'Internal Server Error', 'internal', 'The request could not be completed.'),
    });

    Validations.of(this.restApi).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'Bodies are validated in the functions against the API schemas on purpose: every failed verify, malformed ' +
        'input included, must reach the function and emit a Sign-In Failed / Credential Registration Failed audit ' +
        'event (EVENTS.md); a gateway validator would drop those requests unaudited.',
    });
    Validations.of(this.restApi.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'The account-level role API Gateway itself assumes to write access and execution logs; this AWS managed ' +
        'policy is the documented one for it and covers log groups API Gateway creates by name.',
    });
    if (!stage.firewall.enabled) {
      Validations.of(this.restApi.deploymentStage).acknowledge({
        id: 'AwsSolutions-APIG3',
        reason: `AWS WAF is a stage setting (firewall.enabled) and is off in "${stage.name}", a sandbox kept cheap; staging and prod attach a web ACL.`,
      });
    }
  }

  /** Adds a method per route, each integrated with its function; CORS preflight on public resources. */
  addRoutes(handlers: Readonly<Record<FunctionName, IFunction>>): void {
    const integrations = new Map<FunctionName, LambdaIntegration>();
    const integrationFor = (name: FunctionName): LambdaIntegration => {
      let integration = integrations.get(name);
      if (!integration) {
        // allowTestInvoke off: one invoke permission per method instead of two.
        integration = new LambdaIntegration(handlers[name], { proxy: true, allowTestInvoke: false });
        integrations.set(name, integration);
      }
      return integration;
    };

    const publicMethodsByResource = new Map<IResource, HttpMethod[]>();
    for (const route of routes) {
      const resource = this.restApi.root.resourceForPath(route.path);
      const method = resource.addMethod(route.method, integrationFor(route.function), {
        authorizationType: route.authorization === 'iam' ? AuthorizationType.IAM : AuthorizationType.NONE,
      });
      if (route.authorization === 'public') {
        publicMethodsByResource.set(resource, [...(publicMethodsByResource.get(resource) ?? []), route.method]);
        acknowledgePublicMethod(method, `${route.method} ${route.path} is a public WebAuthn endpoint; any bearer token or enrollment code is checked by the use case.`);
      } else {
        Validations.of(method).acknowledge({
          id: 'AwsSolutions-COG4',
          reason: `${route.method} ${route.path} is an admin route authorised with IAM (SigV4), not a Cognito user pool.`,
        });
      }
    }

    for (const [resource, methods] of publicMethodsByResource) {
      resource.addCorsPreflight({
        allowOrigins: [...this.stage.allowedOrigins],
        allowMethods: [...methods],
        allowHeaders: ['Content-Type', 'Authorization'],
        // Bearer tokens travel in a header, never cookies.
        allowCredentials: false,
        maxAge: Duration.hours(1),
        statusCode: 204,
      });
    }
  }
}

const acknowledgePublicMethod = (method: Method, why: string): void => {
  Validations.of(method).acknowledge({ id: 'AwsSolutions-APIG4', reason: why });
  Validations.of(method).acknowledge({ id: 'AwsSolutions-COG4', reason: `${why} Latchkey is the sign-in service, so no Cognito user pool fronts it.` });
};
