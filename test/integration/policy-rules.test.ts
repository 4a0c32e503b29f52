import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { outboxEvents, startTestStage, type TestStage } from '../support/local-stage.ts';
import { localPolicyOverrides, resolvePolicyDefaults, type Policy } from '../../shared/domain/policy.ts';

/**
 * Every rule of the policy, at registration and at sign-in, through the local stage on
 * DynamoDB Local. The policy is changed with the admin API; the local stage caches it 0 s.
 */
let stage: TestStage;
const localDefaults = resolvePolicyDefaults(localPolicyOverrides);
const yubiKey = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const otherKey = 'ee882879-721c-4913-9775-3dfcce97072a';

beforeAll(async () => {
  stage = await startTestStage();
});
afterAll(async () => {
  await stage?.close();
});
beforeEach(async () => {
  await setPolicy({});
});

const admin = (method: string, path: string, body?: unknown) => stage.call(method, path, { token: stage.adminToken, ...(body === undefined ? {} : { body }) });

const setPolicy = async (changes: Partial<Policy>) => {
  const result = await admin('PUT', '/v1/admin/policy', { ...localDefaults, ...changes });
  expect(result.status).toBe(200);
};

let counter = 0;
const newUser = async (groups: string[] = []) => {
  const created = await admin('POST', '/v1/admin/users', { username: `policy-user-${++counter}`, groups });
  expect(created.status).toBe(201);
  return created.body as { id: string; username: string };
};

const codeFor = async (userId: string) => (await admin('POST', `/v1/admin/users/${userId}/enrollment-codes`, { oneTime: false })).body.code as string;

const registrationOptions = (body: Record<string, unknown>, token?: string) => stage.call('POST', '/v1/registration/options', { body, ...(token ? { token } : {}) });

const register = async (authenticator: SoftAuthenticator, body: Record<string, unknown>, token?: string) => {
  const options = await registrationOptions(body, token);
  if (options.status !== 200) return options;
  return stage.call('POST', '/v1/registration/verify', { body: { response: authenticator.register(options.body.options) } });
};

const signIn = async (authenticator: SoftAuthenticator) => {
  const options = await stage.call('POST', '/v1/authentication/options', { body: {} });
  return stage.call('POST', '/v1/authentication/verify', { body: { response: authenticator.authenticate(options.body.options) } });
};

/** A user in these groups with one key of this kind, enrolled under the default policy. */
const enrolledUser = async (groups: string[], options: { aaguid?: string; backupEligible?: boolean } = {}) => {
  const user = await newUser(groups);
  const authenticator = new SoftAuthenticator({ origin: stage.url, ...options });
  const registered = await register(authenticator, { enrollmentCode: await codeFor(user.id) });
  expect(registered.status).toBe(201);
  return { user, authenticator, token: registered.body.accessToken as string };
};

const lastFailure = async (detailType: 'Sign-In Failed' | 'Credential Registration Failed') =>
  (await outboxEvents(stage)).filter((event) => event.detailType === detailType).at(-1)?.detail;

const expectDenied = async (result: { status: number; body: any }, detailType: 'Sign-In Failed' | 'Credential Registration Failed', reason: string) => {
  expect(result.status).toBe(403);
  expect(result.body).toMatchObject({ code: 'policy_denied', status: 403 });
  expect(await lastFailure(detailType)).toMatchObject({ outcome: 'failure', reason });
};

describe('enabled', () => {
  it('off refuses registration and sign-in with policy_disabled, at options and at verify', async () => {
    const { authenticator, user } = await enrolledUser([]);
    const pendingSignIn = await stage.call('POST', '/v1/authentication/options', { body: {} });
    await setPolicy({ enabled: false });

    await expectDenied(await register(new SoftAuthenticator({ origin: stage.url }), { enrollmentCode: await codeFor(user.id) }), 'Credential Registration Failed', 'policy_disabled');
    await expectDenied(await registrationOptions({ username: 'nobody-yet' }), 'Credential Registration Failed', 'policy_disabled');
    await expectDenied(await stage.call('POST', '/v1/authentication/options', { body: {} }), 'Sign-In Failed', 'policy_disabled');
    // A ceremony started before the switch is refused after its valid assertion.
    const verified = await stage.call('POST', '/v1/authentication/verify', { body: { response: authenticator.authenticate(pendingSignIn.body.options) } });
    await expectDenied(verified, 'Sign-In Failed', 'policy_disabled');
    expect(await lastFailure('Sign-In Failed')).toMatchObject({ user: { id: user.id } });
  });
});

describe('targeting', () => {
  it('includeGroups admits only its groups at registration and sign-in', async () => {
    const pilot = await enrolledUser(['pilot']);
    const staff = await enrolledUser(['staff']);
    await setPolicy({ includeGroups: ['pilot'] });

    expect((await signIn(pilot.authenticator)).status).toBe(200);
    expect((await register(new SoftAuthenticator({ origin: stage.url }), { enrollmentCode: await codeFor(pilot.user.id) })).status).toBe(201);
    await expectDenied(await signIn(staff.authenticator), 'Sign-In Failed', 'user_not_targeted');
    await expectDenied(await register(new SoftAuthenticator({ origin: stage.url }), { enrollmentCode: await codeFor(staff.user.id) }), 'Credential Registration Failed', 'user_not_targeted');
    // A self sign-up has no group yet, so only an everyone-policy lets it in.
    await expectDenied(await registrationOptions({ username: 'newcomer' }), 'Credential Registration Failed', 'user_not_targeted');
  });

  it('excludeGroups wins over includeGroups, "*" included', async () => {
    const contractor = await enrolledUser(['pilot', 'contractors']);
    await setPolicy({ includeGroups: ['*'], excludeGroups: ['contractors'] });

    await expectDenied(await signIn(contractor.authenticator), 'Sign-In Failed', 'user_not_targeted');
    await expectDenied(await register(new SoftAuthenticator({ origin: stage.url }), { enrollmentCode: await codeFor(contractor.user.id) }), 'Credential Registration Failed', 'user_not_targeted');

    await setPolicy({ includeGroups: ['pilot'], excludeGroups: ['contractors'] });
    await expectDenied(await signIn(contractor.authenticator), 'Sign-In Failed', 'user_not_targeted');
  });

  it('follows a user\'s group change at once', async () => {
    const { user, authenticator } = await enrolledUser(['staff']);
    await setPolicy({ includeGroups: ['pilot'] });
    expect((await signIn(authenticator)).status).toBe(403);

    await admin('PATCH', `/v1/admin/users/${user.id}`, { groups: ['staff', 'pilot'] });

    expect((await signIn(authenticator)).status).toBe(200);
  });
});

describe('keyRestrictions', () => {
  it('a block list refuses the model at registration, with the key in the event, and locks out its enrolled keys at sign-in', async () => {
    const enrolled = await enrolledUser([], { aaguid: yubiKey });
    const other = await enrolledUser([], { aaguid: otherKey });
    await setPolicy({ keyRestrictions: { enforced: true, enforcementType: 'block', aaguids: [yubiKey] } });

    await expectDenied(await signIn(enrolled.authenticator), 'Sign-In Failed', 'aaguid_restricted');
    expect(await lastFailure('Sign-In Failed')).toMatchObject({ credential: { aaguid: yubiKey }, user: { id: enrolled.user.id } });
    expect((await signIn(other.authenticator)).status).toBe(200);

    const user = await newUser();
    await expectDenied(await register(new SoftAuthenticator({ origin: stage.url, aaguid: yubiKey }), { enrollmentCode: await codeFor(user.id) }), 'Credential Registration Failed', 'aaguid_restricted');
    expect(await lastFailure('Credential Registration Failed')).toMatchObject({ credential: { aaguid: yubiKey }, user: { id: user.id } });
    expect((await register(new SoftAuthenticator({ origin: stage.url, aaguid: otherKey }), { enrollmentCode: await codeFor(user.id) })).status).toBe(201);
  });

  it('an allow list admits only its models at registration and sign-in', async () => {
    const allowed = await enrolledUser([], { aaguid: yubiKey });
    const unlisted = await enrolledUser([], { aaguid: otherKey });
    await setPolicy({ keyRestrictions: { enforced: true, enforcementType: 'allow', aaguids: [yubiKey] } });

    expect((await signIn(allowed.authenticator)).status).toBe(200);
    await expectDenied(await signIn(unlisted.authenticator), 'Sign-In Failed', 'aaguid_restricted');
    const user = await newUser();
    await expectDenied(await register(new SoftAuthenticator({ origin: stage.url, aaguid: otherKey }), { enrollmentCode: await codeFor(user.id) }), 'Credential Registration Failed', 'aaguid_restricted');
    expect((await register(new SoftAuthenticator({ origin: stage.url, aaguid: yubiKey }), { enrollmentCode: await codeFor(user.id) })).status).toBe(201);
  });

  it('not enforced, the list is ignored', async () => {
    const enrolled = await enrolledUser([], { aaguid: yubiKey });
    await setPolicy({ keyRestrictions: { enforced: false, enforcementType: 'allow', aaguids: [] } });
    expect((await signIn(enrolled.authenticator)).status).toBe(200);
  });
});

describe('allowSyncedPasskeys', () => {
  it('off refuses backup-eligible credentials at registration and sign-in, not security keys', async () => {
    const synced = await enrolledUser([], { backupEligible: true });
    const securityKey = await enrolledUser([], { backupEligible: false });
    await setPolicy({ allowSyncedPasskeys: false });

    await expectDenied(await signIn(synced.authenticator), 'Sign-In Failed', 'synced_passkey_not_allowed');
    expect((await signIn(securityKey.authenticator)).status).toBe(200);
    const user = await newUser();
    await expectDenied(await register(new SoftAuthenticator({ origin: stage.url, backupEligible: true }), { enrollmentCode: await codeFor(user.id) }), 'Credential Registration Failed', 'synced_passkey_not_allowed');
    expect((await register(new SoftAuthenticator({ origin: stage.url }), { enrollmentCode: await codeFor(user.id) })).status).toBe(201);
  });
});

describe('enforceAttestation', () => {
  it('on refuses every registration while no attestation is trusted, and leaves sign-in with existing keys alone', async () => {
    const enrolled = await enrolledUser([]);
    await setPolicy({ enforceAttestation: true });

    const user = await newUser();
    await expectDenied(await register(new SoftAuthenticator({ origin: stage.url }), { enrollmentCode: await codeFor(user.id) }), 'Credential Registration Failed', 'attestation_untrusted');
    expect((await signIn(enrolled.authenticator)).status).toBe(200);
  });
});

describe('how keys may be added', () => {
  it('allowSelfServiceSetup off refuses a signed-in user adding a key, not an enrollment code', async () => {
    const { token, user } = await enrolledUser([]);
    await setPolicy({ allowSelfServiceSetup: false });

    await expectDenied(await registrationOptions({}, token), 'Credential Registration Failed', 'self_service_disabled');
    expect((await register(new SoftAuthenticator({ origin: stage.url }), { enrollmentCode: await codeFor(user.id) })).status).toBe(201);

    await setPolicy({ allowSelfServiceSetup: true });
    expect((await register(new SoftAuthenticator({ origin: stage.url }), {}, token)).status).toBe(201);
  });

  it('allowSelfSignUp off refuses open sign-up', async () => {
    await setPolicy({ allowSelfSignUp: false });
    await expectDenied(await registrationOptions({ username: 'walk-in' }), 'Credential Registration Failed', 'self_sign_up_disabled');
  });

  it('maxCredentialsPerUser refuses a key beyond the limit', async () => {
    const { user } = await enrolledUser([]);
    await setPolicy({ maxCredentialsPerUser: 1 });
    await expectDenied(await registrationOptions({ enrollmentCode: await codeFor(user.id) }), 'Credential Registration Failed', 'credential_limit_reached');
  });
});

describe('rules apply between the options and verify steps too', () => {
  it('a key restriction set after the options step refuses at verify', async () => {
    const user = await newUser();
    const options = await registrationOptions({ enrollmentCode: await codeFor(user.id) });
    await setPolicy({ includeGroups: ['pilot'] });

    const verified = await stage.call('POST', '/v1/registration/verify', { body: { response: new SoftAuthenticator({ origin: stage.url }).register(options.body.options) } });

    await expectDenied(verified, 'Credential Registration Failed', 'user_not_targeted');
  });
});
