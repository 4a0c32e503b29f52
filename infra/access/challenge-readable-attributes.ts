import { tableSchema } from '../../shared/storage/table.ts';

const [usernameIndex] = tableSchema.globalSecondaryIndexes;

/**
 * Every attribute the challenge function may read (IAM `dynamodb:Attributes` allow-list).
 * `publicKey` is deliberately absent: the function that hands out challenges never needs a
 * credential's key, so a flaw in it cannot leak or swap keys. Its reads must name their
 * attributes (ProjectionExpression, Select SPECIFIC_ATTRIBUTES) from this list.
 *
 * The item attribute names come from the DynamoDB item mapping (users, credentials,
 * enrollment codes, the policy item); when that mapping is on main, build this list from its
 * exported projections (`userAttributes`, `publicCredentialAttributes`) instead.
 */
export const challengeReadableAttributes = [
  // DynamoDB needs every table and index key attribute in the list to serve the request.
  tableSchema.partitionKey,
  tableSchema.sortKey,
  usernameIndex.partitionKey,
  usernameIndex.sortKey,
  // User profile and username guard.
  'userId',
  'username',
  'displayName',
  'groups',
  'disabled',
  'createdAt',
  'credentialCount',
  // Credentials, without the key: excludeCredentials / allowCredentials and policy checks.
  'credentialId',
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
  'lastUsedAt',
  'cloneSuspected',
  // The stored policy item.
  'policy',
  // Enrollment codes (stored as hashes).
  'codeHash',
  'expiresAt',
  'oneTime',
] as const;
