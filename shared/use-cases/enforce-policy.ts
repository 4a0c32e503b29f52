import { PolicyDeniedError, ReauthenticationRequiredError, type AuditSubject } from '../errors.ts';
import type { Decision } from '../domain/policy-engine.ts';

/**
 * Turns a refusal of the policy engine into the error API.md names: 403 `policy_denied`, or
 * 403 `reauthentication_required` for a sign-in too old to add a key. The reason goes to the
 * audit event with the user and key it concerned.
 */
export const enforcePolicy = (decision: Decision, subject?: AuditSubject): void => {
  if (decision.allowed) return;
  if (decision.reason === 'reauthentication_required') {
    throw new ReauthenticationRequiredError(decision.detail, { reason: decision.reason, subject });
  }
  throw new PolicyDeniedError(decision.detail, { reason: decision.reason, subject });
};
