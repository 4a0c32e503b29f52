import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PutCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { outboxEvents, startTestStage, type TestStage } from '../support/local-stage.ts';
import { keys } from '../../shared/storage/table.ts';

let stage: TestStage;

beforeAll(async () => {
  stage = await startTestStage();
});
afterAll(async () => {
  await stage?.close();
});

let userCount = 0;
/** A fresh user with one key, registered through the API. */
const enrolledUser = async (options: Omit<ConstructorParameters<typeof SoftAuthenticator>[0], 'origin'> = {}) => {
  const authenticator = new SoftAuthenticator({ ...options, origin: stage.url });
  const username = `user-${++userCount}`;
  const registrationOptions = await stage.call('POST', '/v1/registration/options', { body: { username } });
  const registered = await stage.call('POST', '/v1/registration/verify', { body: { response: authenticator.register(registrationOptions.body.options) } });
  expect(registered.status).toBe(201);
  return { authenticator, username, userId: registered.body.user.id as string, credentialId: registered.body.credential.id as string };
};

const signInOptions = async (username?: string) =>
  (await stage.call('POST', '/v1/authentication/options', { body: username ? { username } : {} })).body.options;

const verify = (response: unknown) => stage.call('POST', '/v1/authentication/verify', { body: { response } });

/** The Sign-In Failed event written for this challenge's request, by reason. */
const lastFailure = async () => {
  const events = await outboxEvents(stage);
  return events.filter((event) => event.detailType === 'Sign-In Failed').at(-1)?.detail;
};

describe('a sign-in is refused with 400 verification_failed and an audited reason when', () => {
  it.each([
    ['the signature is bad', { corruptSignature: true }, 'signature_invalid'],
    ['the origin is foreign', { origin: 'https://evil.example' }, 'origin_mismatch'],
    ['the RP ID hash is for another RP', { rpId: 'evil.example' }, 'rp_id_mismatch'],
    ['user presence is missing', { userPresent: false }, 'user_presence_missing'],
    ['user verification is missing', { userVerified: false }, 'user_verification_missing'],
    ['the client data type is wrong', { type: 'webauthn.create' }, 'type_mismatch'],
  ] as const)('%s', async (_, overrides, reason) => {
    // Prepare
    const { authenticator, userId } = await enrolledUser();
    const options = await signInOptions();

    // Act
    const result = await verify(authenticator.authenticate(options, overrides));

    // Assess
    expect(result.status).toBe(400);
    expect(result.headers.get('content-type')).toBe('application/problem+json');
    expect(result.body).toMatchObject({ status: 400, code: 'verification_failed' });
    expect(await lastFailure()).toMatchObject({ outcome: 'failure', reason, user: { id: userId }, actor: { type: 'user', userId } });
  });

  it('the counter goes backwards, and Credential Clone Suspected is emitted', async () => {
    const { authenticator, credentialId } = await enrolledUser();
    expect((await verify(authenticator.authenticate(await signInOptions(), { counter: 5 }))).status).toBe(200);

    const result = await verify(authenticator.authenticate(await signInOptions(), { counter: 3 }));

    expect(result.status).toBe(400);
    expect(await lastFailure()).toMatchObject({ reason: 'counter_regression' });
    const clone = (await outboxEvents(stage)).filter((event) => event.detailType === 'Credential Clone Suspected').at(-1)?.detail;
    expect(clone).toMatchObject({ counter: { stored: 5, received: 3 }, credential: { id: credentialId } });
    // The stored counter is untouched by the refused attempt.
    const stored = await stage.documentClient.send(new GetCommand({ TableName: stage.tableName, Key: keys.credential((await lastFailure()).user.id, credentialId) }));
    expect(stored.Item?.counter).toBe(5);
  });

  it('an equal non-zero counter is a regression too, but 0 then 0 is fine', async () => {
    const { authenticator } = await enrolledUser({ counterMode: 'zero' });
    expect((await verify(authenticator.authenticate(await signInOptions()))).status).toBe(200);
    expect((await verify(authenticator.authenticate(await signInOptions()))).status).toBe(200);
    expect((await verify(authenticator.authenticate(await signInOptions(), { counter: 7 }))).status).toBe(200);
    expect((await verify(authenticator.authenticate(await signInOptions(), { counter: 7 }))).status).toBe(400);
  });

  it('backup eligibility flips', async () => {
    const { authenticator } = await enrolledUser();
    const result = await verify(authenticator.authenticate(await signInOptions(), { backupEligible: true, backedUp: true }));
    expect(result.status).toBe(400);
    expect(await lastFailure()).toMatchObject({ reason: 'backup_eligibility_changed' });
  });

  it('the same assertion is replayed', async () => {
    const { authenticator } = await enrolledUser();
    const response = authenticator.authenticate(await signInOptions());
    expect((await verify(response)).status).toBe(200);

    const replay = await verify(response);

    expect(replay.status).toBe(400);
    expect(await lastFailure()).toMatchObject({ reason: 'challenge_unknown' });
  });

  it('the challenge has expired, even though TTL has not removed it yet', async () => {
    const { authenticator } = await enrolledUser();
    const options = await signInOptions();
    const challengeKey = keys.challenge(options.challenge);
    const item = (await stage.documentClient.send(new GetCommand({ TableName: stage.tableName, Key: challengeKey }))).Item!;
    await stage.documentClient.send(
      new PutCommand({ TableName: stage.tableName, Item: { ...item, challenge: { ...item.challenge, expiresAt: Date.now() - 1000 } } }),
    );

    const result = await verify(authenticator.authenticate(options));

    expect(result.status).toBe(400);
    expect(await lastFailure()).toMatchObject({ reason: 'challenge_expired' });
  });

  it('the credential is unknown to the service', async () => {
    const stranger = new SoftAuthenticator({ origin: stage.url });
    stranger.register({
      challenge: 'AAAA',
      rp: { id: 'localhost', name: 'elsewhere' },
      user: { id: 'c3RyYW5nZXI', name: 'stranger', displayName: 'stranger' },
      pubKeyCredParams: [{ alg: -7, type: 'public-key' }],
      authenticatorSelection: { residentKey: 'required' },
    });

    const result = await verify(stranger.authenticate(await signInOptions()));

    expect(result.status).toBe(400);
    expect(await lastFailure()).toMatchObject({ reason: 'credential_unknown', actor: { type: 'anonymous' } });
  });

  it('the userHandle names another user', async () => {
    const victim = await enrolledUser();
    const attacker = await enrolledUser();

    const result = await verify(attacker.authenticator.authenticate(await signInOptions(), { userHandle: victim.userId }));

    expect(result.status).toBe(400);
    expect(await lastFailure()).toMatchObject({ reason: 'user_handle_mismatch' });
  });

  it('a username-first ceremony ends with another user\'s key', async () => {
    const alice = await enrolledUser();
    const mallory = await enrolledUser();
    const options = await signInOptions(alice.username);

    const result = await verify(mallory.authenticator.authenticate({ ...options, allowCredentials: [] }));

    expect(result.status).toBe(400);
    expect(await lastFailure()).toMatchObject({ reason: 'user_mismatch' });
  });

  it('a registration challenge is used for a sign-in', async () => {
    const { authenticator } = await enrolledUser();
    const registration = await stage.call('POST', '/v1/registration/options', { body: { username: 'someone-new' } });

    const result = await verify(authenticator.authenticate(await signInOptions(), { challenge: registration.body.options.challenge }));

    expect(result.status).toBe(400);
    expect(await lastFailure()).toMatchObject({ reason: 'challenge_wrong_ceremony' });
  });

  it('a sign-in challenge is used for a registration', async () => {
    const options = (await stage.call('POST', '/v1/registration/options', { body: { username: 'wrong-ceremony' } })).body.options;
    const signInChallenge = (await signInOptions()).challenge;
    const authenticator = new SoftAuthenticator({ origin: stage.url });

    const result = await stage.call('POST', '/v1/registration/verify', { body: { response: authenticator.register(options, { challenge: signInChallenge }) } });

    expect(result.status).toBe(400);
    const failure = (await outboxEvents(stage)).filter((event) => event.detailType === 'Credential Registration Failed').at(-1)?.detail;
    expect(failure).toMatchObject({ reason: 'challenge_wrong_ceremony' });
  });
});

describe('concurrency', () => {
  it('one assertion posted 10 times at once signs in exactly once', async () => {
    const { authenticator } = await enrolledUser();
    const response = authenticator.authenticate(await signInOptions());

    const results = await Promise.all(Array.from({ length: 10 }, () => verify(response)));

    const statuses = results.map((result) => result.status).sort();
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(9);
  });
});
