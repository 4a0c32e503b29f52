import * as z from '../zod.ts';
import { routes, type Route, type RouteKey } from '../routes.ts';
import { apiContract, problemShape, type RouteContract } from './api-contract.ts';

/**
 * The OpenAPI 3.1 document of the API, built from the route table and the contract (request
 * schemas are the handlers' own). scripts/generate-openapi.ts writes it to docs/openapi.json and
 * a unit test fails while the committed file differs.
 */
const jsonSchema = (schema: z.ZodMiniType, io: 'input' | 'output') => {
  const { $schema, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  void $schema;
  return rest;
};

const problem = { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };

const securityOf = (route: Route) => {
  if (route.authorization === 'iam') return [{ awsSigV4: [] }];
  if (route.path.startsWith('/v1/credentials')) return [{ bearer: [] }];
  if (route.path === '/v1/registration/options') return [{}, { bearer: [] }];
  return [];
};

export const buildOpenApiDocument = (version: string) => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes as readonly Route[]) {
    const key = `${route.method} ${route.path}` as RouteKey;
    const contract: RouteContract = apiContract[key];
    const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}.]/g, '').replace(/[/-](\w)/g, (_, letter: string) => letter.toUpperCase())}`,
      summary: contract.summary,
      tags: [route.function],
      ...(parameters.length > 0 ? { parameters } : {}),
      security: securityOf(route),
      ...(contract.request ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(contract.request, 'input') } } } } : {}),
      responses: {
        [String(contract.status)]: contract.response
          ? { description: 'Success', content: { 'application/json': { schema: jsonSchema(contract.response, 'output') } } }
          : { description: 'Success' },
        '4XX': problem,
        '5XX': problem,
      },
      ...(route.failureEvent ? { 'x-latchkey-failure-event': route.failureEvent } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Latchkey',
      version,
      description: 'Passwordless sign-in with FIDO2 security keys and passkeys. Generated from shared/routes.ts and shared/http/api-contract.ts; see docs/api.md.',
    },
    paths,
    components: {
      schemas: { Problem: jsonSchema(problemShape, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (ES256)' },
        awsSigV4: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS SigV4 (API Gateway AWS_IAM); locally Bearer <LOCAL_ADMIN_TOKEN>' },
      },
    },
  };
};
