import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type * as z from '../../../shared/zod.ts';
import { buildOpenApiDocument } from '../../../shared/http/openapi.ts';
import { credentialShape, userShape } from '../../../shared/http/api-contract.ts';
import { routes } from '../../../shared/routes.ts';
import type { Credential, User } from '../../../shared/domain/types.ts';

const committed = JSON.parse(readFileSync(new URL('../../../docs/openapi.json', import.meta.url), 'utf8')) as ReturnType<typeof buildOpenApiDocument>;
const version = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

describe('the OpenAPI document (docs/openapi.json)', () => {
  it('is exactly what scripts/generate-openapi.ts builds from the code (run it and commit if this fails)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildOpenApiDocument(version))));
  });

  it('has one operation per route of the route table, with the routes\' authorisation', () => {
    const operations = Object.entries(committed.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(operations.sort()).toEqual(routes.map((route) => `${route.method} ${route.path}`).sort());
    const adminOperation = committed.paths['/v1/admin/policy']?.get as { security: unknown[] };
    expect(adminOperation.security).toEqual([{ awsSigV4: [] }]);
  });

  it('describes request bodies with the handlers\' own schemas (e.g. the nickname limits)', () => {
    const rename = committed.paths['/v1/credentials/{credentialId}']?.patch as { requestBody: { content: { 'application/json': { schema: { properties: { nickname: { maxLength: number } } } } } } };
    expect(rename.requestBody.content['application/json'].schema.properties.nickname.maxLength).toBe(64);
  });

  it('declares response shapes equal to the domain types', () => {
    expectTypeOf<z.infer<typeof userShape>>().toEqualTypeOf<User>();
    expectTypeOf<z.infer<typeof credentialShape>>().toEqualTypeOf<Credential>();
  });
});
