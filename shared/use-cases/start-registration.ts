import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { generateRegistrationOptions } from '@simplewebauthn/server';
import {
  ConflictError,
  InvalidRequestError,
  PolicyDeniedError,
  ReauthenticationRequiredError,
  UnauthorizedError,
} from '../errors.ts';
import type { ChallengeStore, Clock, CredentialStore, EnrollmentCodeStore, PolicySource, SecretHasher } from '../ports.ts';
import { usernameKey, type RegistrationChallenge, type RegistrationMethod, type StoredUser } from '../domain/types.ts';
import { supportedAlgorithms, type RelyingPartySettings } from '../webauthn/settings.ts';
import { authenticateBearer, signInAgeSeconds, type BearerDeps } from './authenticate-bearer.ts';
import { normalizeEnrollmentCode, enrollmentCodePurpose } from './enrollment-code.ts';
import { usernameSchema, displayNameSchema } from './user-fields.ts';

export const startRegistrationRequest = z.strictObject({
  username: usernameSchema.optional(),
  displayName: displayNameSchema.optional(),
  enrollmentCode: z.string().min(1).max(64).optional(),
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
  enrollmentCodeHash?: string;
}

/** A new WebAuthn user handle: 32 random bytes, opaque, never PII (WebAuthn §14.6.1). */
const newUserHandle = (): string => randomBytes(32).toString('base64url');

const subjectOf = (user: StoredUser) => ({ user: { id: user.id, username: user.username } });

/**
 * Registration options (WebAuthn §7.1, before step 1) for exactly one of three authorisations
 * (API.md): a signed-in user adding a key, an enrollment code, or open self sign-up.
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
  if (!policy.enabled) {
    throw new PolicyDeniedError('Security-key sign-in is turned off.', { reason: 'policy_disabled' });
  }

  const applicant = bearerToken !== undefined
    ? await applicantFromToken(bearerToken, policy.allowSelfServiceSetup, policy.stepUpMaxAgeSeconds, deps)
    : request.enrollmentCode !== undefined
      ? await applicantFromCode(request.enrollmentCode, deps)
      : await applicantFromSignUp(request.username ?? '', request.displayName, policy.allowSelfSignUp, deps);

  const existing = applicant.method === 'selfSignUp' ? [] : await deps.credentials.listForUser(applicant.userId);
  if (existing.length >= policy.maxCredentialsPerUser) {
    throw new PolicyDeniedError(`This account already has the maximum of ${policy.maxCredentialsPerUser} keys.`, {
      reason: 'credential_limit_reached',
      subject: { user: { id: applicant.userId, username: applicant.username } },
    });
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

const applicantFromToken = async (
  token: string,
  allowSelfServiceSetup: boolean,
  stepUpMaxAgeSeconds: number,
  deps: StartRegistrationDeps,
): Promise<Applicant> => {
  const { user, claims } = await authenticateBearer(token, deps);
  if (!allowSelfServiceSetup) {
    throw new PolicyDeniedError('Adding keys yourself is turned off; ask an administrator for an enrollment code.', {
      reason: 'self_service_disabled',
      subject: subjectOf(user),
    });
  }
  // Ensure a stolen, older token cannot add an attacker's key (API.md: stepUpMaxAgeSeconds).
  if (signInAgeSeconds(claims, deps.clock) > stepUpMaxAgeSeconds) {
    throw new ReauthenticationRequiredError(
      `Adding a key needs a sign-in from the last ${stepUpMaxAgeSeconds} seconds; sign in again.`,
      { reason: 'reauthentication_required', subject: subjectOf(user) },
    );
  }
  return { method: 'selfService', userId: user.id, username: user.username, displayName: user.displayName };
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
  if (user.disabled) {
    throw new PolicyDeniedError('This account is disabled.', { reason: 'user_disabled', subject: subjectOf(user) });
  }
  return {
    method: 'enrollmentCode',
    userId: user.id,
    username: user.username,
    displayName: user.displayName,
    enrollmentCodeHash: codeHash,
  };
};

const applicantFromSignUp = async (
  username: string,
  displayName: string | undefined,
  allowSelfSignUp: boolean,
  deps: StartRegistrationDeps,
): Promise<Applicant> => {
  if (!allowSelfSignUp) {
    throw new PolicyDeniedError('Creating an account yourself is turned off; ask an administrator.', {
      reason: 'self_sign_up_disabled',
    });
  }
  // A sign-up form cannot hide a taken name (API.md); the verify transaction guards it again.
  if (await deps.users.isUsernameTaken(usernameKey(username))) {
    throw new ConflictError('That username is taken.', { reason: 'username_taken' });
  }
  return { method: 'selfSignUp', userId: newUserHandle(), username, displayName: displayName ?? username };
};
