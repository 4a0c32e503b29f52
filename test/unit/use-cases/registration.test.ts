import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  InvalidRequestError,
  PolicyDeniedError,
  ReauthenticationRequiredError,
  UnauthorizedError,
  VerificationFailedError,
} from '../../../shared/errors.ts';
import { verifyAccessToken } from '../../../shared/tokens/access-token.ts';
import { normalizeEnrollmentCode } from '../../../shared/use-cases/enrollment-code.ts';
import { base64url, encodeCbor, type CborValue } from '../../support/soft-authenticator.ts';
import {
  createWorld,
  expectEventsToMatchCatalog,
  expectEventsToOmit,
  rejectionOf,
  tokenSettings,
  type World,
} from '../support/memory-world.ts';

const claimsOf = (world: World, token: string) =>
  verifyAccessToken(token, { signer: world.signer, clock: world.clock, settings: tokenSettings });

/** A user who signed up through the API, with their first key and a fresh token. */
const signedUpUser = async (world: World, username = 'ada') => {
  const authenticator = world.newAuthenticator();
  const result = await world.signUp(authenticator, username);
  return { authenticator, ...result };
};

describe('self sign-up', () => {
  it('creates the user and the key, issues a token for them, and emits User Created then Credential Registered', async () => {
    // Prepare
    const world = createWorld();
    const authenticator = world.newAuthenticator({ transports: ['usb', 'nfc'] });
    const options = await world.registrationOptions({ username: 'Ada.Lovelace', displayName: 'Ada Lovelace' });
    const response = authenticator.register(options);

    // Act
    const result = await world.verifyRegistration(response);

    // Assess
    const userId = authenticator.credentials()[0]?.userHandle;
    expect(result.user).toEqual({
      id: userId,
      username: 'Ada.Lovelace',
      displayName: 'Ada Lovelace',
      groups: [],
      disabled: false,
      createdAt: new Date(world.clock.now()).toISOString(),
    });
    expect(result.credential).toMatchObject({
      id: response.id,
      nickname: 'Security key',
      transports: ['usb', 'nfc'],
      backupEligible: false,
      attestation: { format: 'none', trusted: false },
    });
    expect(world.db.users.get(userId ?? '')?.credentialCount).toBe(1);
    expect(world.db.usernames.get('ada.lovelace')).toBe(userId);
    expect(world.db.credentials.get(response.id)).toMatchObject({ userId, counter: 0, algorithm: -7, userVerified: true });
    // The challenge is single use.
    expect(world.db.challenges.size).toBe(0);

    const claims = await claimsOf(world, result.accessToken);
    expect(claims).toMatchObject({ sub: userId, preferred_username: 'Ada.Lovelace', amr: ['hwk', 'user', 'mfa'] });
    expect(result.expiresIn).toBe(world.db.policy.accessTokenLifetimeSeconds);

    expect(world.db.events.map((event) => event.detailType)).toEqual(['User Created', 'Credential Registered']);
    expect(world.db.events[0]?.detail).toMatchObject({ actor: { type: 'anonymous' }, how: 'selfSignUp', user: { id: userId, username: 'Ada.Lovelace' } });
    expect(world.db.events[1]?.detail).toMatchObject({
      actor: { type: 'user', userId },
      outcome: 'success',
      how: 'selfSignUp',
      user: { id: userId },
      credential: { id: response.id, userVerified: true, transports: ['usb', 'nfc'] },
      requestId: 'request-1',
      stage: 'unit',
    });
    expectEventsToMatchCatalog(world.db.events);
    expectEventsToOmit(world.db.events, [
      world.db.credentials.get(response.id)?.publicKey ?? 'missing public key',
      response.response.attestationObject,
      response.response.clientDataJSON,
      result.accessToken,
      result.accessToken.split('.')[2] ?? 'missing token signature',
    ]);
  });

  it('names a backup-eligible key "Passkey" and keeps a nickname the user chose', async () => {
    // Prepare
    const world = createWorld();

    // Act
    const passkey = await world.signUp(world.newAuthenticator({ backupEligible: true, backedUp: true }), 'synced');
    const named = await world.register(world.newAuthenticator(), { username: 'named' }, { nickname: 'Blue YubiKey' });

    // Assess
    expect(passkey.credential).toMatchObject({ nickname: 'Passkey', backupEligible: true, backedUp: true });
    expect(named.credential.nickname).toBe('Blue YubiKey');
  });

  it('is refused with self_sign_up_disabled when the policy does not allow it', async () => {
    // Prepare
    const world = createWorld({ allowSelfSignUp: false });

    // Act
    const error = await rejectionOf(world.registrationOptions({ username: 'newcomer' }));

    // Assess
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect(error).toMatchObject({ reason: 'self_sign_up_disabled' });
    expect(world.db.challenges.size).toBe(0);
  });

  it('refuses a taken username case-insensitively at options, and at verify when it was taken meanwhile', async () => {
    // Prepare
    const world = createWorld();
    const first = world.newAuthenticator();
    const second = world.newAuthenticator();
    const firstOptions = await world.registrationOptions({ username: 'grace' });
    const secondOptions = await world.registrationOptions({ username: 'Grace' });
    await world.verifyRegistration(first.register(firstOptions));

    // Act
    const atOptions = await rejectionOf(world.registrationOptions({ username: 'GRACE' }));
    const atVerify = await rejectionOf(world.verifyRegistration(second.register(secondOptions)));

    // Assess
    expect(atOptions).toBeInstanceOf(ConflictError);
    expect(atVerify).toBeInstanceOf(ConflictError);
    expect(atVerify).toMatchObject({ reason: 'username_taken' });
    expect(world.db.users.size).toBe(1);
    expect(world.db.credentials.size).toBe(1);
  });

  it.each([
    ['none', {}, undefined],
    ['a username and a bearer token', { username: 'both' }, 'x.y.z'],
    ['a username and an enrollment code', { username: 'both', enrollmentCode: 'CODE-1234' }, undefined],
    ['a displayName without a username', { enrollmentCode: 'CODE-1234', displayName: 'Someone' }, undefined],
  ])('refuses %s as the authorisation with InvalidRequestError', async (_, body, bearerToken) => {
    // Prepare
    const world = createWorld();

    // Act
    const error = await rejectionOf(world.registrationOptions(body, bearerToken));

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(world.db.challenges.size).toBe(0);
  });

  it('refuses a key whose id is already registered with credential_already_registered', async () => {
    // Prepare
    const world = createWorld();
    const first = await signedUpUser(world, 'first');
    const copycat = world.newAuthenticator();

    // Act
    const error = await rejectionOf(world.register(copycat, { username: 'copycat' }, { overrides: { credentialId: first.credential.id } }));

    // Assess
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ reason: 'credential_already_registered' });
    expect(world.db.credentials.get(first.credential.id)?.userId).toBe(first.user.id);
    expect(world.db.usernames.has('copycat')).toBe(false);
  });
});

describe('a malformed attestation object', () => {
  it.each([
    ['an integer', 0],
    ['a text string', 'attestation'],
    ['an array', [1, 2]],
    ['a byte string', new Uint8Array([1, 2, 3])],
  ] as [string, CborValue][])('that is CBOR %s rather than a map is a VerificationFailedError malformed_response', async (_, value) => {
    // Prepare
    const world = createWorld();
    const response = world.newAuthenticator().register(await world.registrationOptions({ username: 'cbor' }));
    response.response.attestationObject = base64url.encode(encodeCbor(value));

    // Act
    const error = await rejectionOf(world.verifyRegistration(response));

    // Assess
    expect(error).toBeInstanceOf(VerificationFailedError);
    expect(error).toMatchObject({ reason: 'malformed_response', subject: { user: { username: 'cbor' } } });
    expect(world.db.credentials.size).toBe(0);
  });
});

describe('enrollment codes', () => {
  it('registers the first key of an admin-created user, however the code is typed, and uses a one-time code up', async () => {
    // Prepare
    const world = createWorld({ allowSelfSignUp: false });
    const user = world.addUser('new.hire');
    const codeHash = await world.issueEnrollmentCode(user.id, 'K7QX-M2PA-9WZD');
    const authenticator = world.newAuthenticator();

    // Act
    const options = await world.registrationOptions({ enrollmentCode: 'k7qx m2pa-9wzd' });
    const result = await world.verifyRegistration(authenticator.register(options));

    // Assess
    expect(options.user.id).toBe(user.id);
    expect(options.user.name).toBe('new.hire');
    expect(result.user.id).toBe(user.id);
    expect(world.db.enrollmentCodes.has(codeHash)).toBe(false);
    expect(world.db.users.get(user.id)?.credentialCount).toBe(1);
    expect(world.db.events.map((event) => event.detailType)).toEqual(['Credential Registered']);
    expect(world.db.events[0]?.detail).toMatchObject({ how: 'enrollmentCode', actor: { type: 'user', userId: user.id }, user: { id: user.id } });
    expectEventsToMatchCatalog(world.db.events);
    expectEventsToOmit(world.db.events, ['K7QX-M2PA-9WZD', normalizeEnrollmentCode('K7QX-M2PA-9WZD'), codeHash, result.accessToken]);
  });

  it('keeps a one-time code when the verify fails, so the user can try again', async () => {
    // Prepare
    const world = createWorld();
    const user = world.addUser('retry');
    const codeHash = await world.issueEnrollmentCode(user.id, 'RETRY-CODE-1');
    const authenticator = world.newAuthenticator();

    // Act
    const failed = await rejectionOf(
      world.register(authenticator, { enrollmentCode: 'RETRY-CODE-1' }, { overrides: { origin: 'https://evil.example' } }),
    );
    const codeAfterFailure = world.db.enrollmentCodes.has(codeHash);
    const retried = await world.register(authenticator, { enrollmentCode: 'RETRY-CODE-1' }, { overrides: { ignoreExcludeCredentials: true } });

    // Assess
    expect(failed).toBeInstanceOf(VerificationFailedError);
    expect(failed).toMatchObject({ reason: 'origin_mismatch' });
    expect(codeAfterFailure).toBe(true);
    expect(retried.user.id).toBe(user.id);
    expect(world.db.enrollmentCodes.has(codeHash)).toBe(false);
  });

  it('lets a one-time code finish only one of two ceremonies started with it', async () => {
    // Prepare
    const world = createWorld();
    const user = world.addUser('twice');
    await world.issueEnrollmentCode(user.id, 'ONCE-ONLY-42');
    const firstOptions = await world.registrationOptions({ enrollmentCode: 'ONCE-ONLY-42' });
    const secondOptions = await world.registrationOptions({ enrollmentCode: 'ONCE-ONLY-42' });
    await world.verifyRegistration(world.newAuthenticator().register(firstOptions));

    // Act
    const error = await rejectionOf(world.verifyRegistration(world.newAuthenticator().register(secondOptions)));

    // Assess
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ reason: 'enrollment_code_invalid' });
    expect(world.db.users.get(user.id)?.credentialCount).toBe(1);
  });

  it('keeps a multi-use code after each successful registration', async () => {
    // Prepare
    const world = createWorld();
    const user = world.addUser('lab.bench');
    const codeHash = await world.issueEnrollmentCode(user.id, 'MULTI-USE-7', { oneTime: false });

    // Act
    await world.register(world.newAuthenticator(), { enrollmentCode: 'MULTI-USE-7' });
    await world.register(world.newAuthenticator(), { enrollmentCode: 'MULTI-USE-7' });

    // Assess
    expect(world.db.enrollmentCodes.has(codeHash)).toBe(true);
    expect(world.db.users.get(user.id)?.credentialCount).toBe(2);
  });

  it.each([
    ['unknown', 'NOT-ISSUED-1', 0],
    ['expired', 'EXPIRED-CODE', 3_600_001],
  ])('refuses an %s code with UnauthorizedError at options', async (_, presented, elapsedMs) => {
    // Prepare
    const world = createWorld();
    const user = world.addUser('late');
    await world.issueEnrollmentCode(user.id, 'EXPIRED-CODE', { lifetimeMs: 3_600_000 });
    world.clock.advance(elapsedMs);

    // Act
    const error = await rejectionOf(world.registrationOptions({ enrollmentCode: presented }));

    // Assess
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ reason: 'enrollment_code_invalid' });
    expect(world.db.challenges.size).toBe(0);
  });

  it('accepts a code one millisecond before it expires', async () => {
    // Prepare
    const world = createWorld();
    const user = world.addUser('just.in.time');
    await world.issueEnrollmentCode(user.id, 'EDGE-CODE-1', { lifetimeMs: 60_000 });
    world.clock.advance(59_999);

    // Act
    const options = await world.registrationOptions({ enrollmentCode: 'EDGE-CODE-1' });

    // Assess
    expect(options.user.id).toBe(user.id);
  });

  it('refuses at verify a code that expired during the ceremony, and stores no key', async () => {
    // Prepare
    const world = createWorld();
    const user = world.addUser('slow');
    await world.issueEnrollmentCode(user.id, 'SLOW-CODE-9', { lifetimeMs: 60_000 });
    const options = await world.registrationOptions({ enrollmentCode: 'SLOW-CODE-9' });
    world.clock.advance(61_000);

    // Act
    const error = await rejectionOf(world.verifyRegistration(world.newAuthenticator().register(options)));

    // Assess
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ reason: 'enrollment_code_invalid' });
    expect(world.db.credentials.size).toBe(0);
    expect(world.db.events).toEqual([]);
  });

  it('refuses a code of a disabled user with PolicyDeniedError user_disabled', async () => {
    // Prepare
    const world = createWorld();
    const user = world.addUser('gone', { disabled: true });
    await world.issueEnrollmentCode(user.id, 'DISABLED-01');

    // Act
    const error = await rejectionOf(world.registrationOptions({ enrollmentCode: 'DISABLED-01' }));

    // Assess
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect(error).toMatchObject({ reason: 'user_disabled' });
  });
});

describe('a signed-in user adding a key (bearer)', () => {
  it('excludes their existing keys, registers the new one and emits Credential Registered with how selfService', async () => {
    // Prepare
    const world = createWorld();
    const { user, accessToken, credential: first } = await signedUpUser(world);
    const eventsBefore = world.db.events.length;
    const second = world.newAuthenticator({ transports: ['usb'] });

    // Act
    const options = await world.registrationOptions({}, accessToken);
    const result = await world.verifyRegistration(second.register(options), 'Backup key');

    // Assess
    expect(options.excludeCredentials?.map((excluded) => excluded.id)).toEqual([first.id]);
    expect(result.user.id).toBe(user.id);
    expect(result.credential).toMatchObject({ nickname: 'Backup key', transports: ['usb'] });
    expect(world.db.users.get(user.id)?.credentialCount).toBe(2);
    const added = world.db.events.slice(eventsBefore);
    expect(added.map((event) => event.detailType)).toEqual(['Credential Registered']);
    expect(added[0]?.detail).toMatchObject({ how: 'selfService', actor: { type: 'user', userId: user.id }, credential: { id: result.credential.id } });
    expectEventsToMatchCatalog(added);
    expectEventsToOmit(added, [accessToken, result.accessToken, world.db.credentials.get(result.credential.id)?.publicKey ?? 'missing']);
  });

  it('is refused with self_service_disabled when the policy turns self-service off', async () => {
    // Prepare
    const world = createWorld();
    const { accessToken } = await signedUpUser(world);
    world.db.policy = { ...world.db.policy, allowSelfServiceSetup: false };

    // Act
    const error = await rejectionOf(world.registrationOptions({}, accessToken));

    // Assess
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect(error).toMatchObject({ reason: 'self_service_disabled' });
  });

  it('accepts a sign-in exactly stepUpMaxAgeSeconds old and refuses one a second older', async () => {
    // Prepare
    const world = createWorld({ stepUpMaxAgeSeconds: 300 });
    const { accessToken } = await signedUpUser(world);

    // Act
    world.clock.advance(300_000);
    const atLimit = await world.registrationOptions({}, accessToken);
    world.clock.advance(1_000);
    const pastLimit = await rejectionOf(world.registrationOptions({}, accessToken));

    // Assess
    expect(atLimit.challenge).toEqual(expect.any(String));
    expect(pastLimit).toBeInstanceOf(ReauthenticationRequiredError);
    expect(pastLimit).toMatchObject({ reason: 'reauthentication_required' });
  });

  it('refuses a new key at options once the account has maxCredentialsPerUser keys', async () => {
    // Prepare
    const world = createWorld({ maxCredentialsPerUser: 1 });
    const { accessToken } = await signedUpUser(world);

    // Act
    const error = await rejectionOf(world.registrationOptions({}, accessToken));

    // Assess
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect(error).toMatchObject({ reason: 'credential_limit_reached' });
  });

  it('refuses at verify the key that would exceed maxCredentialsPerUser when ceremonies raced', async () => {
    // Prepare
    const world = createWorld({ maxCredentialsPerUser: 2 });
    const { user, accessToken } = await signedUpUser(world);
    const firstOptions = await world.registrationOptions({}, accessToken);
    const secondOptions = await world.registrationOptions({}, accessToken);
    await world.verifyRegistration(world.newAuthenticator().register(firstOptions));

    // Act
    const error = await rejectionOf(world.verifyRegistration(world.newAuthenticator().register(secondOptions)));

    // Assess
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect(error).toMatchObject({ reason: 'credential_limit_reached' });
    expect(world.db.users.get(user.id)?.credentialCount).toBe(2);
    expect([...world.db.credentials.values()].filter((credential) => credential.userId === user.id)).toHaveLength(2);
  });

  it('refuses a disabled user\'s token with UnauthorizedError', async () => {
    // Prepare
    const world = createWorld();
    const { user, accessToken } = await signedUpUser(world);
    world.db.users.get(user.id)!.disabled = true;

    // Act
    const error = await rejectionOf(world.registrationOptions({}, accessToken));

    // Assess
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ reason: 'user_disabled' });
  });

  it('refuses at verify with user_disabled when the user was disabled during the ceremony', async () => {
    // Prepare
    const world = createWorld();
    const { user, accessToken } = await signedUpUser(world);
    const options = await world.registrationOptions({}, accessToken);
    world.db.users.get(user.id)!.disabled = true;

    // Act
    const error = await rejectionOf(world.verifyRegistration(world.newAuthenticator().register(options)));

    // Assess
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect(error).toMatchObject({ reason: 'user_disabled' });
    expect(world.db.users.get(user.id)?.credentialCount).toBe(1);
  });
});

describe('the policy turned off (enabled: false)', () => {
  it('refuses registration options with policy_disabled', async () => {
    // Prepare
    const world = createWorld({ enabled: false });

    // Act
    const error = await rejectionOf(world.registrationOptions({ username: 'anyone' }));

    // Assess
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect(error).toMatchObject({ reason: 'policy_disabled' });
  });

  it('refuses at verify, after a valid attestation, when it was turned off during the ceremony', async () => {
    // Prepare
    const world = createWorld();
    const options = await world.registrationOptions({ username: 'mid.ceremony' });
    const response = world.newAuthenticator().register(options);
    world.db.policy = { ...world.db.policy, enabled: false };

    // Act
    const error = await rejectionOf(world.verifyRegistration(response));

    // Assess
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect(error).toMatchObject({ reason: 'policy_disabled', subject: { user: { username: 'mid.ceremony' } } });
    expect(world.db.users.size).toBe(0);
    expect(world.db.credentials.size).toBe(0);
    expect(world.db.events).toEqual([]);
  });
});
