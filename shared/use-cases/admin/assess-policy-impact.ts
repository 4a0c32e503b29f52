import * as z from '../../zod.ts';
import type { Policy } from '../../domain/policy.ts';
import { decideSignIn, decideUserAccess, type Decision, type PolicyDenialReason } from '../../domain/policy-engine.ts';
import type { User } from '../../domain/types.ts';
import type { Clock, DirectoryCredential, PolicyStore, UserDirectory } from '../../ports.ts';

/** The rules that can keep an enabled user from signing in with a key they have. */
export const lockoutRules = ['policy_disabled', 'user_not_targeted', 'aaguid_restricted', 'synced_passkey_not_allowed'] as const;
export type LockoutRule = (typeof lockoutRules)[number];

export const impactQuery = z.strictObject({
  /** How many affected users to list (the counts always cover everyone). */
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(1000)), 100),
});

export interface ImpactCredential {
  id: string;
  nickname: string;
  aaguid: string;
  authenticatorName?: string;
  backupEligible: boolean;
  /** Why the proposed policy refuses this key; absent if it still signs in. */
  reason?: LockoutRule;
  /** Refused by the proposed policy but not by the current one. */
  newlyRefused: boolean;
}

export interface ImpactUser {
  user: Pick<User, 'id' | 'username' | 'displayName' | 'groups'>;
  /** No way left to sign in (or, without keys, to enrol): refused as a user, or every key refused. */
  lockedOut: boolean;
  /** Locked out by the proposed policy but not by the current one. */
  newlyLockedOut: boolean;
  /** A refusal of the user as such (method off, not targeted). */
  reason?: LockoutRule;
  credentials: ImpactCredential[];
}

export interface PolicyImpact {
  evaluatedAt: string;
  /** Everyone looked at; disabled users are counted but not judged (they are out already). */
  totals: { users: number; disabledUsers: number; credentials: number };
  lockedOut: { users: number; credentials: number; newlyLockedOutUsers: number; newlyRefusedCredentials: number };
  /** Per rule: users it locks out (or refuses some key of) and keys it refuses, under the proposed policy. */
  rules: { rule: LockoutRule; users: number; credentials: number }[];
  /** Users with a locked-out account or a refused key, newly affected first; at most `limit`. */
  affectedUsers: { total: number; truncated: boolean; users: ImpactUser[] };
  /** Settings that do something other than an admin may expect. */
  warnings: string[];
}

export interface AssessPolicyImpactDeps {
  policies: PolicyStore;
  directory: UserDirectory;
  clock: Clock;
}

const refusal = (decision: Decision): LockoutRule | undefined =>
  decision.allowed ? undefined : (decision.reason as Extract<PolicyDenialReason, LockoutRule>);

/** How one policy treats one user and their keys: the same engine sign-in uses. */
const judge = (policy: Policy, user: User, credentials: DirectoryCredential[]) => {
  const userReason = refusal(decideUserAccess(policy, user));
  const keyReasons = credentials.map((credential) => userReason ?? refusal(decideSignIn(policy, user, credential)));
  const lockedOut = userReason !== undefined || (credentials.length > 0 && keyReasons.every((reason) => reason !== undefined));
  return { userReason, keyReasons, lockedOut };
};

/** Settings whose effect is easy to misjudge, so the report says it before the change is made. */
export const policyWarnings = (policy: Policy): string[] => {
  const warnings: string[] = [];
  if (!policy.enabled) warnings.push('enabled is false: nobody can sign in or register with a key.');
  if (policy.includeGroups.length === 0) warnings.push('includeGroups is empty: nobody is targeted; use ["*"] for everyone.');
  if (policy.keyRestrictions.enforced && policy.keyRestrictions.enforcementType === 'allow' && policy.keyRestrictions.aaguids.length === 0) {
    warnings.push('keyRestrictions allows an empty list: every key is refused.');
  }
  if (policy.keyRestrictions.enforced && policy.attestation === 'none') {
    warnings.push('keyRestrictions is enforced with attestation "none": browsers may then report an all-zero AAGUID; ask for "direct" attestation.');
  }
  if (policy.enforceAttestation) {
    warnings.push('enforceAttestation is on: no attestation is trusted until FIDO metadata (MDS) is available, so every new registration is refused. Existing keys are unaffected.');
  }
  return warnings;
};

/**
 * Which existing users and keys a proposed policy would lock out, rule by rule, before it is
 * applied (Entra has no such report). It reads the whole directory index: an admin operation,
 * never a hot path. The index is eventually consistent, so a change of the last second may be missing.
 */
export const assessPolicyImpact = async (
  input: { proposed: Policy; limit: number },
  deps: AssessPolicyImpactDeps,
): Promise<PolicyImpact> => {
  const { policy: current } = await deps.policies.read();
  const { proposed } = input;
  const totals = { users: 0, disabledUsers: 0, credentials: 0 };
  const lockedOut = { users: 0, credentials: 0, newlyLockedOutUsers: 0, newlyRefusedCredentials: 0 };
  const rules = new Map(lockoutRules.map((rule) => [rule, { rule, users: 0, credentials: 0 }]));
  const affected: ImpactUser[] = [];

  await deps.directory.forEachEntry(({ user, credentials }) => {
    totals.users += 1;
    totals.credentials += credentials.length;
    if (user.disabled) {
      totals.disabledUsers += 1;
      return;
    }
    const after = judge(proposed, user, credentials);
    const before = judge(current, user, credentials);
    const refusedKeys = after.keyReasons.filter((reason) => reason !== undefined);
    if (!after.lockedOut && refusedKeys.length === 0) return;

    const newlyLockedOut = after.lockedOut && !before.lockedOut;
    const impactCredentials = credentials.map((credential, index): ImpactCredential => {
      const reason = after.keyReasons[index];
      return {
        id: credential.id,
        nickname: credential.nickname,
        aaguid: credential.aaguid,
        ...(credential.authenticatorName ? { authenticatorName: credential.authenticatorName } : {}),
        backupEligible: credential.backupEligible,
        ...(reason ? { reason } : {}),
        newlyRefused: reason !== undefined && before.keyReasons[index] === undefined,
      };
    });
    if (after.lockedOut) lockedOut.users += 1;
    if (newlyLockedOut) lockedOut.newlyLockedOutUsers += 1;
    lockedOut.credentials += refusedKeys.length;
    lockedOut.newlyRefusedCredentials += impactCredentials.filter((credential) => credential.newlyRefused).length;
    for (const reason of new Set(after.userReason ? [after.userReason] : refusedKeys)) {
      const counts = rules.get(reason)!;
      counts.users += 1;
      counts.credentials += refusedKeys.filter((keyReason) => keyReason === reason).length;
    }
    affected.push({
      user: { id: user.id, username: user.username, displayName: user.displayName, groups: user.groups },
      lockedOut: after.lockedOut,
      newlyLockedOut,
      ...(after.userReason ? { reason: after.userReason } : {}),
      credentials: impactCredentials,
    });
  });

  // Newly locked out first, then locked out, then partly affected; by username within each.
  const rank = (entry: ImpactUser) => (entry.newlyLockedOut ? 0 : entry.lockedOut ? 1 : 2);
  affected.sort((a, b) => rank(a) - rank(b) || a.user.username.localeCompare(b.user.username));
  return {
    evaluatedAt: new Date(deps.clock.now()).toISOString(),
    totals,
    lockedOut,
    rules: [...rules.values()],
    affectedUsers: { total: affected.length, truncated: affected.length > input.limit, users: affected.slice(0, input.limit) },
    warnings: policyWarnings(proposed),
  };
};
