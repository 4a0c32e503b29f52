import type { FailureReason } from '../events/catalog.ts';
import type { Policy } from './policy.ts';
import type { RegistrationMethod } from './types.ts';

/**
 * The policy engine: every allow-or-refuse decision the authentication-method policy makes,
 * for every flow, in one place. Pure functions of the policy and the facts a flow has; the
 * use cases turn a refusal into an error and its audit event. The impact report runs the same
 * functions over the directory, so what it predicts is what sign-in will do.
 */

/** Why the policy refuses; each is a `reason` of the audit event (EVENTS.md). */
export type PolicyDenialReason = Extract<
  FailureReason,
  | 'policy_disabled'
  | 'user_disabled'
  | 'user_not_targeted'
  | 'self_service_disabled'
  | 'self_sign_up_disabled'
  | 'reauthentication_required'
  | 'credential_limit_reached'
  | 'attestation_untrusted'
  | 'aaguid_restricted'
  | 'synced_passkey_not_allowed'
>;

export type Decision = { allowed: true } | { allowed: false; reason: PolicyDenialReason; detail: string };

/** What the policy looks at about a user. */
export interface PolicyUser {
  groups: readonly string[];
  disabled: boolean;
}

/** What the policy looks at about a key: its model, whether it syncs, whether its attestation is trusted. */
export interface PolicyAuthenticator {
  aaguid: string;
  /** BE flag (WebAuthn §6.1.3): a synced (multi-device) passkey. */
  backupEligible: boolean;
  attestationTrusted: boolean;
}

export interface RegistrationFacts {
  method: RegistrationMethod;
  user: PolicyUser;
  /** Keys the user has now. */
  credentialCount: number;
  /** Seconds since the bearer token's sign-in, for a signed-in user adding a key at options. */
  signInAgeSeconds?: number | undefined;
}

const allow: Decision = { allowed: true };
const deny = (reason: PolicyDenialReason, detail: string): Decision => ({ allowed: false, reason, detail });

/** The group that stands for every user in `includeGroups`. */
export const everyone = '*';

/** Entra's targeting: included by `"*"` or a shared group, and not in any excluded group (exclude wins). */
export const isTargeted = (policy: Pick<Policy, 'includeGroups' | 'excludeGroups'>, user: Pick<PolicyUser, 'groups'>): boolean => {
  if (user.groups.some((group) => policy.excludeGroups.includes(group))) return false;
  return policy.includeGroups.includes(everyone) || user.groups.some((group) => policy.includeGroups.includes(group));
};

/** Entra's "Restrict specific keys": an allow list admits only its models, a block list refuses its models. */
export const isKeyModelAllowed = (restrictions: Policy['keyRestrictions'], aaguid: string): boolean => {
  if (!restrictions.enforced) return true;
  const listed = restrictions.aaguids.includes(aaguid.toLowerCase());
  return restrictions.enforcementType === 'allow' ? listed : !listed;
};

/** The rules that apply to a user whatever they do: the method is on, the account enabled and targeted. */
export const decideUserAccess = (policy: Policy, user: PolicyUser): Decision => {
  const started = decideSignInStart(policy);
  if (!started.allowed) return started;
  if (user.disabled) return deny('user_disabled', 'This account is disabled.');
  if (!isTargeted(policy, user)) return deny('user_not_targeted', 'The security-key policy does not include this account.');
  return allow;
};

/** The rules about a key's model and kind, checked at registration and at every sign-in. */
const decideKey = (policy: Policy, key: Pick<PolicyAuthenticator, 'aaguid' | 'backupEligible'>): Decision => {
  if (!isKeyModelAllowed(policy.keyRestrictions, key.aaguid)) {
    return deny('aaguid_restricted', 'This model of security key is not allowed here.');
  }
  if (key.backupEligible && !policy.allowSyncedPasskeys) {
    return deny('synced_passkey_not_allowed', 'Synced passkeys are not allowed here; use a security key.');
  }
  return allow;
};

/**
 * May this key be registered? Without `authenticator` (the options step, before the browser
 * answers) the key's own rules wait for verify; with it every rule applies.
 */
export const decideRegistration = (policy: Policy, facts: RegistrationFacts, authenticator?: PolicyAuthenticator): Decision => {
  const forUser = decideUserAccess(policy, facts.user);
  if (!forUser.allowed) return forUser;
  if (facts.method === 'selfService' && !policy.allowSelfServiceSetup) {
    return deny('self_service_disabled', 'Adding keys yourself is turned off; ask an administrator for an enrollment code.');
  }
  if (facts.method === 'selfSignUp' && !policy.allowSelfSignUp) {
    return deny('self_sign_up_disabled', 'Creating an account yourself is turned off; ask an administrator.');
  }
  // Ensure a stolen, older token cannot add an attacker's key (API.md: stepUpMaxAgeSeconds).
  if (facts.signInAgeSeconds !== undefined && facts.signInAgeSeconds > policy.stepUpMaxAgeSeconds) {
    return deny('reauthentication_required', `Adding a key needs a sign-in from the last ${policy.stepUpMaxAgeSeconds} seconds; sign in again.`);
  }
  if (facts.credentialCount >= policy.maxCredentialsPerUser) {
    return deny('credential_limit_reached', `This account already has the maximum of ${policy.maxCredentialsPerUser} keys.`);
  }
  if (!authenticator) return allow;
  // Entra's "Enforce attestation" checks registration only; with no trusted root yet, nothing passes.
  if (policy.enforceAttestation && !authenticator.attestationTrusted) {
    return deny('attestation_untrusted', 'The key\'s attestation does not chain to a trusted root.');
  }
  return decideKey(policy, authenticator);
};

/**
 * May a sign-in ceremony start? Before the browser answers nobody is known, so only the global
 * switch applies; it reveals nothing about any user.
 */
export const decideSignInStart = (policy: Pick<Policy, 'enabled'>): Decision =>
  policy.enabled ? allow : deny('policy_disabled', 'Security-key sign-in is turned off.');

/** May this user sign in with this key? Checked after the assertion verified (API.md). */
export const decideSignIn = (policy: Policy, user: PolicyUser, credential: Pick<PolicyAuthenticator, 'aaguid' | 'backupEligible'>): Decision => {
  const forUser = decideUserAccess(policy, user);
  if (!forUser.allowed) return forUser;
  return decideKey(policy, credential);
};
