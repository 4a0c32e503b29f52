import * as z from '../zod.ts';
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { ConditionFailedError, PolicyDeniedError, VerificationFailedError, withAuditSubject, type AuditSubject } from '../errors.ts';
import type { AuditLog, ChallengeStore, Clock, CredentialStore, PolicySource, TokenSigner } from '../ports.ts';
import {
  toPublicCredential,
  toPublicUser,
  usernameKey,
  type AuthenticationChallenge,
  type RequestContext,
  type StoredCredential,
  type StoredUser,
} from '../domain/types.ts';
import { buildEvent, eventCredential, eventUser } from '../events/build-event.ts';
import type { FailureReason } from '../events/catalog.ts';
import { issueAccessToken, type TokenSettings } from '../tokens/access-token.ts';
import { parseClientData } from '../webauthn/client-data.ts';
import { checkAuthenticatorData, checkChallenge, checkClientData, parseAuthenticatorDataOrFail } from '../webauthn/checks.ts';
import { authenticationResponseSchema, type AuthenticationResponse } from '../webauthn/response-schemas.ts';
import type { RelyingPartySettings } from '../webauthn/settings.ts';
import { decideFlaggedKey } from '../metadata/attestation-policy.ts';
import { decideSignIn } from '../domain/policy-engine.ts';
import { enforcePolicy } from './enforce-policy.ts';

export const finishSignInRequest = z.strictObject({ response: authenticationResponseSchema });
export type FinishSignInRequest = z.infer<typeof finishSignInRequest>;

export interface FinishSignInDeps {
  challenges: ChallengeStore;
  credentials: CredentialStore;
  policy: PolicySource;
  audit: AuditLog;
  signer: TokenSigner;
  clock: Clock;
  relyingParty: RelyingPartySettings;
  tokenSettings: TokenSettings;
}

/**
 * Verifies an assertion (WebAuthn Level 3 §7.2) and issues an access token only after the
 * counter update and its audit event commit in one transaction.
 * Round trips: the challenge delete and the user+credential read in parallel, then the write.
 */
export const finishSignIn = async (
  input: { request: FinishSignInRequest; context: RequestContext },
  deps: FinishSignInDeps,
) => {
  const { response } = input.request;
  const now = deps.clock.now();

  // §7.2 steps 9–10: decode and parse the client data.
  const clientData = parseClientData(response.response.clientDataJSON);
  // §7.2 steps 5–6 (credential and owner) in parallel with using up the challenge (step 12).
  // The policy is read in the same round (usually from cache) so the path stays at two round trips.
  const [consumed, found, policy] = await Promise.all([
    deps.challenges.consume(clientData.challenge),
    loadCredential(response, deps.credentials),
    deps.policy.current(),
  ]);
  const challenge = checkChallenge(consumed, 'authentication', now) as AuthenticationChallenge;

  const { user, credential } = found;
  if (!user || !credential) {
    throw new VerificationFailedError('This key is not registered with this service.', {
      reason: found.ownerMismatch ? 'user_handle_mismatch' : 'credential_unknown',
    });
  }
  const subject: AuditSubject = { user: eventUser(user), credential: eventCredential(credential) };
  const refuse = (message: string, reason: FailureReason) => new VerificationFailedError(message, { reason, subject });

  // §7.2 step 6: a ceremony started for a username must end with that user's key.
  if (challenge.usernameKey !== undefined && challenge.usernameKey !== usernameKey(user.username)) {
    throw refuse('This key belongs to a different account than the one signing in.', 'user_mismatch');
  }

  // §7.2 steps 11, 13, 14: type and origin.
  withAuditSubject(() => checkClientData(clientData, 'webauthn.get', deps.relyingParty.origins), subject);
  // §7.2 steps 15–17: RP ID hash, UP, UV.
  const authData = withAuditSubject(() => parseAuthenticatorDataOrFail(Buffer.from(response.response.authenticatorData, 'base64url')), subject);
  withAuditSubject(() => checkAuthenticatorData(authData, deps.relyingParty.rpId, challenge.userVerification), subject);

  // §7.2 steps 18–21: signature over authenticatorData || SHA-256(clientDataJSON), by the library.
  // The counter is compared below (step 22), so the library is given 0 and cannot decide it.
  let verified = false;
  try {
    const result = await verifyAuthenticationResponse({
      response: { ...response, response: { ...response.response, userHandle: response.response.userHandle ?? undefined } },
      expectedChallenge: challenge.value,
      expectedOrigin: deps.relyingParty.origins,
      expectedRPID: deps.relyingParty.rpId,
      credential: { id: credential.id, publicKey: Buffer.from(credential.publicKey, 'base64url'), counter: 0, transports: credential.transports },
      requireUserVerification: challenge.userVerification === 'required',
    });
    verified = result.verified;
  } catch (cause) {
    throw new VerificationFailedError('The signature did not verify.', { reason: 'signature_invalid', subject, cause });
  }
  if (!verified) throw refuse('The signature did not verify.', 'signature_invalid');

  // Level 3 §7.2 step 19 (BE): backup eligibility is fixed at creation; a change means another key.
  if (authData.flags.be !== credential.backupEligible) {
    throw refuse('The key reports a different backup eligibility than when it was registered.', 'backup_eligibility_changed');
  }

  // The policy refuses only after a valid assertion (API.md): a disabled or untargeted user, a
  // method turned off, a key model no longer allowed, a synced passkey where they are not.
  enforcePolicy(decideSignIn(policy, user, credential), subject);
  // FIDO metadata reported this key's model compromised after enrolment (docs/metadata.md).
  const flaggedKey = decideFlaggedKey(policy, credential);
  if (!flaggedKey.allowed) throw new PolicyDeniedError(flaggedKey.detail, { reason: flaggedKey.reason, subject });

  // §7.2 step 22: a non-zero counter must grow; otherwise the key may have been cloned.
  const received = authData.counter;
  const regressed = (received !== 0 || credential.counter !== 0) && received <= credential.counter;
  const cloneEvent = regressed
    ? buildEvent(
        'Credential Clone Suspected',
        {
          actor: { type: 'user', userId: user.id },
          outcome: policy.counterRegression === 'flag' ? 'success' : 'failure',
          reason: 'counter_regression',
          user: eventUser(user),
          credential: eventCredential(credential, authData.flags.uv),
          counter: { stored: credential.counter, received },
        },
        input.context,
        deps.clock,
      )
    : undefined;
  if (cloneEvent && policy.counterRegression === 'reject') {
    await deps.audit.record(cloneEvent);
    throw refuse('The signature counter did not increase; this key may have been cloned.', 'counter_regression');
  }

  const lastUsedAt = new Date(now).toISOString();
  const updated: StoredCredential = {
    ...credential,
    counter: regressed ? credential.counter : received,
    backedUp: authData.flags.bs,
    lastUsedAt,
    cloneSuspected: regressed || credential.cloneSuspected,
  };
  const signedIn = buildEvent(
    'Sign-In Succeeded',
    { actor: { type: 'user', userId: user.id }, outcome: 'success', user: eventUser(user), credential: eventCredential(updated, authData.flags.uv) },
    input.context,
    deps.clock,
  );
  try {
    await deps.credentials.recordSignIn({
      userId: user.id,
      credentialId: credential.id,
      expectedCounter: credential.counter,
      newCounter: updated.counter,
      backedUp: updated.backedUp,
      lastUsedAt,
      cloneSuspected: regressed,
      events: cloneEvent ? [cloneEvent, signedIn] : [signedIn],
    });
  } catch (error) {
    if (error instanceof ConditionFailedError) {
      // Another sign-in with this key committed first, or the user was disabled meanwhile.
      throw error.guard === 'user'
        ? new PolicyDeniedError('This account is disabled.', { reason: 'user_disabled', subject, cause: error })
        : new VerificationFailedError('The key was used concurrently; try again.', { reason: 'concurrent_update', subject, cause: error });
    }
    throw error;
  }

  const token = await issueAccessToken(
    { user, authTime: now, userVerified: authData.flags.uv, lifetimeSeconds: policy.accessTokenLifetimeSeconds },
    { signer: deps.signer, clock: deps.clock, settings: deps.tokenSettings },
  );
  return { ...token, user: toPublicUser(user), credential: toPublicCredential(updated) };
};

/**
 * The credential and its owner: by userHandle when the authenticator returns one (discoverable
 * credentials always do), otherwise through the credential-id guard.
 */
const loadCredential = async (
  response: AuthenticationResponse,
  credentials: CredentialStore,
): Promise<{ user?: StoredUser; credential?: StoredCredential; ownerMismatch?: boolean }> => {
  const userHandle = response.response.userHandle ?? undefined;
  if (userHandle) {
    const found = await credentials.getWithUser(userHandle, response.id);
    if (found.credential) return found;
    // Failure path only: tell a key of another user (§7.2 step 6) from an unknown key.
    const owner = await credentials.findOwner(response.id);
    return { ownerMismatch: owner !== undefined && owner !== userHandle };
  }
  const owner = await credentials.findOwner(response.id);
  return owner ? credentials.getWithUser(owner, response.id) : {};
};
