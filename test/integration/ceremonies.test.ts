import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { startTestStage, type TestStage } from '../support/local-stage.ts';

let stage: TestStage;

beforeAll(async () => {
  stage = await startTestStage();
});
afterAll(async () => {
  await stage?.close();
});

const signUp = async (authenticator: SoftAuthenticator, username: string, displayName?: string) => {
  const options = await stage.call('POST', '/v1/registration/options', { body: { username, ...(displayName ? { displayName } : {}) } });
  expect(options.status).toBe(200);
  const response = authenticator.register(options.body.options);
  return stage.call('POST', '/v1/registration/verify', { body: { response } });
};

const signIn = async (authenticator: SoftAuthenticator, username?: string) => {
  const options = await stage.call('POST', '/v1/authentication/options', { body: username ? { username } : {} });
  expect(options.status).toBe(200);
  const response = authenticator.authenticate(options.body.options);
  return stage.call('POST', '/v1/authentication/verify', { body: { response } });
};

describe('self sign-up', () => {
  it('creates the user and the credential, and returns a token that verifies against the JWKS', async () => {
    // Prepare
    const authenticator = new SoftAuthenticator({ origin: stage.url, algorithm: 'ES256', transports: ['usb', 'nfc'] });

    // Act
    const result = await signUp(authenticator, 'Ada.Lovelace', 'Ada Lovelace');

    // Assess
    expect(result.status).toBe(201);
    expect(result.body.user).toMatchObject({ username: 'Ada.Lovelace', displayName: 'Ada Lovelace', groups: [], disabled: false });
    expect(result.body.user.id).toBe(authenticator.credentials()[0]?.userHandle);
    expect(result.body.credential).toMatchObject({
      id: authenticator.credentials()[0]?.id,
      nickname: 'Security key',
      transports: ['usb', 'nfc'],
      backupEligible: false,
      backedUp: false,
      attestation: { format: 'none', trusted: false },
    });
    expect(result.body.credential).not.toHaveProperty('publicKey');
    expect(result.body.tokenType).toBe('Bearer');
    const { payload, protectedHeader } = await jwtVerify(result.body.accessToken, createRemoteJWKSet(new URL(`${stage.url}/.well-known/jwks.json`)), {
      issuer: stage.url,
      audience: 'latchkey',
    });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({ sub: result.body.user.id, preferred_username: 'Ada.Lovelace', amr: ['hwk', 'user', 'mfa'] });
    expect(payload.exp! - payload.iat!).toBe(result.body.expiresIn);
  });

  it('refuses a username that differs only in case with 409 at options', async () => {
    await signUp(new SoftAuthenticator({ origin: stage.url }), 'grace');
    const second = await stage.call('POST', '/v1/registration/options', { body: { username: 'GRACE' } });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('conflict');
  });

  it.each(['EdDSA', 'ES256', 'RS256'] as const)('accepts %s keys and signs in with them', async (algorithm) => {
    const authenticator = new SoftAuthenticator({ origin: stage.url, algorithm });
    const registered = await signUp(authenticator, `user-${algorithm}`);
    expect(registered.status).toBe(201);
    const signedIn = await signIn(authenticator);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.user.username).toBe(`user-${algorithm}`);
  });
});

describe('sign-in', () => {
  it('signs in usernameless with the user taken from userHandle, and username-first', async () => {
    const authenticator = new SoftAuthenticator({ origin: stage.url });
    const registered = await signUp(authenticator, 'linus');

    const usernameless = await signIn(authenticator);
    expect(usernameless.status).toBe(200);
    expect(usernameless.body.user.id).toBe(registered.body.user.id);
    expect(usernameless.body.credential.lastUsedAt).toBeDefined();

    const usernameFirst = await signIn(authenticator, 'LINUS');
    expect(usernameFirst.status).toBe(200);
    expect(usernameFirst.body.user.username).toBe('linus');
  });

  it('lists the user\'s keys in allowCredentials for a username, and decoys of the same shape for an unknown one', async () => {
    const authenticator = new SoftAuthenticator({ origin: stage.url, transports: ['usb'] });
    await signUp(authenticator, 'known-user');

    const known = await stage.call('POST', '/v1/authentication/options', { body: { username: 'known-user' } });
    const unknown = await stage.call('POST', '/v1/authentication/options', { body: { username: 'nobody-here' } });
    const unknownAgain = await stage.call('POST', '/v1/authentication/options', { body: { username: 'nobody-here' } });

    expect(known.body.options.allowCredentials).toEqual([{ id: authenticator.credentials()[0]?.id, type: 'public-key', transports: ['usb'] }]);
    expect(Object.keys(unknown.body.options).sort()).toEqual(Object.keys(known.body.options).sort());
    expect(unknown.body.options.allowCredentials).toHaveLength(1);
    expect(Object.keys(unknown.body.options.allowCredentials[0]).sort()).toEqual(['id', 'transports', 'type']);
    // The same name always gets the same decoy, so asking twice reveals nothing.
    expect(unknownAgain.body.options.allowCredentials).toEqual(unknown.body.options.allowCredentials);
    expect(unknown.body.options.challenge).not.toBe(unknownAgain.body.options.challenge);
  });
});
