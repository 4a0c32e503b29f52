import * as z from '../zod.ts';
import { verifyRegistrationResponse } from '@simplewebauthn/server';
import { decodeAttestationObject, decodeCredentialPublicKey, cose } from '@simplewebauthn/server/helpers';
import {
  ConditionFailedError,
  ConflictError,
  PolicyDeniedError,
  UnauthorizedError,
  VerificationFailedError,
  withAuditSubject,
} from '../errors.ts';
import type { ChallengeStore, Clock, CredentialStore, EnrollmentCodeStore, PolicySource, TokenSigner, UserStore } from '../ports.ts';
import {
  toPublicCredential,
  toPublicUser,
  usernameKey,
  type RegistrationChallenge,
  type RequestContext,
  type StoredCredential,
  type StoredUser,
} from '../domain/types.ts';
import { buildEvent, eventCredential, eventUser } from '../events/build-event.ts';
import type { AuditEvent } from '../events/catalog.ts';
import { issueAccessToken, type TokenSettings } from '../tokens/access-token.ts';
import { parseClientData } from '../webauthn/client-data.ts';
import { checkAuthenticatorData, checkChallenge, checkClientData, parseAuthenticatorDataOrFail } from '../webauthn/checks.ts';
import { registrationResponseSchema } from '../webauthn/response-schemas.ts';
import { supportedAlgorithms, type RelyingPartySettings } from '../webauthn/settings.ts';
import { nicknameSchema } from './user-fields.ts';
import { assessAuthenticator } from '../metadata/assess-authenticator.ts';
import { decideAttestation } from '../metadata/attestation-policy.ts';
import type { RevocationChecking } from '../metadata/certificate-path.ts';
import type { AuthenticatorMetadataSource } from '../metadata/ports.ts';
import { enforcePolicy } from './enforce-policy.ts';
import { decideRegistration } from '../domain/policy-engine.ts';

export const finishRegistrationRequest = z.strictObject({
  response: registrationResponseSchema,
  nickname: z.optional(nicknameSchema),
});
export type FinishRegistrationRequest = z.infer<typeof finishRegistrationRequest>;

export interface FinishRegistrationDeps {
  challenges: ChallengeStore;
  users: UserStore;
  credentials: CredentialStore;
  enrollmentCodes: EnrollmentCodeStore;
  policy: PolicySource;
  signer: TokenSigner;
  clock: Clock;
  relyingParty: RelyingPartySettings;
  tokenSettings: TokenSettings;
  /** FIDO metadata (MDS3), read through a per-container cache: attestation roots, status, names. */
  metadata: AuthenticatorMetadataSource;
  /** CRLs named by attestation certificates (docs/metadata.md); absent: not consulted. */
  attestationRevocation?: RevocationChecking | undefined;
}

/** Until the user names it: synced credentials are passkeys, the rest security keys. */
const defaultNickname = (backupEligible: boolean): string => (backupEligible ? 'Passkey' : 'Security key');

/**
 * Verifies a registration (WebAuthn Level 3 §7.1) and stores the credential, its guards, the
 * bounded key count, the new user on sign-up and the audit events in one transaction.
 */
export const finishRegistration = async (
  input: { request: FinishRegistrationRequest; context: RequestContext },
  deps: FinishRegistrationDeps,
) => {
  const { response } = input.request;
  const now = deps.clock.now();

  // §7.1 steps 5–6: decode and parse the client data.
  const clientData = parseClientData(response.response.clientDataJSON);
  // §7.1 step 8: the challenge, used up by this first attempt whatever its outcome.
  const challenge = checkChallenge(await deps.challenges.consume(clientData.challenge), 'registration', now) as RegistrationChallenge;
  const subject = { user: { id: challenge.userId, username: challenge.username } };

  const attestation = withAuditSubject(() => {
    // §7.1 steps 7, 9, 10: type and origin.
    checkClientData(clientData, 'webauthn.create', deps.relyingParty.origins);
    // §7.1 steps 12–16: attestation object, RP ID hash, UP, UV, BE/BS.
    const attestation = decodeAttestationOrFail(response.response.attestationObject);
    const authData = parseAuthenticatorDataOrFail(attestation.get('authData'));
    checkAuthenticatorData(authData, deps.relyingParty.rpId, challenge.userVerification);
    if (!authData.flags.at || !authData.credentialID || !authData.credentialPublicKey || !authData.aaguid) {
      throw new VerificationFailedError('authenticatorData carries no attested credential data.', { reason: 'malformed_response' });
    }
    return attestation;
  }, subject);

  // §7.1 steps 17–21 (algorithm, attestation statement) and the checks above again, by the library.
  let verification: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verification = await verifyRegistrationResponse({
      response: { ...input.request.response, response: { ...response.response, transports: response.response.transports ?? [] } },
      expectedChallenge: challenge.value,
      expectedOrigin: deps.relyingParty.origins,
      expectedRPID: deps.relyingParty.rpId,
      requireUserVerification: challenge.userVerification === 'required',
      supportedAlgorithmIDs: supportedAlgorithms,
    });
  } catch (cause) {
    const unsupported = cause instanceof Error && /algorithm/i.test(cause.message);
    throw new VerificationFailedError(unsupported ? 'The key uses an algorithm this service does not accept.' : 'The attestation did not verify.', {
      reason: unsupported ? 'algorithm_unsupported' : 'attestation_invalid',
      subject,
      cause,
    });
  }
  if (!verification.verified) {
    throw new VerificationFailedError('The attestation did not verify.', { reason: 'attestation_invalid', subject });
  }
  const info = verification.registrationInfo;

  // §7.1 step 22: the credential id is at most 1023 bytes.
  if (Buffer.from(info.credential.id, 'base64url').length > 1023) {
    throw new VerificationFailedError('The credential id is longer than 1023 bytes.', { reason: 'malformed_response', subject });
  }

  const policy = await deps.policy.current();
  const user = await resolveUser(challenge, deps, now);
  // §7.1 step 21: the attestation's trustworthiness, the model's status and name, from FIDO metadata.
  const authenticator = await assessAuthenticator(
    { attestation, aaguid: info.aaguid },
    { metadata: deps.metadata, clock: deps.clock, revocation: deps.attestationRevocation },
  );
  const createdAt = new Date(now).toISOString();
  const backupEligible = info.credentialDeviceType === 'multiDevice';
  const credential: StoredCredential = {
    id: info.credential.id,
    userId: user.id,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    algorithm: coseAlgorithmOf(info.credential.publicKey),
    counter: info.credential.counter,
    transports: response.response.transports ?? [],
    aaguid: info.aaguid,
    backupEligible,
    backedUp: info.credentialBackedUp,
    userVerified: info.userVerified,
    attestationFormat: info.fmt,
    // Trust needs a chain to a root the model's FIDO metadata lists; `none` and self attestation never have one.
    attestationTrusted: authenticator.trust.trusted,
    attestationKeyIdentifier: authenticator.attestationKeyIdentifier,
    authenticatorName: authenticator.name,
    // Recorded even without enforcement, so turning enforcement on refuses the key at sign-in.
    authenticatorStatus: authenticator.compromisedStatus,
    nickname: input.request.nickname ?? defaultNickname(backupEligible),
    createdAt,
  };

  // policy.enforceAttestation: a compromised model, or an attestation that does not chain to its metadata, is refused.
  const attestationDecision = decideAttestation(policy, authenticator);
  if (!attestationDecision.allowed) {
    throw new PolicyDeniedError(attestationDecision.detail, {
      reason: attestationDecision.reason,
      subject: { user: eventUser(user), credential: eventCredential(credential) },
    });
  }
  // The whole policy again, now with the key's model, sync and attestation known.
  enforcePolicy(
    decideRegistration(policy, { method: challenge.method, user, credentialCount: user.credentialCount }, credential),
    { user: eventUser(user), credential: eventCredential(credential) },
  );

  const events: AuditEvent[] = [];
  if (challenge.method === 'selfSignUp') {
    events.push(buildEvent('User Created', { actor: { type: 'anonymous' }, outcome: 'success', user: eventUser(user), how: 'selfSignUp' }, input.context, deps.clock));
  }
  events.push(
    buildEvent(
      'Credential Registered',
      {
        actor: { type: 'user', userId: user.id },
        outcome: 'success',
        user: eventUser(user),
        credential: eventCredential(credential),
        how: challenge.method,
      },
      input.context,
      deps.clock,
    ),
  );

  try {
    await deps.credentials.register({
      credential,
      usernameKey: usernameKey(user.username),
      newUser: challenge.method === 'selfSignUp' ? user : undefined,
      enrollmentCode: challenge.enrollmentCodeHash
        ? await deps.enrollmentCodes.get(challenge.enrollmentCodeHash).then((code) => {
            if (!code) throw new UnauthorizedError('The enrollment code is not valid or has expired.', { reason: 'enrollment_code_invalid', subject });
            return code;
          })
        : undefined,
      maxCredentialsPerUser: policy.maxCredentialsPerUser,
      events,
    });
  } catch (error) {
    throw registrationRefusal(error, subject, policy.maxCredentialsPerUser);
  }

  const token = await issueAccessToken(
    { user, authTime: now, userVerified: info.userVerified, lifetimeSeconds: policy.accessTokenLifetimeSeconds },
    { signer: deps.signer, clock: deps.clock, settings: deps.tokenSettings },
  );
  return { credential: toPublicCredential(credential), user: toPublicUser(user), ...token };
};

const decodeAttestationOrFail = (attestationObject: string) => {
  let decoded: ReturnType<typeof decodeAttestationObject>;
  try {
    decoded = decodeAttestationObject(Buffer.from(attestationObject, 'base64url'));
  } catch (cause) {
    throw new VerificationFailedError('attestationObject is not valid CBOR.', { reason: 'malformed_response', cause });
  }
  // Ensure a CBOR map (WebAuthn §6.5.4): the decoder returns whatever the first CBOR item is.
  if (!(decoded instanceof Map)) {
    throw new VerificationFailedError('attestationObject is CBOR but not a map of fmt, attStmt and authData.', { reason: 'malformed_response' });
  }
  return decoded;
};

const coseAlgorithmOf = (publicKey: Uint8Array<ArrayBuffer>): number => {
  const alg = decodeCredentialPublicKey(publicKey).get(cose.COSEKEYS.alg);
  return typeof alg === 'number' ? alg : 0;
};

/** The user the key is for: created now on sign-up, otherwise still present (the policy checks it is enabled). */
const resolveUser = async (challenge: RegistrationChallenge, deps: FinishRegistrationDeps, now: number): Promise<StoredUser> => {
  if (challenge.method === 'selfSignUp') {
    return {
      id: challenge.userId,
      username: challenge.username,
      displayName: challenge.displayName,
      groups: [],
      disabled: false,
      createdAt: new Date(now).toISOString(),
      credentialCount: 0,
    };
  }
  const user = await deps.users.get(challenge.userId);
  const subject = { user: { id: challenge.userId, username: challenge.username } };
  if (!user) throw new VerificationFailedError('The account no longer exists.', { reason: 'user_unknown', subject });
  return user;
};

/** Which guard refused the transaction decides what the caller is told. */
const registrationRefusal = (error: unknown, subject: { user: { id: string; username: string } }, max: number): unknown => {
  if (!(error instanceof ConditionFailedError)) return error;
  switch (error.guard) {
    case 'credentialId':
      return new ConflictError('This key is already registered.', { reason: 'credential_already_registered', subject, cause: error });
    case 'username':
    case 'user':
      return new ConflictError('That username is taken.', { reason: 'username_taken', subject, cause: error });
    case 'credentialLimit':
      return new PolicyDeniedError(`This account already has the maximum of ${max} keys, or is disabled.`, {
        reason: 'credential_limit_reached',
        subject,
        cause: error,
      });
    case 'enrollmentCode':
      return new UnauthorizedError('The enrollment code is not valid or has expired.', { reason: 'enrollment_code_invalid', subject, cause: error });
    default:
      return error;
  }
};
