import type { AuditEvent, PublishedEvent } from './events/catalog.ts';
import type { Policy } from './domain/policy.ts';
import type {
  Challenge,
  EnrollmentCode,
  StoredCredential,
  StoredUser,
  Transport,
  User,
} from './domain/types.ts';

/**
 * Ports: what the use cases need from the outside world. Each has a DynamoDB (or KMS,
 * EventBridge) adapter and an in-memory one; use cases take them as one named argument.
 */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export interface ChallengeStore {
  save(challenge: Challenge, ttlSeconds: number): Promise<void>;
  /** Removes and returns the challenge in one conditional delete; undefined if it was never issued or already used. Expiry is the caller's check. */
  consume(value: string): Promise<Challenge | undefined>;
}

/** What username-first sign-in needs: ids and transports only, never keys. */
export interface SignInCandidate {
  userId: string;
  credentials: { id: string; transports: Transport[] }[];
}

export interface UserStore {
  get(userId: string): Promise<StoredUser | undefined>;
  /** Ensure a self sign-up name is free before a ceremony starts (the transaction guards it again). */
  isUsernameTaken(usernameKey: string): Promise<boolean>;
  /** One query on the username index: the user's id and credential ids, for username-first sign-in. */
  findSignInCandidate(usernameKey: string): Promise<SignInCandidate | undefined>;
}

export interface NewRegistration {
  credential: StoredCredential;
  /** The owner's normalised username: credentials are indexed by it for username-first sign-in. */
  usernameKey: string;
  /** Self sign-up: the user is created in the same transaction. */
  newUser?: StoredUser | undefined;
  /** Enrollment-code flow: the code is checked again and, if one-time, used up in the transaction. */
  enrollmentCode?: EnrollmentCode | undefined;
  maxCredentialsPerUser: number;
  /** Outbox items written atomically with the change. */
  events: AuditEvent[];
}

export interface SignInUpdate {
  userId: string;
  credentialId: string;
  /** The counter read before verification: the update only applies if it is still stored. */
  expectedCounter: number;
  newCounter: number;
  backedUp: boolean;
  lastUsedAt: string;
  cloneSuspected: boolean;
  events: AuditEvent[];
}

export interface CredentialStore {
  /** The credential and its owner in one round trip (BatchGetItem). */
  getWithUser(userId: string, credentialId: string): Promise<{ user?: StoredUser; credential?: StoredCredential }>;
  /** The owner of a credential id, from its uniqueness guard (when the assertion carries no userHandle). */
  findOwner(credentialId: string): Promise<string | undefined>;
  /** Public data of a user's keys, for excludeCredentials and the key list (never the public key). */
  listForUser(userId: string): Promise<StoredCredential[]>;
  /** One transaction: credential, id guard, bounded key count, the new user on sign-up, code use, outbox. */
  register(registration: NewRegistration): Promise<void>;
  /** One transaction conditioned on the stored counter; throws ConditionFailedError if it moved. */
  recordSignIn(update: SignInUpdate): Promise<void>;
  rename(input: { userId: string; credentialId: string; nickname: string; events: AuditEvent[] }): Promise<void>;
  remove(input: { userId: string; credentialId: string; events: AuditEvent[] }): Promise<void>;
}

export interface EnrollmentCodeStore {
  get(codeHash: string): Promise<EnrollmentCode | undefined>;
}

export interface PolicySource {
  current(): Promise<Policy>;
}

/** Failure events are written alone; success events ride in their state change's transaction. */
export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
}

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export interface TokenSigner {
  /** The key id (RFC 7638 thumbprint) of the key `sign` uses. */
  keyId(): Promise<string>;
  /** ES256 signature over the JWS signing input, in JOSE form (r || s, 64 bytes). */
  sign(signingInput: Uint8Array): Promise<Uint8Array>;
  /** Every key a verifier should accept: the current one and any still in a rotation overlap. */
  publicKeys(): Promise<PublicJwk[]>;
}

/** Keyed hashing (HMAC-SHA-256) with a secret the service holds: enrollment codes, decoy credentials. */
export interface SecretHasher {
  hash(purpose: string, value: string): Promise<string>;
}

/** An event the publisher could not deliver, and why (the EventBridge error code, or ours). */
export interface PublishFailure {
  event: PublishedEvent;
  errorCode: string;
  errorMessage: string;
}

/**
 * Where the audit relay delivers events: EventBridge PutEvents in AWS, a JSON-lines file on
 * one machine. `publish` resolves once every event not listed in `failed` is durably accepted.
 */
export interface EventPublisher {
  publish(events: PublishedEvent[]): Promise<{ failed: PublishFailure[] }>;
}
