import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { join } from 'node:path';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { outboxEvents, startTestStage, type TestStage } from '../support/local-stage.ts';
import { tokenSignedInAgo } from '../support/tokens.ts';
import { keys } from '../../shared/storage/table.ts';
import { createLocalSecretHasher, loadLocalSecret } from '../../shared/adapters/local/local-keys.ts';
import { enrollmentCodeItem } from '../../shared/adapters/dynamodb/items.ts';
import { enrollmentCodePurpose, normalizeEnrollmentCode } from '../../shared/use-cases/enrollment-code.ts';

let stage: TestStage;

beforeAll(async () => {
  stage = await startTestStage();
});
afterAll(async () => {
  await stage?.close();
});

let count = 0;
const signUp = async () => {
  const authenticator = new SoftAuthenticator({ origin: stage.url });
  const username = `member-${++count}`;
  const options = await stage.call('POST', '/v1/registration/options', { body: { username } });
  const result = await stage.call('POST', '/v1/registration/verify', { body: { response: authenticator.register(options.body.options) } });
  expect(result.status).toBe(201);
  return { authenticator, username, user: result.body.user, token: result.body.accessToken as string, credentialId: result.body.credential.id as string };
};

const signIn = async (authenticator: SoftAuthenticator, overrides = {}) => {
  const options = await stage.call('POST', '/v1/authentication/options', { body: {} });
  return stage.call('POST', '/v1/authentication/verify', { body: { response: authenticator.authenticate(options.body.options, overrides) } });
};

const addKey = async (token: string, authenticator: SoftAuthenticator, nickname?: string) => {
  const options = await stage.call('POST', '/v1/registration/options', { body: {}, token });
  if (options.status !== 200) return options;
  return stage.call('POST', '/v1/registration/verify', {
    body: { response: authenticator.register(options.body.options), ...(nickname ? { nickname } : {}) },
  });
};

/** Seeds an enrollment code the way the admin API stores it: only its keyed hash. */
const seedEnrollmentCode = async (userId: string, code: string, oneTime = true) => {
  const hasher = createLocalSecretHasher(loadLocalSecret(join(stage.dataDirectory, 'keys')));
  const codeHash = await hasher.hash(enrollmentCodePurpose, normalizeEnrollmentCode(code));
  await stage.documentClient.send(
    new PutCommand({
      TableName: stage.tableName,
      Item: enrollmentCodeItem({ codeHash, userId, expiresAt: Date.now() + 600_000, oneTime, createdAt: new Date().toISOString() }),
    }),
  );
  return codeHash;
};

describe('adding a key while signed in (self-service)', () => {
  it('lists existing keys in excludeCredentials and stores the new key under the same user', async () => {
    const { token, credentialId, user } = await signUp();

    const options = await stage.call('POST', '/v1/registration/options', { body: {}, token });
    expect(options.status).toBe(200);
    expect(options.body.options.excludeCredentials.map((credential: { id: string }) => credential.id)).toEqual([credentialId]);
    expect(options.body.options.user.id).toBe(user.id);

    const second = new SoftAuthenticator({ origin: stage.url });
    const added = await stage.call('POST', '/v1/registration/verify', { body: { response: second.register(options.body.options), nickname: 'Backup key' } });
    expect(added.status).toBe(201);
    expect(added.body.credential.nickname).toBe('Backup key');

    const list = await stage.call('GET', '/v1/credentials', { token });
    expect(list.body.credentials.map((credential: { nickname: string }) => credential.nickname).sort()).toEqual(['Backup key', 'Security key']);
    const registered = (await outboxEvents(stage)).filter((event) => event.detailType === 'Credential Registered').at(-1)?.detail;
    expect(registered).toMatchObject({ how: 'selfService', user: { id: user.id } });
  });

  it('needs a sign-in no older than stepUpMaxAgeSeconds (403 reauthentication_required)', async () => {
    const { user } = await signUp();
    const staleToken = await tokenSignedInAgo(stage, user, 301);

    const result = await stage.call('POST', '/v1/registration/options', { body: {}, token: staleToken });

    expect(result.status).toBe(403);
    expect(result.body.code).toBe('reauthentication_required');
  });

  it('refuses more than one authorisation at once, and none', async () => {
    const { token } = await signUp();
    expect((await stage.call('POST', '/v1/registration/options', { body: { username: 'x-both' }, token })).status).toBe(400);
    expect((await stage.call('POST', '/v1/registration/options', { body: { enrollmentCode: 'ABCD-EFGH' }, token })).status).toBe(400);
    expect((await stage.call('POST', '/v1/registration/options', { body: {} })).status).toBe(400);
  });

  it('refuses a key that is already registered with 409', async () => {
    const { token, authenticator, credentialId } = await signUp();
    const options = await stage.call('POST', '/v1/registration/options', { body: {}, token });

    const again = await stage.call('POST', '/v1/registration/verify', {
      body: { response: authenticator.register(options.body.options, { credentialId, ignoreExcludeCredentials: true }) },
    });

    expect(again.status).toBe(409);
    expect(again.body.code).toBe('conflict');
  });

  it('bounds the key count by maxCredentialsPerUser, checked in the transaction', async () => {
    const { token } = await signUp();
    await stage.documentClient.send(new PutCommand({ TableName: stage.tableName, Item: { ...keys.policy(), policy: { maxCredentialsPerUser: 2 } } }));
    try {
      // Two ceremonies started while the user has one key: both pass the options check.
      const first = await stage.call('POST', '/v1/registration/options', { body: {}, token });
      const second = await stage.call('POST', '/v1/registration/options', { body: {}, token });
      const finishFirst = await stage.call('POST', '/v1/registration/verify', { body: { response: new SoftAuthenticator({ origin: stage.url }).register(first.body.options) } });
      const finishSecond = await stage.call('POST', '/v1/registration/verify', { body: { response: new SoftAuthenticator({ origin: stage.url }).register(second.body.options) } });

      expect(finishFirst.status).toBe(201);
      expect(finishSecond.status).toBe(403);
      expect(finishSecond.body.code).toBe('policy_denied');
      expect((await stage.call('GET', '/v1/credentials', { token })).body.credentials).toHaveLength(2);
      const third = await stage.call('POST', '/v1/registration/options', { body: {}, token });
      expect(third.status).toBe(403);
    } finally {
      await stage.documentClient.send(new PutCommand({ TableName: stage.tableName, Item: { ...keys.policy(), policy: {} } }));
    }
  });
});

describe('enrolment with an enrollment code', () => {
  it('registers the first key of an existing user and uses a one-time code up only on success', async () => {
    const { user } = await signUp();
    const code = 'K7QM-9XT2-PLW4-RZ8D';
    const codeHash = await seedEnrollmentCode(user.id, code);

    // A failed ceremony does not burn the code.
    const failedOptions = await stage.call('POST', '/v1/registration/options', { body: { enrollmentCode: code } });
    expect(failedOptions.status).toBe(200);
    const failed = await stage.call('POST', '/v1/registration/verify', {
      body: { response: new SoftAuthenticator({ origin: 'https://evil.example' }).register(failedOptions.body.options) },
    });
    expect(failed.status).toBe(400);

    // People type codes in lower case and without dashes.
    const options = await stage.call('POST', '/v1/registration/options', { body: { enrollmentCode: 'k7qm9xt2plw4rz8d' } });
    expect(options.status).toBe(200);
    expect(options.body.options.user.id).toBe(user.id);
    const result = await stage.call('POST', '/v1/registration/verify', { body: { response: new SoftAuthenticator({ origin: stage.url }).register(options.body.options) } });
    expect(result.status).toBe(201);
    expect(result.body.user.id).toBe(user.id);

    const stored = await stage.documentClient.send(new GetCommand({ TableName: stage.tableName, Key: keys.enrollmentCode(codeHash) }));
    expect(stored.Item).toBeUndefined();
    const reuse = await stage.call('POST', '/v1/registration/options', { body: { enrollmentCode: code } });
    expect(reuse.status).toBe(401);
    const registered = (await outboxEvents(stage)).filter((event) => event.detailType === 'Credential Registered').at(-1)?.detail;
    expect(registered).toMatchObject({ how: 'enrollmentCode' });
    expect(JSON.stringify(await outboxEvents(stage))).not.toContain('K7QM');
  });

  it('answers an unknown code with 401 and no hint', async () => {
    const result = await stage.call('POST', '/v1/registration/options', { body: { enrollmentCode: 'AAAA-BBBB-CCCC-DDDD' } });
    expect(result.status).toBe(401);
    expect(result.body.code).toBe('unauthorized');
  });
});

describe('managing keys', () => {
  it('renames a key, refusing control characters and another user\'s key', async () => {
    const alice = await signUp();
    const bob = await signUp();

    const renamed = await stage.call('PATCH', `/v1/credentials/${alice.credentialId}`, { body: { nickname: 'Blue YubiKey' }, token: alice.token });
    expect(renamed.status).toBe(200);
    expect(renamed.body.nickname).toBe('Blue YubiKey');
    expect((await stage.call('PATCH', `/v1/credentials/${alice.credentialId}`, { body: { nickname: 'bad\u0007name' }, token: alice.token })).status).toBe(400);
    expect((await stage.call('PATCH', `/v1/credentials/${alice.credentialId}`, { body: { nickname: 'x'.repeat(65) }, token: alice.token })).status).toBe(400);
    const foreign = await stage.call('PATCH', `/v1/credentials/${alice.credentialId}`, { body: { nickname: 'mine now' }, token: bob.token });
    expect(foreign.status).toBe(404);
    const renamedEvent = (await outboxEvents(stage)).filter((event) => event.detailType === 'Credential Renamed').at(-1)?.detail;
    expect(renamedEvent).toMatchObject({ changes: { nickname: { before: 'Security key', after: 'Blue YubiKey' } } });
  });

  it('deletes a key, which can then never sign in again', async () => {
    const { authenticator, token, credentialId } = await signUp();
    const backup = new SoftAuthenticator({ origin: stage.url });
    expect((await addKey(token, backup)).status).toBe(201);

    const deleted = await stage.call('DELETE', `/v1/credentials/${credentialId}`, { token });

    expect(deleted.status).toBe(204);
    expect((await signIn(authenticator)).status).toBe(400);
    expect((await signIn(backup)).status).toBe(200);
    expect((await stage.call('DELETE', `/v1/credentials/${credentialId}`, { token })).status).toBe(404);
    const guard = await stage.documentClient.send(new GetCommand({ TableName: stage.tableName, Key: keys.credentialGuard(credentialId) }));
    expect(guard.Item).toBeUndefined();
  });

  it('needs a recent sign-in to delete a key', async () => {
    const { user, credentialId } = await signUp();
    const staleToken = await tokenSignedInAgo(stage, user, 3600);

    const result = await stage.call('DELETE', `/v1/credentials/${credentialId}`, { token: staleToken });

    expect(result.status).toBe(403);
    expect(result.body.code).toBe('reauthentication_required');
  });
});

describe('a disabled user', () => {
  it('cannot sign in after a valid assertion (403), and their tokens stop working at once (401)', async () => {
    const { authenticator, token, user } = await signUp();
    await stage.documentClient.send(
      new UpdateCommand({ TableName: stage.tableName, Key: keys.user(user.id), UpdateExpression: 'SET disabled = :true', ExpressionAttributeValues: { ':true': true } }),
    );

    const signInResult = await signIn(authenticator);
    const listResult = await stage.call('GET', '/v1/credentials', { token });

    expect(signInResult.status).toBe(403);
    expect(signInResult.body.code).toBe('policy_denied');
    expect(listResult.status).toBe(401);
    const failure = (await outboxEvents(stage)).filter((event) => event.detailType === 'Sign-In Failed').at(-1)?.detail;
    expect(failure).toMatchObject({ reason: 'user_disabled', user: { id: user.id } });
  });
});
