/** Domain values shared by the use cases. Public shapes follow ../design/API.md "Shapes". */

export type Transport = 'ble' | 'cable' | 'hybrid' | 'internal' | 'nfc' | 'smart-card' | 'usb';

export interface User {
  /** The WebAuthn user handle: random, opaque, base64url, never PII. */
  id: string;
  username: string;
  displayName: string;
  groups: string[];
  disabled: boolean;
  createdAt: string;
}

/** What the store keeps about a user beyond the public shape. */
export interface StoredUser extends User {
  credentialCount: number;
}

/** A credential as stored: everything §7.1 step 27 asks to keep, plus what we show users. */
export interface StoredCredential {
  id: string;
  userId: string;
  /** COSE_Key, base64url. */
  publicKey: string;
  /** COSE algorithm identifier (-7 ES256, -8 EdDSA, -257 RS256). */
  algorithm: number;
  counter: number;
  transports: Transport[];
  aaguid: string;
  backupEligible: boolean;
  backedUp: boolean;
  userVerified: boolean;
  attestationFormat: string;
  attestationTrusted: boolean;
  nickname: string;
  authenticatorName?: string | undefined;
  createdAt: string;
  lastUsedAt?: string | undefined;
  /** Set when a counter regression was accepted under `counterRegression: flag`. */
  cloneSuspected?: boolean | undefined;
  /** FIDO U2F keys: the attestation certificate's key identifier, by which FIDO metadata knows the model. */
  attestationKeyIdentifier?: string | undefined;
  /** Set when FIDO metadata reports the key's model compromised or revoked (e.g. REVOKED); sign-in refuses it under enforceAttestation. */
  authenticatorStatus?: string | undefined;
}

/** The public Credential shape of API.md. */
export interface Credential {
  id: string;
  nickname: string;
  aaguid: string;
  authenticatorName?: string;
  transports: Transport[];
  createdAt: string;
  lastUsedAt?: string;
  backupEligible: boolean;
  backedUp: boolean;
  attestation: { format: string; trusted: boolean };
}

export const toPublicCredential = (stored: StoredCredential): Credential => ({
  id: stored.id,
  nickname: stored.nickname,
  aaguid: stored.aaguid,
  ...(stored.authenticatorName ? { authenticatorName: stored.authenticatorName } : {}),
  transports: stored.transports,
  createdAt: stored.createdAt,
  ...(stored.lastUsedAt ? { lastUsedAt: stored.lastUsedAt } : {}),
  backupEligible: stored.backupEligible,
  backedUp: stored.backedUp,
  attestation: { format: stored.attestationFormat, trusted: stored.attestationTrusted },
});

export const toPublicUser = (stored: User): User => ({
  id: stored.id,
  username: stored.username,
  displayName: stored.displayName,
  groups: stored.groups,
  disabled: stored.disabled,
  createdAt: stored.createdAt,
});

/** How a registration was authorised (API.md, registration options). */
export type RegistrationMethod = 'selfService' | 'enrollmentCode' | 'selfSignUp';

interface ChallengeBase {
  /** base64url of 32 random bytes; also the storage key. */
  value: string;
  /** Epoch milliseconds after which the challenge is refused, whatever TTL has done. */
  expiresAt: number;
  userVerification: 'required' | 'preferred';
}

export interface RegistrationChallenge extends ChallengeBase {
  ceremony: 'registration';
  method: RegistrationMethod;
  /** The user the key is for; on self sign-up a fresh handle for a user created at verify. */
  userId: string;
  username: string;
  displayName: string;
  /** Enrollment-code flow: the keyed hash of the code, used up when verify succeeds. */
  enrollmentCodeHash?: string | undefined;
}

export interface AuthenticationChallenge extends ChallengeBase {
  ceremony: 'authentication';
  /** Username-first sign-in: the normalised username the ceremony was started for. */
  usernameKey?: string | undefined;
}

export type Challenge = RegistrationChallenge | AuthenticationChallenge;

export interface EnrollmentCode {
  codeHash: string;
  userId: string;
  expiresAt: number;
  oneTime: boolean;
  createdAt: string;
}

/** Usernames are unique case-insensitively: this is the form the guard item and index use. */
export const usernameKey = (username: string): string => username.normalize('NFKC').toLowerCase();

/** Who made a request and from where: for audit events and logs. */
export interface RequestContext {
  requestId: string;
  stage: string;
  client: { ip: string; userAgent: string; origin?: string | undefined };
}
