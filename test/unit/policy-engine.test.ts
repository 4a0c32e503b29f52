import { describe, expect, it } from 'vitest';
import { basePolicy, type Policy } from '../../shared/domain/policy.ts';
import { decideRegistration, decideSignIn, decideSignInStart, isKeyModelAllowed, isTargeted, type PolicyAuthenticator } from '../../shared/domain/policy-engine.ts';

const yubiKey = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const other = 'ee882879-721c-4913-9775-3dfcce97072a';
const policyWith = (overrides: Partial<Policy>): Policy => ({ ...basePolicy, ...overrides });
const member = (...groups: string[]) => ({ groups, disabled: false });
const securityKey: PolicyAuthenticator = { aaguid: yubiKey, backupEligible: false, attestationTrusted: false };
const syncedPasskey: PolicyAuthenticator = { aaguid: other, backupEligible: true, attestationTrusted: false };
const enrolment = (overrides: Partial<Parameters<typeof decideRegistration>[1]> = {}) => ({
  method: 'enrollmentCode' as const,
  user: member('staff'),
  credentialCount: 0,
  ...overrides,
});

describe('isTargeted', () => {
  it.each([
    [['*'], [], [], true],
    [['*'], [], ['contractors'], true],
    [['pilot'], [], ['pilot'], true],
    [['pilot'], [], ['staff'], false],
    [['pilot'], [], [], false],
    [['*'], ['contractors'], ['contractors'], false],
    [['pilot'], ['pilot'], ['pilot'], false],
    [['pilot', 'it'], ['contractors'], ['it', 'contractors'], false],
    [[], [], ['pilot'], false],
  ])('include %j, exclude %j, user in %j → %s (exclude wins)', (includeGroups, excludeGroups, groups, expected) => {
    expect(isTargeted({ includeGroups, excludeGroups }, { groups })).toBe(expected);
  });
});

describe('isKeyModelAllowed', () => {
  it('allows every model when restrictions are not enforced, whatever the list says', () => {
    expect(isKeyModelAllowed({ enforced: false, enforcementType: 'allow', aaguids: [] }, yubiKey)).toBe(true);
  });
  it('admits only listed models under an allow list, case-insensitively', () => {
    const restrictions = { enforced: true, enforcementType: 'allow' as const, aaguids: [yubiKey] };
    expect(isKeyModelAllowed(restrictions, yubiKey.toUpperCase())).toBe(true);
    expect(isKeyModelAllowed(restrictions, other)).toBe(false);
  });
  it('refuses only listed models under a block list', () => {
    const restrictions = { enforced: true, enforcementType: 'block' as const, aaguids: [yubiKey] };
    expect(isKeyModelAllowed(restrictions, yubiKey)).toBe(false);
    expect(isKeyModelAllowed(restrictions, other)).toBe(true);
  });
});

describe('decideRegistration', () => {
  it('allows an enrolment under the base policy, before and after the key is known', () => {
    expect(decideRegistration(basePolicy, enrolment())).toEqual({ allowed: true });
    expect(decideRegistration(basePolicy, enrolment(), securityKey)).toEqual({ allowed: true });
  });

  it.each([
    ['the method is off', policyWith({ enabled: false }), enrolment(), 'policy_disabled'],
    ['the user is disabled', basePolicy, enrolment({ user: { groups: ['staff'], disabled: true } }), 'user_disabled'],
    ['the user is in no included group', policyWith({ includeGroups: ['pilot'] }), enrolment(), 'user_not_targeted'],
    ['the user is excluded', policyWith({ excludeGroups: ['staff'] }), enrolment(), 'user_not_targeted'],
    ['self-service is off', policyWith({ allowSelfServiceSetup: false }), enrolment({ method: 'selfService', signInAgeSeconds: 10 }), 'self_service_disabled'],
    ['self sign-up is off', policyWith({ allowSelfSignUp: false }), enrolment({ method: 'selfSignUp', user: member() }), 'self_sign_up_disabled'],
    ['the sign-in is too old', basePolicy, enrolment({ method: 'selfService', signInAgeSeconds: 301 }), 'reauthentication_required'],
    ['the user has the maximum of keys', policyWith({ maxCredentialsPerUser: 2 }), enrolment({ credentialCount: 2 }), 'credential_limit_reached'],
  ])('refuses when %s', (_, policy, facts, reason) => {
    expect(decideRegistration(policy, facts)).toMatchObject({ allowed: false, reason });
  });

  it('checks the disabled switch before anything about the user', () => {
    const decision = decideRegistration(policyWith({ enabled: false, includeGroups: ['pilot'] }), enrolment({ user: { groups: [], disabled: true } }));
    expect(decision).toMatchObject({ reason: 'policy_disabled' });
  });

  it('lets self sign-up through only where everyone is targeted, since a new user has no group', () => {
    const signUp = enrolment({ method: 'selfSignUp', user: member() });
    expect(decideRegistration(policyWith({ allowSelfSignUp: true }), signUp)).toEqual({ allowed: true });
    expect(decideRegistration(policyWith({ allowSelfSignUp: true, includeGroups: ['pilot'] }), signUp)).toMatchObject({ reason: 'user_not_targeted' });
  });

  it.each([
    ['a blocked model', policyWith({ keyRestrictions: { enforced: true, enforcementType: 'block', aaguids: [yubiKey] } }), securityKey, 'aaguid_restricted'],
    ['a model missing from the allow list', policyWith({ keyRestrictions: { enforced: true, enforcementType: 'allow', aaguids: [other] } }), securityKey, 'aaguid_restricted'],
    ['a synced passkey where they are not allowed', policyWith({ allowSyncedPasskeys: false }), syncedPasskey, 'synced_passkey_not_allowed'],
    ['an untrusted attestation where attestation is enforced', policyWith({ enforceAttestation: true }), securityKey, 'attestation_untrusted'],
  ])('refuses %s once the key is known', (_, policy, authenticator, reason) => {
    expect(decideRegistration(policy, enrolment())).toEqual({ allowed: true });
    expect(decideRegistration(policy, enrolment(), authenticator)).toMatchObject({ allowed: false, reason });
  });

  it('accepts a trusted attestation where attestation is enforced', () => {
    expect(decideRegistration(policyWith({ enforceAttestation: true }), enrolment(), { ...securityKey, attestationTrusted: true })).toEqual({ allowed: true });
  });
});

describe('decideSignInStart', () => {
  it('refuses to start a ceremony only when the method is off', () => {
    expect(decideSignInStart(basePolicy)).toEqual({ allowed: true });
    expect(decideSignInStart(policyWith({ enabled: false }))).toMatchObject({ allowed: false, reason: 'policy_disabled' });
  });
});

describe('decideSignIn', () => {
  it('allows a targeted, enabled user with an allowed key', () => {
    expect(decideSignIn(basePolicy, member('staff'), securityKey)).toEqual({ allowed: true });
  });

  it.each([
    ['the method is off', policyWith({ enabled: false }), member('staff'), securityKey, 'policy_disabled'],
    ['the user is disabled', basePolicy, { groups: ['staff'], disabled: true }, securityKey, 'user_disabled'],
    ['the user is not targeted', policyWith({ includeGroups: ['pilot'] }), member('staff'), securityKey, 'user_not_targeted'],
    ['the user is excluded', policyWith({ excludeGroups: ['staff'] }), member('staff', 'pilot'), securityKey, 'user_not_targeted'],
    ['the model was blocked after enrolment', policyWith({ keyRestrictions: { enforced: true, enforcementType: 'block', aaguids: [yubiKey] } }), member(), securityKey, 'aaguid_restricted'],
    ['the model left the allow list', policyWith({ keyRestrictions: { enforced: true, enforcementType: 'allow', aaguids: [other] } }), member(), securityKey, 'aaguid_restricted'],
    ['synced passkeys were turned off', policyWith({ allowSyncedPasskeys: false }), member(), syncedPasskey, 'synced_passkey_not_allowed'],
  ])('refuses when %s', (_, policy, user, credential, reason) => {
    expect(decideSignIn(policy, user, credential)).toMatchObject({ allowed: false, reason });
  });

  it('does not re-check attestation at sign-in, as Entra does not', () => {
    expect(decideSignIn(policyWith({ enforceAttestation: true }), member(), securityKey)).toEqual({ allowed: true });
  });
});
