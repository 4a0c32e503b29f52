import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import * as z from '../zod.ts';
import type { $ZodType } from 'zod/v4/core';
import { InvalidRequestError, LatchkeyError, MethodNotAllowedError, PayloadTooLargeError } from '../errors.ts';
import type { AuditLog, Clock } from '../ports.ts';
import type { RequestContext } from '../domain/types.ts';
import { findRoute, type Route } from '../routes.ts';
import { buildEvent } from '../events/build-event.ts';
import { bearerTokenFrom } from '../tokens/access-token.ts';
import { corsHeaders } from './cors.ts';
import { describeZodError, toProblem, unavailableProblem } from './problem.ts';
import { logger, metrics, tracer } from './observability.ts';

/** API.md: bodies are at most 64 KiB. */
export const maxBodyBytes = 64 * 1024;

export interface HttpRequest {
  /** Parsed JSON body, not yet validated: operations parse it with their schema. */
  body: unknown;
  /** Header names in lower case. */
  headers: Record<string, string>;
  pathParameters: Record<string, string>;
  query: Record<string, string>;
  context: RequestContext;
  /** The caller API Gateway's IAM authoriser verified (its ARN); locally `local-admin`. Only on `iam` routes. */
  principal: string | undefined;
  /** The bearer token if an Authorization header was sent (401 if it is malformed). */
  bearerToken(): string | undefined;
}

export interface HttpResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type Operation = (request: HttpRequest) => Promise<HttpResult>;

export interface HttpHandlerSettings {
  stage: string;
  allowedOrigins: readonly string[];
  clock: Clock;
  /** Where failure events go, for routes that declare one. */
  audit?: AuditLog | undefined;
}

/** Validates a body or parameter with its schema; what is wrong becomes a 400 naming the field. */
export const parseWith = <S extends $ZodType>(schema: S, value: unknown): z.infer<S> => {
  const result = z.safeParse(schema, value);
  if (!result.success) throw new InvalidRequestError(describeZodError(result.error), { reason: 'malformed_response' });
  return result.data;
};

const lowerCaseHeaders = (headers: APIGatewayProxyEvent['headers'] | null): Record<string, string> =>
  Object.fromEntries(Object.entries(headers ?? {}).flatMap(([name, value]) => (value === undefined ? [] : [[name.toLowerCase(), value]])));

const parseJsonBody = (event: APIGatewayProxyEvent): unknown => {
  if (event.body === null || event.body === undefined || event.body === '') return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text, 'utf8') > maxBodyBytes) {
    throw new PayloadTooLargeError(`The body is larger than ${maxBodyBytes} bytes.`, { reason: 'malformed_response' });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidRequestError('The body is not valid JSON.', { reason: 'malformed_response' });
  }
};

const jsonResponse = (status: number, body: unknown, headers: Record<string, string>, contentType = 'application/json'): APIGatewayProxyResult => ({
  statusCode: status,
  headers: {
    ...(body === undefined ? {} : { 'content-type': contentType }),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  },
  body: body === undefined ? '' : JSON.stringify(body),
});

interface State {
  route?: Route | undefined;
  context?: RequestContext | undefined;
  origin?: string | undefined;
}

/**
 * Turns any error into problem+json (the one error mapper), and records a failure event for
 * the routes that declare one, so every refused ceremony reaches the audit log.
 */
const problemResponses = (settings: HttpHandlerSettings, state: WeakMap<Context, State>): MiddlewareObj<APIGatewayProxyEvent, APIGatewayProxyResult> => ({
  onError: async (request) => {
    const { route, context, origin } = state.get(request.context) ?? {};
    const error = request.error;
    const problem = toProblem(error);
    if (problem.status >= 500) {
      logger.error('Request failed', { error, route: route && `${route.method} ${route.path}` });
    } else {
      logger.info('Request refused', { code: problem.code, reason: error instanceof LatchkeyError ? error.reason : undefined, status: problem.status });
    }
    metrics.addMetric(problem.status >= 500 ? 'ServerError' : 'ClientError', MetricUnit.Count, 1);

    if (problem.status < 500 && route?.failureEvent && context && settings.audit) {
      const subject = error instanceof LatchkeyError ? error.subject : undefined;
      const event = buildEvent(
        route.failureEvent,
        {
          actor: subject?.user ? { type: 'user', userId: subject.user.id } : { type: 'anonymous' },
          outcome: 'failure',
          reason: (error instanceof LatchkeyError ? error.reason : undefined) ?? 'malformed_response',
          ...(subject?.user ? { user: subject.user } : {}),
          ...(subject?.credential ? { credential: subject.credential } : {}),
        },
        context,
        settings.clock,
      );
      try {
        await settings.audit.record(event);
      } catch (auditError) {
        // A failure that cannot be audited is not answered as if it were: the client retries.
        logger.error('Could not record the failure event', { error: auditError, detailType: route.failureEvent });
        request.response = jsonResponse(503, unavailableProblem(), corsHeaders(origin, settings.allowedOrigins), 'application/problem+json');
        return;
      }
    }
    request.response = jsonResponse(problem.status, problem, corsHeaders(origin, settings.allowedOrigins), 'application/problem+json');
  },
});

/**
 * A Lambda handler for one function: Powertools logger, metrics and tracer, the problem
 * mapper, and a dispatch table from route key to operation. Handlers stay thin adapters.
 */
export const createHttpHandler = (operations: Record<string, Operation>, settings: HttpHandlerSettings) => {
  const state = new WeakMap<Context, State>();
  return middy<APIGatewayProxyEvent, APIGatewayProxyResult>()
    // Never the event: bodies carry enrollment codes and admin responses issue them.
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(logMetrics(metrics))
    .use(problemResponses(settings, state))
    .handler(async (event, lambdaContext) => {
      const headers = lowerCaseHeaders(event.headers);
      const context: RequestContext = {
        requestId: event.requestContext?.requestId ?? lambdaContext.awsRequestId,
        stage: settings.stage,
        client: {
          ip: event.requestContext?.identity?.sourceIp ?? 'unknown',
          userAgent: (headers['user-agent'] ?? '').slice(0, 512),
          ...(headers.origin ? { origin: headers.origin.slice(0, 256) } : {}),
        },
      };
      const route = findRoute(event.httpMethod, event.resource);
      state.set(lambdaContext, { route, context, origin: headers.origin });
      const operation = operations[`${event.httpMethod} ${event.resource}`];
      if (!route || !operation) throw new MethodNotAllowedError(`${event.httpMethod} ${event.resource} is not served here.`);

      const result = await operation({
        body: parseJsonBody(event),
        headers,
        pathParameters: Object.fromEntries(Object.entries(event.pathParameters ?? {}).flatMap(([key, value]) => (value === undefined ? [] : [[key, value]]))),
        query: Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).flatMap(([key, value]) => (value === undefined ? [] : [[key, value]]))),
        context,
        principal: route.authorization === 'iam' ? (event.requestContext?.identity?.userArn ?? undefined) : undefined,
        bearerToken: () => bearerTokenFrom(headers.authorization),
      });
      metrics.addMetric('Success', MetricUnit.Count, 1);
      return jsonResponse(result.status, result.body, { ...corsHeaders(headers.origin, settings.allowedOrigins), ...result.headers });
    });
};
