import { credentialSortKey, keys } from '../../storage/table.ts';
import type { AuditEvent } from '../../events/catalog.ts';
import type { Challenge, EnrollmentCode, StoredCredential, StoredUser, Transport } from '../../domain/types.ts';

/**
 * Mapping between domain values and table items. Item attribute names live here and in the
 * projections below, nowhere else.
 */

/** Attributes a reader may see without the public key (the challenge function's IAM allow-list). */
export const publicCredentialAttributes = [
  'credentialId',
  'userId',
  'algorithm',
  'counter',
  'transports',
  'aaguid',
  'backupEligible',
  'backedUp',
  'userVerified',
  'attestationFormat',
  'attestationTrusted',
  'nickname',
  'authenticatorName',
  'createdAt',
  'lastUsedAt',
  'cloneSuspected',
] as const;

export const userAttributes = [
  'userId',
  'username',
  'displayName',
  'groups',
  'disabled',
  'createdAt',
  'credentialCount',
] as const;

export const enrollmentCodeAttributes = ['codeHash', 'userId', 'expiresAt', 'oneTime', 'createdAt'] as const;

/** The policy item holds the stored policy under one attribute. */
export const policyAttributes = ['policy'] as const;

export const userItem = (user: StoredUser, usernameKey: string) => ({
  ...keys.user(user.id),
  type: 'user',
  userId: user.id,
  username: user.username,
  usernameKey,
  displayName: user.displayName,
  groups: user.groups,
  disabled: user.disabled,
  createdAt: user.createdAt,
  credentialCount: user.credentialCount,
  gsi1pk: keys.usernameIndex(usernameKey),
  gsi1sk: 'PROFILE',
});

export const toUser = (item: Record<string, unknown>): StoredUser => ({
  id: item.userId as string,
  username: item.username as string,
  displayName: (item.displayName as string | undefined) ?? '',
  groups: (item.groups as string[] | undefined) ?? [],
  disabled: item.disabled === true,
  createdAt: item.createdAt as string,
  credentialCount: (item.credentialCount as number | undefined) ?? 0,
});

export const credentialItem = (credential: StoredCredential, usernameKey: string) => ({
  ...keys.credential(credential.userId, credential.id),
  type: 'credential',
  credentialId: credential.id,
  userId: credential.userId,
  publicKey: credential.publicKey,
  algorithm: credential.algorithm,
  counter: credential.counter,
  transports: credential.transports,
  aaguid: credential.aaguid,
  backupEligible: credential.backupEligible,
  backedUp: credential.backedUp,
  userVerified: credential.userVerified,
  attestationFormat: credential.attestationFormat,
  attestationTrusted: credential.attestationTrusted,
  nickname: credential.nickname,
  authenticatorName: credential.authenticatorName,
  createdAt: credential.createdAt,
  lastUsedAt: credential.lastUsedAt,
  cloneSuspected: credential.cloneSuspected,
  gsi1pk: keys.usernameIndex(usernameKey),
  gsi1sk: credentialSortKey(credential.id),
});

export const toCredential = (item: Record<string, unknown>): StoredCredential => ({
  id: item.credentialId as string,
  userId: item.userId as string,
  publicKey: (item.publicKey as string | undefined) ?? '',
  algorithm: item.algorithm as number,
  counter: item.counter as number,
  transports: (item.transports as Transport[] | undefined) ?? [],
  aaguid: item.aaguid as string,
  backupEligible: item.backupEligible === true,
  backedUp: item.backedUp === true,
  userVerified: item.userVerified === true,
  attestationFormat: item.attestationFormat as string,
  attestationTrusted: item.attestationTrusted === true,
  nickname: item.nickname as string,
  authenticatorName: item.authenticatorName as string | undefined,
  createdAt: item.createdAt as string,
  lastUsedAt: item.lastUsedAt as string | undefined,
  cloneSuspected: item.cloneSuspected === true ? true : undefined,
});

export const challengeItem = (challenge: Challenge, ttl: number) => ({
  ...keys.challenge(challenge.value),
  type: 'challenge',
  ttl,
  challenge,
});

export const toChallenge = (item: Record<string, unknown>): Challenge => item.challenge as Challenge;

export const enrollmentCodeItem = (code: EnrollmentCode) => ({
  ...keys.enrollmentCode(code.codeHash),
  type: 'enrollmentCode',
  codeHash: code.codeHash,
  userId: code.userId,
  expiresAt: code.expiresAt,
  oneTime: code.oneTime,
  createdAt: code.createdAt,
  ttl: Math.ceil(code.expiresAt / 1000),
});

export const toEnrollmentCode = (item: Record<string, unknown>): EnrollmentCode => ({
  codeHash: item.codeHash as string,
  userId: item.userId as string,
  expiresAt: item.expiresAt as number,
  oneTime: item.oneTime === true,
  createdAt: item.createdAt as string,
});

/** Outbox items outlive the 24 h stream retention so an operator can replay from the table. */
export const outboxRetentionSeconds = 7 * 24 * 3600;

export const outboxItem = (event: AuditEvent) => ({
  ...keys.outbox(event.detail.eventId),
  type: 'outbox',
  detailType: event.detailType,
  detail: event.detail,
  ttl: Math.ceil(Date.parse(event.detail.occurredAt) / 1000) + outboxRetentionSeconds,
});
