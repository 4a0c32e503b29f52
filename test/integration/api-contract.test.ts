import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiContract } from '../../shared/http/api-contract.ts';
import type { RouteKey } from '../../shared/routes.ts';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { startTestStage, type TestStage } from '../support/local-stage.ts';

/**
 * The responses the real handlers give match the contract the OpenAPI document publishes, so
 * docs/openapi.json stays in step with the code, not only with itself.
 */
let stage: TestStage;
beforeAll(async () => {
  stage = await startTestStage();
});
afterAll(async () => {
  await stage?.close();
});

const conforms = (route: RouteKey, response: { status: number; body: unknown }) => {
  const contract = apiContract[route];
  expect(response.status, JSON.stringify(response.body)).toBe(contract.status);
  if ('response' in contract && contract.response) {
    const parsed = contract.response.safeParse(response.body);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  }
};

describe('the handlers answer as the contract says', () => {
  it('for the public routes', async () => {
    const authenticator = new SoftAuthenticator({ origin: stage.url });
    const registrationOptions = await stage.call('POST', '/v1/registration/options', { body: { username: 'contract-user' } });
    conforms('POST /v1/registration/options', registrationOptions);
    const registered = await stage.call('POST', '/v1/registration/verify', { body: { response: authenticator.register(registrationOptions.body.options) } });
    conforms('POST /v1/registration/verify', registered);
    const signInOptions = await stage.call('POST', '/v1/authentication/options', { body: {} });
    conforms('POST /v1/authentication/options', signInOptions);
    const signedIn = await stage.call('POST', '/v1/authentication/verify', { body: { response: authenticator.authenticate(signInOptions.body.options) } });
    conforms('POST /v1/authentication/verify', signedIn);
    const token = signedIn.body.accessToken as string;
    conforms('GET /v1/credentials', await stage.call('GET', '/v1/credentials', { token }));
    conforms('PATCH /v1/credentials/{credentialId}', await stage.call('PATCH', `/v1/credentials/${registered.body.credential.id}`, { token, body: { nickname: 'Contract key' } }));
    conforms('GET /.well-known/jwks.json', await stage.call('GET', '/.well-known/jwks.json'));
    conforms('DELETE /v1/credentials/{credentialId}', await stage.call('DELETE', `/v1/credentials/${registered.body.credential.id}`, { token }));
  });

  it('for the admin routes', async () => {
    const token = stage.adminToken;
    conforms('GET /v1/admin/policy', await stage.call('GET', '/v1/admin/policy', { token }));
    const created = await stage.call('POST', '/v1/admin/users', { token, body: { username: 'contract-admin-user', groups: ['pilot'] } });
    conforms('POST /v1/admin/users', created);
    conforms('GET /v1/admin/users', await stage.call('GET', '/v1/admin/users?username=contract-admin-user', { token }));
    conforms('GET /v1/admin/users/{userId}', await stage.call('GET', `/v1/admin/users/${created.body.id}`, { token }));
    conforms('PATCH /v1/admin/users/{userId}', await stage.call('PATCH', `/v1/admin/users/${created.body.id}`, { token, body: { displayName: 'Contract' } }));
    conforms('POST /v1/admin/users/{userId}/enrollment-codes', await stage.call('POST', `/v1/admin/users/${created.body.id}/enrollment-codes`, { token, body: {} }));
    conforms('GET /v1/admin/users/{userId}/credentials', await stage.call('GET', `/v1/admin/users/${created.body.id}/credentials`, { token }));
    conforms('DELETE /v1/admin/users/{userId}', await stage.call('DELETE', `/v1/admin/users/${created.body.id}`, { token }));
  });
});
