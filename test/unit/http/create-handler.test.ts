import { describe, expect, it, vi } from 'vitest';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { z } from 'zod';

vi.hoisted(() => {
  // Powertools reads these when observability.ts is imported: no EMF output or logs in the test run.
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_TRACE_ENABLED = 'false';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
});

import {
  ConflictError,
  InvalidRequestError,
  LatchkeyError,
  NotFoundError,
  PolicyDeniedError,
  RateLimitedError,
  ReauthenticationRequiredError,
  UnauthorizedError,
  VerificationFailedError,
} from '../../../shared/errors.ts';
import { createHttpHandler, maxBodyBytes, parseWith, type HttpHandlerSettings, type HttpRequest, type Operation } from '../../../shared/http/create-handler.ts';
import { memoryClock } from '../../../shared/adapters/memory/memory-ports.ts';
import { routes } from '../../../shared/routes.ts';
import type { AuditEvent } from '../../../shared/events/catalog.ts';
import { detailSchemas } from '../../../shared/events/catalog.ts';

const allowedOrigin = 'https://app.example.com';

const apiEvent = (
  method: string,
  resource: string,
  fields: { body?: string | null; headers?: Record<string, string>; isBase64Encoded?: boolean; pathParameters?: Record<string, string>; query?: Record<string, string> } = {},
): APIGatewayProxyEvent => ({
  resource,
  path: resource,
  httpMethod: method,
  headers: { 'User-Agent': 'unit-test/1.0', Origin: allowedOrigin, ...fields.headers },
  multiValueHeaders: {},
  queryStringParameters: fields.query ?? null,
  multiValueQueryStringParameters: null,
  pathParameters: fields.pathParameters ?? null,
  stageVariables: null,
  body: fields.body ?? null,
  isBase64Encoded: fields.isBase64Encoded ?? false,
  requestContext: {
    accountId: '123456789012',
    apiId: 'api',
    authorizer: null,
    httpMethod: method,
    path: resource,
    protocol: 'HTTP/1.1',
    requestId: 'apigw-request-7',
    requestTimeEpoch: 0,
    resourceId: 'r',
    resourcePath: resource,
    stage: 'test',
    identity: {
      accessKey: null,
      accountId: null,
      apiKey: null,
      apiKeyId: null,
      caller: null,
      clientCert: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: '198.51.100.23',
      user: null,
      userAgent: 'unit-test/1.0',
      userArn: null,
    },
  },
});

const lambdaContext = (): Context => ({
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'latchkey-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:latchkey-test',
  memoryLimitInMB: '256',
  awsRequestId: 'lambda-request-1',
  logGroupName: '/aws/lambda/latchkey-test',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
});

/** A handler whose routes all run `operation`, with an audit log that keeps what it is given. */
const handlerFor = (operation: Operation, audit: HttpHandlerSettings['audit'] | 'none' = undefined) => {
  const recorded: AuditEvent[] = [];
  const auditLog = audit === 'none' ? undefined : audit ?? { record: async (event: AuditEvent) => void recorded.push(event) };
  const operations = Object.fromEntries(routes.map((route) => [`${route.method} ${route.path}`, operation]));
  const handler = createHttpHandler(operations, { stage: 'test', allowedOrigins: [allowedOrigin], clock: memoryClock(), audit: auditLog });
  const invoke = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => handler(event, lambdaContext());
  return { invoke, recorded };
};

const problemOf = (result: APIGatewayProxyResult) => JSON.parse(result.body) as Record<string, unknown>;

const expectProblem = (result: APIGatewayProxyResult, status: number, code: string) => {
  expect(result.statusCode).toBe(status);
  expect(result.headers?.['content-type']).toBe('application/problem+json');
  const problem = problemOf(result);
  expect(Object.keys(problem).sort()).toEqual(['code', 'detail', 'status', 'title', 'type']);
  expect(problem).toMatchObject({ status, code, type: `urn:latchkey:problem:${code}` });
  return problem;
};

const throwing = (error: unknown): Operation => async () => {
  throw error;
};

describe('createHttpHandler: errors that are not Latchkey\'s', () => {
  const leaky = Object.assign(new Error('ConditionalCheckFailed on table prod-latchkey at /var/task/index.mjs:42 secret=hunter2'), {
    name: 'ResourceNotFoundException',
    $metadata: { httpStatusCode: 400, requestId: 'AWS-REQ-ID-123' },
  });

  it.each([
    ['an Error whose message names a table, a path and a secret', leaky],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a thrown string', 'raw string failure /home/app/shared/x.ts'],
    ['a thrown object', { message: 'object failure', stack: 'at Object.<anonymous> (/srv/app.js:1:1)' }],
  ])('answer %s with a generic 500 that leaks nothing, and record no failure event', async (_, error) => {
    // Prepare
    const { invoke, recorded } = handlerFor(throwing(error));

    // Act
    const result = await invoke(apiEvent('POST', '/v1/authentication/verify', { body: '{}' }));

    // Assess
    const problem = expectProblem(result, 500, 'internal');
    expect(result.body).not.toMatch(/hunter2|prod-latchkey|\/var\/task|\/home\/|\/srv\/|AWS-REQ-ID|ConditionalCheck|ResourceNotFound|TypeError|Cannot read|object failure|raw string|\bat /);
    expect(problem.detail).not.toBe('');
    expect(recorded).toEqual([]);
  });

  it('answers a throttled AWS call with 503 unavailable', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException' });
    const { invoke } = handlerFor(throwing(throttled));

    // Act
    const result = await invoke(apiEvent('GET', '/v1/credentials'));

    // Assess
    expectProblem(result, 503, 'unavailable');
    expect(result.body).not.toContain('throughput');
  });
});

describe('createHttpHandler: Latchkey errors', () => {
  it.each([
    [new InvalidRequestError('username: Too big'), 400, 'invalid_request'],
    [new VerificationFailedError('The signature did not verify.'), 400, 'verification_failed'],
    [new UnauthorizedError('The access token is not valid.'), 401, 'unauthorized'],
    [new PolicyDeniedError('Security-key sign-in is turned off.'), 403, 'policy_denied'],
    [new ReauthenticationRequiredError('Sign in again.'), 403, 'reauthentication_required'],
    [new NotFoundError('No key with that id on this account.'), 404, 'not_found'],
    [new ConflictError('That username is taken.'), 409, 'conflict'],
    [new RateLimitedError('Slow down.'), 429, 'rate_limited'],
  ] as [LatchkeyError, number, string][])('maps %s to its status and code, with its message as detail', async (error, status, code) => {
    // Prepare
    const { invoke } = handlerFor(throwing(error));

    // Act
    const result = await invoke(apiEvent('GET', '/v1/credentials'));

    // Assess
    const problem = expectProblem(result, status, code);
    expect(problem).toMatchObject({ detail: error.message, title: error.title });
  });

  it('maps a schema failure from parseWith to 400 naming the field but not the value', async () => {
    // Prepare
    const schema = z.strictObject({ nickname: z.string().max(5) });
    const { invoke } = handlerFor(async (request) => ({ status: 200, body: parseWith(schema, request.body) }));

    // Act
    const result = await invoke(apiEvent('PATCH', '/v1/credentials/{credentialId}', { body: JSON.stringify({ nickname: 'sensitive-value-xyz' }) }));

    // Assess
    const problem = expectProblem(result, 400, 'invalid_request');
    expect(problem.detail).toContain('nickname');
    expect(result.body).not.toContain('sensitive-value-xyz');
  });

  it.each([
    ['malformed JSON', '{"username": '],
    ['JSON with a trailing comma', '{"a":1,}'],
    ['plain text', 'not json at all'],
  ])('answers %s with 400 invalid_request', async (_, body) => {
    // Prepare
    const { invoke } = handlerFor(async () => ({ status: 200, body: {} }));

    // Act
    const result = await invoke(apiEvent('POST', '/v1/authentication/options', { body }));

    // Assess
    expectProblem(result, 400, 'invalid_request');
  });

  it('refuses a body over 64 KiB with 413 and accepts one of exactly 64 KiB, also when API Gateway base64-encoded it', async () => {
    // Prepare
    const seen: unknown[] = [];
    const { invoke } = handlerFor(async (request) => {
      seen.push(request.body);
      return { status: 200, body: { ok: true } };
    });
    const exact = JSON.stringify({ padding: 'x'.repeat(maxBodyBytes - '{"padding":""}'.length) });
    const over = JSON.stringify({ padding: 'x'.repeat(maxBodyBytes) });

    // Act
    const accepted = await invoke(apiEvent('POST', '/v1/authentication/options', { body: Buffer.from(exact).toString('base64'), isBase64Encoded: true }));
    const refused = await invoke(apiEvent('POST', '/v1/authentication/options', { body: over }));
    const refusedEncoded = await invoke(apiEvent('POST', '/v1/authentication/options', { body: Buffer.from(over).toString('base64'), isBase64Encoded: true }));

    // Assess
    expect(Buffer.byteLength(exact)).toBe(maxBodyBytes);
    expect(accepted.statusCode).toBe(200);
    expect(seen).toEqual([JSON.parse(exact)]);
    expectProblem(refused, 413, 'payload_too_large');
    expectProblem(refusedEncoded, 413, 'payload_too_large');
  });

  it('answers a route this function does not serve with 405', async () => {
    // Prepare
    const handler = createHttpHandler({ 'GET /v1/credentials': async () => ({ status: 200, body: {} }) }, { stage: 'test', allowedOrigins: [], clock: memoryClock() });

    // Act
    const other = await handler(apiEvent('DELETE', '/v1/credentials/{credentialId}'), lambdaContext());
    const unknown = await handler(apiEvent('GET', '/v1/secrets'), lambdaContext());

    // Assess
    expectProblem(other, 405, 'method_not_allowed');
    expectProblem(unknown, 405, 'method_not_allowed');
  });
});

describe('createHttpHandler: successful responses and the request given to operations', () => {
  it('passes lower-cased headers, parameters, query, request context and the bearer token; answers JSON with no-store', async () => {
    // Prepare
    let received: HttpRequest | undefined;
    let token: string | undefined;
    const { invoke } = handlerFor(async (request) => {
      received = request;
      token = request.bearerToken();
      return { status: 200, body: { renamed: true } };
    });
    const longAgent = 'A'.repeat(600);

    // Act
    const result = await invoke(
      apiEvent('PATCH', '/v1/credentials/{credentialId}', {
        body: '{"nickname":"Desk"}',
        headers: { Authorization: 'Bearer aaa.bbb.ccc', 'User-Agent': longAgent, 'X-Custom': 'yes' },
        pathParameters: { credentialId: 'Y3JlZA' },
        query: { verbose: '1' },
      }),
    );

    // Assess
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    expect(JSON.parse(result.body)).toEqual({ renamed: true });
    expect(token).toBe('aaa.bbb.ccc');
    expect(received?.body).toEqual({ nickname: 'Desk' });
    expect(received?.headers['x-custom']).toBe('yes');
    expect(received?.pathParameters).toEqual({ credentialId: 'Y3JlZA' });
    expect(received?.query).toEqual({ verbose: '1' });
    expect(received?.context).toEqual({
      requestId: 'apigw-request-7',
      stage: 'test',
      client: { ip: '198.51.100.23', userAgent: 'A'.repeat(512), origin: allowedOrigin },
    });
  });

  it('answers 204 with an empty body and no content-type', async () => {
    // Prepare
    const { invoke } = handlerFor(async () => ({ status: 204 }));

    // Act
    const result = await invoke(apiEvent('DELETE', '/v1/credentials/{credentialId}'));

    // Assess
    expect(result.statusCode).toBe(204);
    expect(result.body).toBe('');
    expect(result.headers?.['content-type']).toBeUndefined();
  });

  it('refuses a malformed Authorization header with 401 when the operation asks for the token', async () => {
    // Prepare
    const { invoke } = handlerFor(async (request) => ({ status: 200, body: { token: request.bearerToken() } }));

    // Act
    const result = await invoke(apiEvent('GET', '/v1/credentials', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } }));

    // Assess
    expectProblem(result, 401, 'unauthorized');
  });
});

describe('createHttpHandler: CORS', () => {
  it.each([
    ['a success', async () => ({ status: 200, body: {} })],
    ['a refusal', throwing(new UnauthorizedError('no'))],
    ['a crash', throwing(new Error('boom'))],
  ] as [string, Operation][])('allows only the configured origins, on %s', async (_, operation) => {
    // Prepare
    const { invoke } = handlerFor(operation);

    // Act
    const allowed = await invoke(apiEvent('GET', '/v1/credentials', { headers: { Origin: allowedOrigin } }));
    const foreign = await invoke(apiEvent('GET', '/v1/credentials', { headers: { Origin: 'https://evil.example' } }));
    const lookalike = await invoke(apiEvent('GET', '/v1/credentials', { headers: { Origin: `${allowedOrigin}.evil.example` } }));

    // Assess
    expect(allowed.headers?.['access-control-allow-origin']).toBe(allowedOrigin);
    expect(allowed.headers?.vary).toBe('Origin');
    expect(foreign.headers?.['access-control-allow-origin']).toBeUndefined();
    expect(lookalike.headers?.['access-control-allow-origin']).toBeUndefined();
    expect(foreign.headers?.vary).toBe('Origin');
  });
});

describe('createHttpHandler: failure events', () => {
  it('records the route\'s failure event with the error\'s reason, user, key and the request context', async () => {
    // Prepare
    const subject = {
      user: { id: 'dXNlcg', username: 'ada' },
      credential: { id: 'Y3JlZA', aaguid: '00000000-0000-0000-0000-000000000000', userVerified: true, backupEligible: false, backedUp: false, transports: ['usb'] },
    };
    const { invoke, recorded } = handlerFor(throwing(new VerificationFailedError('The signature did not verify.', { reason: 'signature_invalid', subject })));

    // Act
    const result = await invoke(apiEvent('POST', '/v1/authentication/verify', { body: '{}' }));

    // Assess
    expectProblem(result, 400, 'verification_failed');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({
      detailType: 'Sign-In Failed',
      detail: {
        outcome: 'failure',
        reason: 'signature_invalid',
        actor: { type: 'user', userId: 'dXNlcg' },
        user: subject.user,
        credential: subject.credential,
        requestId: 'apigw-request-7',
        stage: 'test',
        client: { ip: '198.51.100.23', userAgent: 'unit-test/1.0', origin: allowedOrigin },
      },
    });
    expect(detailSchemas['Sign-In Failed'].safeParse(recorded[0]?.detail).success).toBe(true);
  });

  it.each(routes.filter((route) => route.authorization === 'public').map((route) => [`${route.method} ${route.path}`, route] as const))(
    'on %s: records its declared failure event for malformed JSON, as an anonymous malformed_response',
    async (_, route) => {
      // Prepare
      const { invoke, recorded } = handlerFor(async (request) => ({ status: 200, body: request.body ?? null }));

      // Act
      const result = await invoke(apiEvent(route.method, route.path, { body: '{"broken"' }));

      // Assess
      expectProblem(result, 400, 'invalid_request');
      const declared = 'failureEvent' in route ? route.failureEvent : undefined;
      expect(recorded.map((event) => event.detailType)).toEqual(declared ? [declared] : []);
      if (declared) expect(recorded[0]?.detail).toMatchObject({ outcome: 'failure', reason: 'malformed_response', actor: { type: 'anonymous' } });
    },
  );

  it('answers 503 unavailable, not the refusal, when the failure event cannot be written', async () => {
    // Prepare
    const failingAudit = { record: async () => Promise.reject(new Error('TransactionCanceledException: table latchkey-prod')) };
    const { invoke } = handlerFor(throwing(new VerificationFailedError('The challenge has expired.', { reason: 'challenge_expired' })), failingAudit);

    // Act
    const result = await invoke(apiEvent('POST', '/v1/registration/verify', { body: '{}' }));

    // Assess
    expectProblem(result, 503, 'unavailable');
    expect(result.headers?.['access-control-allow-origin']).toBe(allowedOrigin);
    expect(result.body).not.toMatch(/TransactionCanceled|latchkey-prod|challenge has expired/);
  });

  it('still answers a refusal on a route without a failure event when the audit log is down, as it is never asked', async () => {
    // Prepare
    const failingAudit = { record: async () => Promise.reject(new Error('down')) };
    const { invoke } = handlerFor(throwing(new NotFoundError('No key with that id on this account.')), failingAudit);

    // Act
    const result = await invoke(apiEvent('DELETE', '/v1/credentials/{credentialId}'));

    // Assess
    expectProblem(result, 404, 'not_found');
  });
});
