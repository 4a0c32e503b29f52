import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PutCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { outboxEvents, startTestStage, type TestStage } from '../support/local-stage.ts';
import { keys } from '../../shared/storage/table.ts';
import { credentialItem } from '../../shared/adapters/dynamodb/items.ts';
import { localPolicyOverrides, resolvePolicyDefaults } from '../../shared/domain/policy.ts';
import type { StoredCredential } from '../../shared/domain/types.ts';

let stage: TestStage;
const localDefaults = resolvePolicyDefaults(localPolicyOverrides);

beforeAll(async () => {
  stage = await startTestStage();
});
afterAll(async () => {
  await stage?.close();
});
beforeEach(async () => {
  expect((await admin('PUT', '/v1/admin/policy', localDefaults)).status).toBe(200);
});

const admin = (method: string, path: string, body?: unknown) => stage.call(method, path, { token: stage.adminToken, ...(body === undefined ? {} : { body }) });

let counter = 0;
const uniqueName = (prefix: string) => `${prefix}-${++counter}-${Date.now().toString(36)}`;

const createUser = async (body: Record<string, unknown> = {}) => {
  const created = await admin('POST', '/v1/admin/users', { username: uniqueName('user'), ...body });
  expect(created.status).toBe(201);
  return created.body as { id: string; username: string; displayName: string; groups: string[]; disabled: boolean; createdAt: string };
};

const issueCode = async (userId: string, body: Record<string, unknown> = {}) => {
  const issued = await admin('POST', `/v1/admin/users/${userId}/enrollment-codes`, body);
  expect(issued.status).toBe(201);
  return issued.body as { code: string; expiresAt: string };
};

/** Registers a key with an enrollment code, as the user at the demo page would. */
const enrolWithCode = async (code: string, authenticator = new SoftAuthenticator({ origin: stage.url })) => {
  const options = await stage.call('POST', '/v1/registration/options', { body: { enrollmentCode: code } });
  if (options.status !== 200) return options;
  return stage.call('POST', '/v1/registration/verify', { body: { response: authenticator.register(options.body.options) } });
};

const signIn = async (authenticator: SoftAuthenticator) => {
  const options = await stage.call('POST', '/v1/authentication/options', { body: {} });
  return stage.call('POST', '/v1/authentication/verify', { body: { response: authenticator.authenticate(options.body.options) } });
};

const eventsOf = async (detailType: string) => (await outboxEvents(stage)).filter((event) => event.detailType === detailType).map((event) => event.detail);

describe('admin authorisation', () => {
  it('refuses admin routes without the local admin token, or with another one', async () => {
    expect((await stage.call('GET', '/v1/admin/policy')).status).toBe(401);
    expect((await stage.call('GET', '/v1/admin/policy', { token: 'not-the-token' })).status).toBe(401);
  });
});

describe('policy', () => {
  it('returns the effective policy: the stage defaults until one is stored', async () => {
    const result = await admin('GET', '/v1/admin/policy');
    expect(result.status).toBe(200);
    expect(result.body).toEqual(localDefaults);
  });

  it('replaces the whole policy, records Policy Updated with before, after and the admin, and applies it at once', async () => {
    // Prepare
    const proposed = { ...localDefaults, allowSelfSignUp: false, excludeGroups: ['contractors'] };

    // Act
    const result = await admin('PUT', '/v1/admin/policy', proposed);

    // Assess
    expect(result.status).toBe(200);
    expect(result.body).toEqual(proposed);
    expect((await admin('GET', '/v1/admin/policy')).body).toEqual(proposed);
    const updated = (await eventsOf('Policy Updated')).at(-1);
    expect(updated).toMatchObject({
      actor: { type: 'admin', principal: 'local-admin' },
      outcome: 'success',
      policy: { before: localDefaults, after: proposed },
    });
    // POLICY_CACHE_SECONDS is 0 on the local stage: the next sign-up already sees it.
    const signUp = await stage.call('POST', '/v1/registration/options', { body: { username: uniqueName('late') } });
    expect(signUp.status).toBe(403);
  });

  it.each([
    ['a partial policy', { enabled: false }, 'allowSelfServiceSetup'],
    ['an unknown field', { ...resolvePolicyDefaults(), requireMfa: true }, 'requireMfa'],
    ['a wrong type', { ...resolvePolicyDefaults(), maxCredentialsPerUser: 'many' }, 'maxCredentialsPerUser'],
    ['a bad AAGUID', { ...resolvePolicyDefaults(), keyRestrictions: { enforced: true, enforcementType: 'allow', aaguids: ['yubikey'] } }, 'keyRestrictions.aaguids.0'],
  ])('refuses %s with 400 naming the field, and keeps the old one', async (_, body, field) => {
    const before = (await admin('GET', '/v1/admin/policy')).body;

    const result = await admin('PUT', '/v1/admin/policy', body);

    expect(result.status).toBe(400);
    expect(result.body).toMatchObject({ code: 'invalid_request' });
    expect(result.body.detail).toContain(field);
    expect((await admin('GET', '/v1/admin/policy')).body).toEqual(before);
  });

  it('stores AAGUIDs in lower case', async () => {
    const result = await admin('PUT', '/v1/admin/policy', {
      ...localDefaults,
      keyRestrictions: { enforced: false, enforcementType: 'block', aaguids: ['CB69481E-8FF7-4039-93EC-0A2729A154A8'] },
    });
    expect(result.body.keyRestrictions.aaguids).toEqual(['cb69481e-8ff7-4039-93ec-0a2729a154a8']);
  });
});

describe('users', () => {
  it('creates a user (201 User) with User Created by the admin, and finds it by id and by username in any case', async () => {
    const username = uniqueName('Ada');
    const created = await admin('POST', '/v1/admin/users', { username, displayName: 'Ada Lovelace', groups: ['pilot', 'pilot', 'staff'] });

    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      username,
      displayName: 'Ada Lovelace',
      groups: ['pilot', 'staff'],
      disabled: false,
      createdAt: expect.any(String),
    });
    expect((await admin('GET', `/v1/admin/users/${created.body.id}`)).body).toEqual(created.body);
    expect((await admin('GET', `/v1/admin/users?username=${encodeURIComponent(username.toUpperCase())}`)).body).toEqual(created.body);
    expect((await eventsOf('User Created')).at(-1)).toMatchObject({
      actor: { type: 'admin', principal: 'local-admin' },
      how: 'admin',
      user: { id: created.body.id, username },
    });
  });

  it('refuses a username taken in another case with 409, whether by an admin or by self sign-up', async () => {
    const user = await createUser();
    expect((await admin('POST', '/v1/admin/users', { username: user.username.toUpperCase() })).status).toBe(409);

    const selfSignUp = await stage.call('POST', '/v1/registration/options', { body: { username: user.username.toUpperCase() } });
    expect(selfSignUp.status).toBe(409);

    const authenticator = new SoftAuthenticator({ origin: stage.url });
    const signedUpName = uniqueName('Self');
    const options = await stage.call('POST', '/v1/registration/options', { body: { username: signedUpName } });
    await stage.call('POST', '/v1/registration/verify', { body: { response: authenticator.register(options.body.options) } });
    expect((await admin('POST', '/v1/admin/users', { username: signedUpName.toLowerCase() })).status).toBe(409);
  });

  it.each([
    ['no username', {}],
    ['the reserved group "*"', { username: 'star', groups: ['*'] }],
    ['an unknown field', { username: 'extra', role: 'admin' }],
    ['a username with a control character', { username: 'a\u0007b' }],
  ])('refuses %s with 400', async (_, body) => {
    expect((await admin('POST', '/v1/admin/users', body)).status).toBe(400);
  });

  it('answers 404 for an unknown id or username', async () => {
    expect((await admin('GET', '/v1/admin/users/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(404);
    expect((await admin('GET', '/v1/admin/users?username=nobody-at-all')).status).toBe(404);
    expect((await admin('GET', '/v1/admin/users')).status).toBe(400);
  });

  it('updates display name and groups, recording only what changed in User Updated', async () => {
    const user = await createUser({ groups: ['staff'] });

    const result = await admin('PATCH', `/v1/admin/users/${user.id}`, { displayName: 'Grace Hopper', groups: ['staff', 'pilot'], disabled: false });

    expect(result.status).toBe(200);
    expect(result.body).toMatchObject({ displayName: 'Grace Hopper', groups: ['staff', 'pilot'], disabled: false });
    expect((await eventsOf('User Updated')).at(-1)).toMatchObject({
      actor: { type: 'admin', principal: 'local-admin' },
      user: { id: user.id },
      changes: { displayName: { before: user.username, after: 'Grace Hopper' }, groups: { before: ['staff'], after: ['staff', 'pilot'] } },
    });
    expect((await eventsOf('User Updated')).at(-1).changes).not.toHaveProperty('disabled');
    expect((await admin('PATCH', `/v1/admin/users/${user.id}`, {})).status).toBe(400);
    expect((await admin('PATCH', '/v1/admin/users/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', { disabled: true })).status).toBe(404);
  });
});

describe('a disabled user', () => {
  it('cannot sign in, use their tokens, redeem a code or be issued one; enabling them again restores sign-in', async () => {
    // Prepare: a user with a key and a token, and a multi-use code.
    const user = await createUser();
    const authenticator = new SoftAuthenticator({ origin: stage.url });
    const { code } = await issueCode(user.id, { oneTime: false });
    const enrolled = await enrolWithCode(code, authenticator);
    expect(enrolled.status).toBe(201);
    const token = enrolled.body.accessToken as string;

    // Act
    const disabled = await admin('PATCH', `/v1/admin/users/${user.id}`, { disabled: true });

    // Assess
    expect(disabled.body.disabled).toBe(true);
    expect((await eventsOf('User Updated')).at(-1)).toMatchObject({ changes: { disabled: { before: false, after: true } } });
    const signedIn = await signIn(authenticator);
    expect(signedIn.status).toBe(403);
    expect((await eventsOf('Sign-In Failed')).at(-1)).toMatchObject({ reason: 'user_disabled', user: { id: user.id } });
    expect((await stage.call('GET', '/v1/credentials', { token })).status).toBe(401);
    expect((await stage.call('POST', '/v1/registration/options', { token, body: {} })).status).toBe(401);
    const redeemed = await enrolWithCode(code);
    expect(redeemed.status).toBe(403);
    expect((await eventsOf('Credential Registration Failed')).at(-1)).toMatchObject({ reason: 'user_disabled' });
    expect((await admin('POST', `/v1/admin/users/${user.id}/enrollment-codes`, {})).status).toBe(403);

    await admin('PATCH', `/v1/admin/users/${user.id}`, { disabled: false });
    expect((await signIn(authenticator)).status).toBe(200);
  });

  it('is refused at verify when disabled after the options step', async () => {
    const user = await createUser();
    const { code } = await issueCode(user.id);
    const options = await stage.call('POST', '/v1/registration/options', { body: { enrollmentCode: code } });
    await admin('PATCH', `/v1/admin/users/${user.id}`, { disabled: true });

    const verified = await stage.call('POST', '/v1/registration/verify', {
      body: { response: new SoftAuthenticator({ origin: stage.url }).register(options.body.options) },
    });

    expect(verified.status).toBe(403);
    expect(verified.body.code).toBe('policy_denied');
  });
});

describe('enrollment codes', () => {
  it('issues a 16-character Crockford code in four groups, valid an hour by default, stored and audited only as a hash', async () => {
    const user = await createUser();
    const before = Date.now();

    const { code, expiresAt } = await issueCode(user.id);

    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(Date.parse(expiresAt) - before).toBeGreaterThan(3590_000);
    expect(Date.parse(expiresAt) - before).toBeLessThanOrEqual(3600_000 + 5_000);
    expect((await eventsOf('Enrollment Code Issued')).at(-1)).toMatchObject({ actor: { type: 'admin', principal: 'local-admin' }, user: { id: user.id } });
    const everything = JSON.stringify((await stage.documentClient.send(new ScanCommand({ TableName: stage.tableName }))).Items);
    expect(everything).not.toContain(code);
    expect(everything).not.toContain(code.replaceAll('-', ''));
  });

  it('lets the user register a first key once with a one-time code, typed however they like', async () => {
    const user = await createUser();
    const { code } = await issueCode(user.id);
    const typed = ` ${code.toLowerCase().replaceAll('-', ' ').replaceAll('0', 'o').replaceAll('1', 'l')} `;

    const first = await enrolWithCode(typed);
    const again = await enrolWithCode(code);

    expect(first.status).toBe(201);
    expect(first.body.user.id).toBe(user.id);
    expect((await eventsOf('Credential Registered')).at(-1)).toMatchObject({ how: 'enrollmentCode', user: { id: user.id } });
    expect(again.status).toBe(401);
    expect((await eventsOf('Credential Registration Failed')).at(-1)).toMatchObject({ reason: 'enrollment_code_invalid' });
  });

  it('lets a multi-use code register several keys within its lifetime, and none after it', async () => {
    const user = await createUser();
    const { code } = await issueCode(user.id, { oneTime: false, lifetimeSeconds: 600 });

    expect((await enrolWithCode(code)).status).toBe(201);
    expect((await enrolWithCode(code)).status).toBe(201);

    // Age the code past its expiry (DynamoDB's TTL may delete it up to 48 h late; the read checks).
    const scan = await stage.documentClient.send(new ScanCommand({ TableName: stage.tableName, FilterExpression: 'userId = :u AND #t = :t', ExpressionAttributeNames: { '#t': 'type' }, ExpressionAttributeValues: { ':u': user.id, ':t': 'enrollmentCode' } }));
    for (const item of scan.Items ?? []) {
      await stage.documentClient.send(new UpdateCommand({ TableName: stage.tableName, Key: { pk: item.pk, sk: item.sk }, UpdateExpression: 'SET expiresAt = :past', ExpressionAttributeValues: { ':past': Date.now() - 1000 } }));
    }
    expect((await enrolWithCode(code)).status).toBe(401);
  });

  it.each([
    ['shorter than 10 minutes', { lifetimeSeconds: 599 }],
    ['longer than 30 days', { lifetimeSeconds: 30 * 86_400 + 1 }],
    ['an unknown field', { uses: 3 }],
  ])('refuses a lifetime %s with 400', async (_, body) => {
    const user = await createUser();
    expect((await admin('POST', `/v1/admin/users/${user.id}/enrollment-codes`, body)).status).toBe(400);
  });

  it('answers 404 for an unknown user', async () => {
    expect((await admin('POST', '/v1/admin/users/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/enrollment-codes', {})).status).toBe(404);
  });
});

describe('a user\'s keys', () => {
  it('lists them and deletes one with Credential Deleted by the admin; it can never sign in again', async () => {
    const user = await createUser();
    const { code } = await issueCode(user.id, { oneTime: false });
    const first = new SoftAuthenticator({ origin: stage.url, transports: ['usb'] });
    const second = new SoftAuthenticator({ origin: stage.url });
    const registered = await enrolWithCode(code, first);
    await enrolWithCode(code, second);

    const listed = await admin('GET', `/v1/admin/users/${user.id}/credentials`);
    expect(listed.status).toBe(200);
    expect(listed.body.credentials).toHaveLength(2);
    expect(listed.body.credentials[0]).not.toHaveProperty('publicKey');

    const credentialId = registered.body.credential.id as string;
    const deleted = await admin('DELETE', `/v1/admin/users/${user.id}/credentials/${credentialId}`);

    expect(deleted.status).toBe(204);
    expect((await admin('GET', `/v1/admin/users/${user.id}/credentials`)).body.credentials.map((credential: { id: string }) => credential.id)).not.toContain(credentialId);
    expect((await eventsOf('Credential Deleted')).at(-1)).toMatchObject({ actor: { type: 'admin', principal: 'local-admin' }, credential: { id: credentialId } });
    expect((await signIn(first)).status).toBe(400);
    expect((await signIn(second)).status).toBe(200);
    expect((await admin('DELETE', `/v1/admin/users/${user.id}/credentials/${credentialId}`)).status).toBe(404);
  });
});

describe('deleting a user', () => {
  it('removes the user, every key and code, frees the username, and records each deletion', async () => {
    const user = await createUser();
    const { code } = await issueCode(user.id, { oneTime: false });
    const authenticator = new SoftAuthenticator({ origin: stage.url });
    await enrolWithCode(code, authenticator);
    await enrolWithCode(code);

    const deleted = await admin('DELETE', `/v1/admin/users/${user.id}`);

    expect(deleted.status).toBe(204);
    expect((await admin('GET', `/v1/admin/users/${user.id}`)).status).toBe(404);
    expect((await signIn(authenticator)).status).toBe(400);
    expect((await enrolWithCode(code)).status).toBe(401);
    expect((await eventsOf('Credential Deleted')).filter((event) => event.user.id === user.id)).toHaveLength(2);
    expect((await eventsOf('User Deleted')).at(-1)).toMatchObject({ actor: { type: 'admin', principal: 'local-admin' }, user: { id: user.id } });
    const left = await stage.documentClient.send(new ScanCommand({ TableName: stage.tableName, FilterExpression: 'userId = :u AND #t <> :outbox', ExpressionAttributeNames: { '#t': 'type' }, ExpressionAttributeValues: { ':u': user.id, ':outbox': 'outbox' } }));
    expect(left.Items).toEqual([]);
    expect((await admin('POST', '/v1/admin/users', { username: user.username })).status).toBe(201);
    expect((await admin('DELETE', `/v1/admin/users/${user.id}`)).status).toBe(404);
  });

  it('deletes a user with more keys than one transaction holds', async () => {
    // Prepare: 45 keys written straight to the table (3 items each with guard and event: over 100).
    const user = await createUser();
    const usernameKey = user.username.toLowerCase();
    for (let index = 0; index < 45; index += 1) {
      const credential: StoredCredential = {
        id: `seeded-${user.id.slice(0, 8)}-${index}`,
        userId: user.id,
        publicKey: '',
        algorithm: -7,
        counter: 0,
        transports: ['usb'],
        aaguid: '00000000-0000-0000-0000-000000000000',
        backupEligible: false,
        backedUp: false,
        userVerified: true,
        attestationFormat: 'none',
        attestationTrusted: false,
        nickname: `Key ${index}`,
        createdAt: new Date().toISOString(),
      };
      await stage.documentClient.send(new PutCommand({ TableName: stage.tableName, Item: credentialItem(credential, usernameKey) }));
      await stage.documentClient.send(new PutCommand({ TableName: stage.tableName, Item: { ...keys.credentialGuard(credential.id), type: 'credentialGuard', userId: user.id } }));
    }
    await stage.documentClient.send(new UpdateCommand({ TableName: stage.tableName, Key: keys.user(user.id), UpdateExpression: 'SET credentialCount = :n', ExpressionAttributeValues: { ':n': 45 } }));

    // Act
    const deleted = await admin('DELETE', `/v1/admin/users/${user.id}`);

    // Assess
    expect(deleted.status).toBe(204);
    expect((await eventsOf('Credential Deleted')).filter((event) => event.user.id === user.id)).toHaveLength(45);
    const left = await stage.documentClient.send(new ScanCommand({ TableName: stage.tableName, FilterExpression: 'userId = :u AND #t <> :outbox', ExpressionAttributeNames: { '#t': 'type' }, ExpressionAttributeValues: { ':u': user.id, ':outbox': 'outbox' } }));
    expect(left.Items).toEqual([]);
  });
});
