import { createHash } from 'node:crypto';

/**
 * How a credential id appears in sort keys. DynamoDB caps a sort key at 1024 bytes, while
 * WebAuthn allows credential ids of 1023 bytes (1364 base64url characters, §7.1 step 22): ids
 * longer than 512 characters are addressed by their SHA-256 instead ('~' is not base64url, so
 * the two forms never collide). Items keep the id itself in `credentialId`.
 */
export const credentialSortKey = (credentialId: string): string =>
  credentialId.length <= 512 ? `CRED#${credentialId}` : `CRED#~${createHash('sha256').update(credentialId).digest('base64url')}`;

/**
 * The one definition of Latchkey's DynamoDB table. The CDK stateful stack and the local
 * bootstrap (DynamoDB Local) both build the table from this object, so the two can never drift.
 *
 * Single-table design; every hot-path read is a key lookup (see docs/architecture.md).
 */
export const tableSchema = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds. DynamoDB deletes expired items up to 48 h late, so readers check expiry too. */
  timeToLiveAttribute: 'ttl',
  /** The audit relay reads outbox inserts from the stream (transactional outbox). */
  streamViewType: 'NEW_IMAGE',
  globalSecondaryIndexes: [
    {
      /** Username-first sign-in: one query returns the user's profile and credential ids. */
      indexName: 'byUsername',
      partitionKey: 'gsi1pk',
      sortKey: 'gsi1sk',
      nonKeyAttributes: ['credentialId', 'transports', 'userId'],
    },
  ],
} as const;

export type TableSchema = typeof tableSchema;

/** Key builders: the only place that knows how items are addressed. */
export const keys = {
  user: (userId: string) => ({ pk: `USER#${userId}`, sk: 'PROFILE' }),
  userPartition: (userId: string) => `USER#${userId}`,
  credential: (userId: string, credentialId: string) => ({ pk: `USER#${userId}`, sk: credentialSortKey(credentialId) }),
  credentialSortPrefix: 'CRED#',
  credentialGuard: (credentialId: string) => ({ pk: `CRED#${credentialId}`, sk: 'CRED' }),
  usernameGuard: (usernameKey: string) => ({ pk: `USERNAME#${usernameKey}`, sk: 'USERNAME' }),
  usernameIndex: (usernameKey: string) => `USERNAME#${usernameKey}`,
  challenge: (challenge: string) => ({ pk: `CHALLENGE#${challenge}`, sk: 'CHALLENGE' }),
  enrollmentCode: (codeHash: string) => ({ pk: `CODE#${codeHash}`, sk: 'CODE' }),
  userEnrollmentCode: (userId: string, codeHash: string) => ({ pk: `USER#${userId}`, sk: `CODE#${codeHash}` }),
  enrollmentCodeSortPrefix: 'CODE#',
  policy: () => ({ pk: 'POLICY', sk: 'POLICY' }),
  outbox: (eventId: string) => ({ pk: `OUTBOX#${eventId}`, sk: 'OUTBOX' }),
  outboxPrefix: 'OUTBOX#',
} as const;
