import { randomBytes } from 'node:crypto';
import * as z from '../zod.ts';
import { generateRegistrationOptions } from '@simplewebauthn/server';
import { ConflictError, InvalidRequestError, UnauthorizedError } from '../errors.ts';
import type { ChallengeStore, Clock, CredentialStore, EnrollmentCodeStore, PolicySource, SecretHasher } from '../ports.ts';
import { usernameKey, type RegistrationChallenge, type RegistrationMethod } from '../domain/types.ts';
import { decideRegistration, type PolicyUser } from '../domain/policy-engine.ts';
import { newUserHandle } from '../domain/user-handle.ts';
import { supportedAlgorithms, type RelyingPartySettings } from '../webauthn/settings.ts';
import { authenticateBearer, signInAgeSeconds, type BearerDeps } from './authenticate-bearer.ts';
import { normalizeEnrollmentCode, enrollmentCodePurpose } from './enrollment-code.ts';
import { usernameSchema, displayNameSchema } from './user-fields.ts';
import { enforcePolicy } from './enforce-policy.ts';

export const startRegistrationRequest = z.strictObject({
  username: z.optional(usernameSchema),
  displayName: z.optional(displayNameSchema),
  enrollmentCode: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
});
export type StartRegistrationRequest = z.infer<typeof startRegistrationRequest>;

export interface StartRegistrationDeps extends BearerDeps {
  challenges: ChallengeStore;
  credentials: CredentialStore;
  enrollmentCodes: EnrollmentCodeStore;
  policy: PolicySource;
  hasher: SecretHasher;
  clock: Clock;
  relyingParty: RelyingPartySettings;
}

interface Applicant {
  method: RegistrationMethod;
  userId: string;
  username: string;
  displayName: string;
  /** What the policy looks at: groups and the disabled flag. */
  user: PolicyUser;
  /** A signed-in user adding a key: how old their sign-in is. */
  signInAgeSeconds?: number;
  enrollmentCodeHash?: string;
}

/**
 * Registration options (WebAuthn §7.1, before step 1) for exactly one of three authorisations
 * (API.md): a signed-in user adding a key, an enrollment code, or open self sign-up. The policy
 * engine decides who may register here; the key's own rules (model, sync, attestation) at verify.
 */
export const startRegistration = async (
  input: { request: StartRegistrationRequest; bearerToken: string | undefined },
  deps: StartRegistrationDeps,
) => {
  const { request, bearerToken } = input;
  const presented = [bearerToken !== undefined, request.enrollmentCode !== undefined, request.username !== undefined];
  // Ensure exactly one authorisation: more than one is ambiguous, none is anonymous.
  if (presented.filter(Boolean).length !== 1) {
    throw new InvalidRequestError(
      'Send exactly one of: an Authorization bearer token, an enrollmentCode, or a username for self sign-up.',
    );
  }
  if (request.displayName !== undefined && request.username === undefined) {
    throw new InvalidRequestError('displayName is only accepted with a username at self sign-up.');
  }

  const policy = await deps.policy.current();
  const applicant = bearerToken !== undefined
    ? await applicantFromToken(bearerToken, deps)
    : request.enrollmentCode !== undefined
      ? await applicantFromCode(request.enrollmentCode, deps)
      : applicantFromSignUp(request.username ?? '', request.displayName);

  const existing = applicant.method === 'selfSignUp' ? [] : await deps.credentials.listForUser(applicant.userId);
  enforcePolicy(
    decideRegistration(policy, {
      method: applicant.method,
      user: applicant.user,
      credentialCount: existing.length,
      signInAgeSeconds: applicant.signInAgeSeconds,
    }),
    applicant.method === 'selfSignUp' ? undefined : { user: { id: applicant.userId, username: applicant.username } },
  );
  // A sign-up form cannot hide a taken name (API.md); the verify transaction guards it again.
  if (applicant.method === 'selfSignUp' && (await deps.users.isUsernameTaken(usernameKey(applicant.username)))) {
    throw new ConflictError('That username is taken.', { reason: 'username_taken' });
  }

  const timeoutMs = policy.registrationTimeoutSeconds * 1000;
  const options = await generateRegistrationOptions({
    rpName: deps.relyingParty.rpName,
    rpID: deps.relyingParty.rpId,
    userID: Buffer.from(applicant.userId, 'base64url'),
    userName: applicant.username,
    userDisplayName: applicant.displayName,
    challenge: randomBytes(32),
    timeout: timeoutMs,
    attestationType: policy.attestation,
    excludeCredentials: existing.map((credential) => ({ id: credential.id, transports: credential.transports })),
    authenticatorSelection: {
      residentKey: policy.residentKey,
      requireResidentKey: policy.residentKey === 'required',
      userVerification: policy.userVerification,
    },
    supportedAlgorithmIDs: supportedAlgorithms,
  });

  const challenge: RegistrationChallenge = {
    value: options.challenge,
    ceremony: 'registration',
    expiresAt: deps.clock.now() + timeoutMs,
    userVerification: policy.userVerification,
    method: applicant.method,
    userId: applicant.userId,
    username: applicant.username,
    displayName: applicant.displayName,
    enrollmentCodeHash: applicant.enrollmentCodeHash,
  };
  await deps.challenges.save(challenge, 300);
  return { options };
};

const applicantFromToken = async (token: string, deps: StartRegistrationDeps): Promise<Applicant> => {
  const { user, claims } = await authenticateBearer(token, deps);
  return {
    method: 'selfService',
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    user,
    signInAgeSeconds: signInAgeSeconds(claims, deps.clock),
  };
};

const applicantFromCode = async (code: string, deps: StartRegistrationDeps): Promise<Applicant> => {
  const codeHash = await deps.hasher.hash(enrollmentCodePurpose, normalizeEnrollmentCode(code));
  const stored = await deps.enrollmentCodes.get(codeHash);
  // Ensure an unknown, expired or orphaned code all look the same to the caller.
  if (!stored || stored.expiresAt <= deps.clock.now()) {
    throw new UnauthorizedError('The enrollment code is not valid or has expired.', { reason: 'enrollment_code_invalid' });
  }
  const user = await deps.users.get(stored.userId);
  if (!user) {
    throw new UnauthorizedError('The enrollment code is not valid or has expired.', { reason: 'enrollment_code_invalid' });
  }
  return {
    method: 'enrollmentCode',
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    user,
    enrollmentCodeHash: codeHash,
  };
};

/** Open sign-up: a fresh handle for a user created at verify, in no group yet. */
const applicantFromSignUp = (username: string, displayName: string | undefined): Applicant => ({
  method: 'selfSignUp',
  userId: newUserHandle(),
  username,
  displayName: displayName ?? username,
  user: { groups: [], disabled: false },
});
