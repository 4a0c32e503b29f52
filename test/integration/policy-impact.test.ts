import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { startTestStage, type TestStage } from '../support/local-stage.ts';
import { localPolicyOverrides, resolvePolicyDefaults, type Policy } from '../../shared/domain/policy.ts';

/** The impact report on a seeded population, every user and key enrolled through the API. */
let stage: TestStage;
const localDefaults = resolvePolicyDefaults(localPolicyOverrides);
const yubiKey = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const feitian = 'ee882879-721c-4913-9775-3dfcce97072a';
const passkeyProvider = 'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4';
const population: Record<string, string> = {};

const admin = (method: string, path: string, body?: unknown) => stage.call(method, path, { token: stage.adminToken, ...(body === undefined ? {} : { body }) });

const seedUser = async (username: string, groups: string[], keys: { aaguid: string; backupEligible?: boolean }[]) => {
  const created = await admin('POST', '/v1/admin/users', { username, groups });
  population[username] = created.body.id;
  const { code } = (await admin('POST', `/v1/admin/users/${created.body.id}/enrollment-codes`, { oneTime: false })).body;
  for (const key of keys) {
    const authenticator = new SoftAuthenticator({ origin: stage.url, ...key });
    const options = await stage.call('POST', '/v1/registration/options', { body: { enrollmentCode: code } });
    const verified = await stage.call('POST', '/v1/registration/verify', { body: { response: authenticator.register(options.body.options) } });
    expect(verified.status).toBe(201);
  }
};

beforeAll(async () => {
  stage = await startTestStage();
  await seedUser('alice', ['pilot'], [{ aaguid: yubiKey }]);
  await seedUser('bob', ['staff'], [{ aaguid: feitian }, { aaguid: passkeyProvider, backupEligible: true }]);
  await seedUser('carol', ['pilot', 'contractors'], [{ aaguid: yubiKey }]);
  await seedUser('dave', ['staff'], []);
  await seedUser('erin', ['staff'], [{ aaguid: feitian }, { aaguid: yubiKey }]);
  await seedUser('frank', ['staff'], [{ aaguid: yubiKey }]);
  await admin('PATCH', `/v1/admin/users/${population.frank}`, { disabled: true });
});
afterAll(async () => {
  await stage?.close();
});

const impact = async (changes: Partial<Policy>, query = '') => {
  const result = await admin('POST', `/v1/admin/policy/impact${query}`, { ...localDefaults, ...changes });
  expect(result.status).toBe(200);
  return result.body;
};

const byUsername = (report: any, username: string) => report.affectedUsers.users.find((entry: any) => entry.user.username === username);

describe('POST /v1/admin/policy/impact', () => {
  it('reports nobody affected by the current policy', async () => {
    const report = await impact({});
    expect(report.totals).toEqual({ users: 6, disabledUsers: 1, credentials: 7 });
    expect(report.lockedOut).toEqual({ users: 0, credentials: 0, newlyLockedOutUsers: 0, newlyRefusedCredentials: 0 });
    expect(report.affectedUsers).toEqual({ total: 0, truncated: false, users: [] });
  });

  it('reports, rule by rule, who and which keys a proposed policy locks out, without applying it', async () => {
    // Act: staff and pilots only, contractors out, only YubiKeys and the passkey provider, no synced passkeys.
    const report = await impact({
      includeGroups: ['pilot', 'staff'],
      excludeGroups: ['contractors'],
      keyRestrictions: { enforced: true, enforcementType: 'allow', aaguids: [yubiKey, passkeyProvider] },
      allowSyncedPasskeys: false,
    });

    // Assess
    expect(report.lockedOut).toEqual({ users: 2, credentials: 4, newlyLockedOutUsers: 2, newlyRefusedCredentials: 4 });
    expect(report.rules).toEqual([
      { rule: 'policy_disabled', users: 0, credentials: 0 },
      { rule: 'user_not_targeted', users: 1, credentials: 1 },
      { rule: 'aaguid_restricted', users: 2, credentials: 2 },
      { rule: 'synced_passkey_not_allowed', users: 1, credentials: 1 },
    ]);
    expect(byUsername(report, 'carol')).toMatchObject({ lockedOut: true, newlyLockedOut: true, reason: 'user_not_targeted', credentials: [{ aaguid: yubiKey, reason: 'user_not_targeted' }] });
    const bob = byUsername(report, 'bob');
    expect(bob).toMatchObject({ lockedOut: true, newlyLockedOut: true, user: { id: population.bob, groups: ['staff'] } });
    expect(bob.credentials.map((credential: any) => [credential.aaguid, credential.reason]).sort()).toEqual([
      [feitian, 'aaguid_restricted'],
      [passkeyProvider, 'synced_passkey_not_allowed'],
    ].sort());
    // Erin keeps her YubiKey: affected, not locked out.
    const erin = byUsername(report, 'erin');
    expect(erin).toMatchObject({ lockedOut: false, newlyLockedOut: false });
    expect(erin.credentials.filter((credential: any) => credential.reason)).toEqual([expect.objectContaining({ aaguid: feitian, reason: 'aaguid_restricted', newlyRefused: true })]);
    // Alice is fine, Dave has no key but is targeted, Frank is disabled already.
    for (const username of ['alice', 'dave', 'frank']) expect(byUsername(report, username)).toBeUndefined();
    expect(report.affectedUsers.users.map((entry: any) => entry.user.username)).toEqual(['bob', 'carol', 'erin']);
    // The local stage asks for direct attestation, so the AAGUID warning does not apply.
    expect(report.warnings).toEqual([]);

    // Nothing was applied.
    expect((await admin('GET', '/v1/admin/policy')).body).toEqual(localDefaults);
  });

  it('counts users without keys when the policy no longer targets them: they could enrol before', async () => {
    const report = await impact({ includeGroups: ['pilot'] });
    expect(byUsername(report, 'dave')).toMatchObject({ lockedOut: true, newlyLockedOut: true, reason: 'user_not_targeted', credentials: [] });
    expect(report.rules.find((rule: any) => rule.rule === 'user_not_targeted')).toEqual({ rule: 'user_not_targeted', users: 3, credentials: 4 });
  });

  it('tells a lock-out the current policy already causes from a new one', async () => {
    await admin('PUT', '/v1/admin/policy', { ...localDefaults, excludeGroups: ['contractors'] });
    try {
      const report = await impact({ excludeGroups: ['contractors'], allowSyncedPasskeys: false });
      expect(byUsername(report, 'carol')).toMatchObject({ lockedOut: true, newlyLockedOut: false });
      expect(byUsername(report, 'bob')).toMatchObject({ lockedOut: false });
      expect(report.lockedOut).toMatchObject({ users: 1, newlyLockedOutUsers: 0, newlyRefusedCredentials: 1 });
      // Locked out (already) ranks before partly affected.
      expect(report.affectedUsers.users.map((entry: any) => entry.user.username)).toEqual(['carol', 'bob']);
    } finally {
      await admin('PUT', '/v1/admin/policy', localDefaults);
    }
  });

  it('turning the method off locks every enabled user out, and warns', async () => {
    const report = await impact({ enabled: false });
    expect(report.lockedOut.users).toBe(5);
    expect(report.rules[0]).toEqual({ rule: 'policy_disabled', users: 5, credentials: 6 });
    expect(report.warnings).toContain('enabled is false: nobody can sign in or register with a key.');
  });

  it('caps the list at ?limit= and gives the total', async () => {
    const report = await impact({ enabled: false }, '?limit=2');
    expect(report.affectedUsers.total).toBe(5);
    expect(report.affectedUsers.truncated).toBe(true);
    expect(report.affectedUsers.users).toHaveLength(2);
  });

  it('refuses an invalid proposed policy or limit with 400', async () => {
    expect((await admin('POST', '/v1/admin/policy/impact', { enabled: false })).status).toBe(400);
    expect((await admin('POST', '/v1/admin/policy/impact?limit=0', localDefaults)).status).toBe(400);
  });
});
