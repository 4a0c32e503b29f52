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
    {
      /**
       * Keys by authenticator model, for flagging every key of a model FIDO metadata reports
       * compromised. Sparse: only keys whose model is identifiable (AAGUID not zero, or a U2F
       * attestation key identifier) carry `gsi3pk`. Sign-ins change no projected attribute, so
       * they write nothing to it.
       */
      indexName: 'byAuthenticatorModel',
      partitionKey: 'gsi3pk',
      sortKey: 'gsi3sk',
      nonKeyAttributes: ['credentialId', 'userId', 'authenticatorStatus'],
    },
    {
      /**
       * Admin only (the policy impact report): every user with their keys, never read on a hot
       * path. Users are spread over `directoryShards` partitions by id; within one, a user's keys
       * sort just before their profile. Only what the policy looks at is projected, so sign-ins
       * (counter, last use) never write to it.
       */
      indexName: 'directory',
      partitionKey: 'gsi2pk',
      sortKey: 'gsi2sk',
      nonKeyAttributes: [
        'type',
        'userId',
        'username',
        'displayName',
        'groups',
        'disabled',
        'createdAt',
        'credentialId',
        'aaguid',
        'backupEligible',
        'nickname',
        'authenticatorName',
      ],
    },
  ],
} as const;

/** Partitions of the directory index: enough to keep one from running hot as users sign up. */
export const directoryShards = 16;

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
  /** The directory index partition of a user and their keys (user ids are random, so the first bytes spread evenly). */
  directoryPartition: (userId: string) => `DIRECTORY#${directoryShardOf(userId)}`,
  directoryShard: (shard: number) => `DIRECTORY#${shard}`,
  directoryProfile: (userId: string) => `${userId}#PROFILE`,
  directoryCredential: (userId: string, credentialId: string) => `${userId}#${credentialSortKey(credentialId)}`,
  outbox: (eventId: string) => ({ pk: `OUTBOX#${eventId}`, sk: 'OUTBOX' }),
  outboxPrefix: 'OUTBOX#',
  /** One FIDO metadata entry per model key (`AAGUID#<uuid>` or `KEYID#<hex>`). */
  metadataEntry: (modelKey: string) => ({ pk: `MDS#${modelKey}`, sk: 'ENTRY' }),
  metadataEntryPrefix: 'MDS#',
  /** The last good BLOB's number and dates, and the last refresh result. */
  metadataStatus: () => ({ pk: 'MDS', sk: 'STATUS' }),
  /** The model keys of the stored entries, so a refresh can remove the ones a new BLOB drops. */
  metadataIndex: () => ({ pk: 'MDS', sk: 'INDEX' }),
  /** byAuthenticatorModel partition of a key's model. */
  authenticatorModelIndex: (modelKey: string) => `MODEL#${modelKey}`,
  /** byAuthenticatorModel sort key: a digest, as credential ids may be longer than a sort key allows. */
  authenticatorModelSort: (credentialId: string) => `CRED#${createHash('sha256').update(credentialId).digest('base64url')}`,
} as const;

/** Which directory partition a user id falls in: a stable hash of the id, so any id spreads evenly. */
export function directoryShardOf(userId: string): number {
  let hash = 0;
  for (let index = 0; index < userId.length; index += 1) hash = (hash * 31 + userId.charCodeAt(index)) >>> 0;
  return hash % directoryShards;
}
