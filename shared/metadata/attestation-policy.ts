import type { Policy } from '../domain/policy.ts';
import type { AuthenticatorAssessment } from './assess-authenticator.ts';

/**
 * What `policy.enforceAttestation` decides, as pure functions of the policy and what is known
 * about the key. Kept apart from the assessment so the sign-in path loads no X.509 code.
 */

export type AttestationDecision =
  | { allowed: true }
  | { allowed: false; reason: 'authenticator_revoked' | 'attestation_untrusted'; detail: string };

/**
 * `policy.enforceAttestation` at registration: a model FIDO metadata reports compromised is
 * refused first, then any attestation that does not chain to its metadata's roots. Without
 * enforcement everything passes (and the credential records what was found).
 */
export const decideAttestation = (policy: Pick<Policy, 'enforceAttestation'>, assessment: AuthenticatorAssessment): AttestationDecision => {
  if (!policy.enforceAttestation) return { allowed: true };
  if (assessment.compromisedStatus) {
    return {
      allowed: false,
      reason: 'authenticator_revoked',
      detail: `FIDO Metadata Service reports this model${assessment.name ? ` (${assessment.name})` : ''} as ${assessment.compromisedStatus}; it cannot be registered.`,
    };
  }
  if (!assessment.trust.trusted) {
    return { allowed: false, reason: 'attestation_untrusted', detail: `Attestation is required and this key's is not trusted: ${assessment.trust.detail}` };
  }
  return { allowed: true };
};

/**
 * `policy.enforceAttestation` at sign-in: a key whose model was reported compromised after it
 * was enrolled (flagged by the metadata refresh, or at registration) signs in no more.
 */
export const decideFlaggedKey = (
  policy: Pick<Policy, 'enforceAttestation'>,
  credential: { authenticatorStatus?: string | undefined; authenticatorName?: string | undefined },
): AttestationDecision => {
  if (!policy.enforceAttestation || !credential.authenticatorStatus) return { allowed: true };
  return {
    allowed: false,
    reason: 'authenticator_revoked',
    detail: `FIDO Metadata Service reports this key's model${credential.authenticatorName ? ` (${credential.authenticatorName})` : ''} as ${credential.authenticatorStatus}; register another key.`,
  };
};
