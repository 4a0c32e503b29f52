import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { keys, tableSchema } from '../../shared/storage/table.ts';
import type { BackgroundFunctionName, FunctionName } from '../../shared/routes.ts';
import { auditEventSource } from '../audit-events.ts';
import type { TableIndexName } from '../table-indexes.ts';
import { challengeReadableAttributes } from './challenge-readable-attributes.ts';

/** The ARNs a function's permissions point at. */
export interface PermissionTargets {
  readonly tableArn: string;
  /** The signing key that signs new tokens. */
  readonly activeSigningKeyArn: string;
  /** Every signing key whose public key is published (active and rotation-overlap keys). */
  readonly signingKeyArns: readonly string[];
  readonly hmacKeyArn: string;
  readonly eventBusArn: string;
}

/** An index of the shared schema by name; fails the synth if the schema no longer has it. */
const indexNamed = (name: TableIndexName): TableIndexName => {
  const index = tableSchema.globalSecondaryIndexes.find((candidate) => candidate.indexName === name);
  if (!index) throw new Error(`tableSchema has no index ${name}`);
  return index.indexName;
};

/**
 * Partition-key prefixes, taken from the key builders so the policy and the code address
 * items the same way.
 */
export const leadingKeyPrefixes = {
  challenge: keys.challenge('').pk,
  outbox: keys.outboxPrefix,
  user: keys.userPartition(''),
  credentialGuard: keys.credentialGuard('').pk,
  usernameGuard: keys.usernameGuard('').pk,
  enrollmentCode: keys.enrollmentCode('').pk,
  policy: keys.policy().pk,
  /** `MDS`: covers the status and index items (`MDS`) and every entry (`MDS#<model>`). */
  metadata: keys.metadataStatus().pk,
} as const;

type LeadingKeyPrefix = (typeof leadingKeyPrefixes)[keyof typeof leadingKeyPrefixes];

/** Only items whose partition key starts with one of the prefixes. */
const onlyItemsUnder = (...prefixes: LeadingKeyPrefix[]) => ({
  'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': prefixes.map((prefix) => `${prefix}*`) },
});

/**
 * What each function may do, and nothing more. DynamoDB has no TransactWriteItems
 * permission: each Put/Update/Delete/ConditionCheck inside a transaction is authorised as the
 * matching item action, so the leading-key conditions below hold inside transactions too.
 * Stream reads (audit relay) and the dead-letter queue are granted by the event source mapping.
 */
export const functionPermissions = (
  targets: PermissionTargets,
): Record<FunctionName | BackgroundFunctionName, PolicyStatement[]> => {
  const table = targets.tableArn;
  const indexArn = (name: TableIndexName) => `${targets.tableArn}/index/${indexNamed(name)}`;
  const usernameIndex = indexArn('byUsername');
  const modelIndex = indexArn('byAuthenticatorModel');
  const directoryIndex = indexArn('directory');

  const signTokens = () => {
    const statement = new PolicyStatement({
      sid: 'SignAccessTokensWithES256',
      actions: ['kms:Sign'],
      resources: [targets.activeSigningKeyArn],
    });
    statement.addCondition('StringEquals', { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' });
    return statement;
  };
  // Apart from Sign, whose condition GetPublicKey requests could never meet: a token's `kid`
  // is derived from the signing key's public key.
  const readSigningKey = () =>
    new PolicyStatement({
      sid: 'ReadSigningKeyForKid',
      actions: ['kms:GetPublicKey'],
      resources: [targets.activeSigningKeyArn],
    });

  const verifyTokens = () =>
    new PolicyStatement({
      sid: 'ReadTokenVerificationKeys',
      actions: ['kms:GetPublicKey'],
      resources: [...targets.signingKeyArns],
    });

  const hashSecrets = () => {
    const statement = new PolicyStatement({
      sid: 'HashSecretsWithHmacKey',
      actions: ['kms:GenerateMac'],
      resources: [targets.hmacKeyArn],
    });
    statement.addCondition('StringEquals', { 'kms:MacAlgorithm': 'HMAC_SHA_256' });
    return statement;
  };

  const publishAuditEvents = new PolicyStatement({
    sid: 'PublishAuditEvents',
    actions: ['events:PutEvents'],
    resources: [targets.eventBusArn],
  });
  publishAuditEvents.addCondition('StringEquals', { 'events:source': [auditEventSource] });

  // Reads that name their attributes from an allow-list without `publicKey`. Per the DynamoDB
  // guide, StringEqualsIfExists on Select refuses ALL_ATTRIBUTES (a read with no projection).
  const readWithoutPublicKeys = new PolicyStatement({
    sid: 'ReadItemsWithoutPublicKeys',
    actions: ['dynamodb:GetItem', 'dynamodb:Query'],
    resources: [table, usernameIndex],
  });
  readWithoutPublicKeys.addCondition('ForAllValues:StringEquals', { 'dynamodb:Attributes': [...challengeReadableAttributes] });
  readWithoutPublicKeys.addCondition('StringEqualsIfExists', { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' });

  const statement = (sid: string, actions: string[], resources: string[], prefixes?: LeadingKeyPrefix[]) =>
    new PolicyStatement({ sid, actions, resources, ...(prefixes ? { conditions: onlyItemsUnder(...prefixes) } : {}) });

  const { challenge, outbox, user, credentialGuard, usernameGuard, enrollmentCode, policy, metadata } = leadingKeyPrefixes;

  // The metadata refresh, run by the schedule and by the admin function on request
  // (shared/adapters/dynamodb/metadata-store.ts): reads and replaces the MDS entries, status and
  // index, finds keys by model, loads them with their owners, and flags each key with its
  // outbox event in one transaction (an Update of the USER# key item and an outbox Put).
  const refreshMetadata = (): PolicyStatement[] => [
    statement('ReadMetadata', ['dynamodb:GetItem'], [table], [metadata]),
    // BatchWriteItem stores the entries (25 per call) and deletes the ones a new BLOB dropped.
    statement('ReplaceMetadata', ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'], [table], [metadata]),
    statement('FindKeysByModel', ['dynamodb:Query'], [modelIndex]),
    statement('ReadKeysAndOwners', ['dynamodb:BatchGetItem'], [table], [user]),
    statement('FlagKeysOfCompromisedModels', ['dynamodb:UpdateItem'], [table], [user]),
    statement('WriteOutbox', ['dynamodb:PutItem'], [table], [outbox]),
  ];

  return {
    // Options for both ceremonies: reads users, credentials (no keys), the policy and
    // enrollment codes; writes only new challenges and audit outbox items.
    challenge: [
      readWithoutPublicKeys,
      statement('WriteChallengesAndOutbox', ['dynamodb:PutItem'], [table], [challenge, outbox]),
      verifyTokens(),
      hashSecrets(),
    ],
    // Registration verify: consumes the challenge (and a one-time enrollment code with the
    // user's record of it) and writes the credential, its guards, the user on sign-up and the
    // outbox in one transaction. It reads FIDO metadata entries (MDS#…) with GetItem.
    // It can neither write the policy item nor create challenges.
    attestation: [
      statement('ConsumeChallengesAndEnrollmentCodes', ['dynamodb:DeleteItem'], [table], [challenge, enrollmentCode]),
      // The user's record of a one-time code (USER#<id> / CODE#<hash>). IAM cannot narrow a
      // sort key, so this reaches every USER# item; the function can put those items already.
      statement('DeleteUsersEnrollmentCodeRecords', ['dynamodb:DeleteItem'], [table], [user]),
      statement('ReadItems', ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], [table, usernameIndex]),
      statement(
        'WriteRegistration',
        ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
        [table],
        [user, credentialGuard, usernameGuard, outbox],
      ),
      statement('CheckRegistrationConditions', ['dynamodb:ConditionCheckItem'], [table]),
      signTokens(),
      readSigningKey(),
      hashSecrets(),
    ],
    // Sign-in verify: consumes the challenge, reads the user and credential, updates the
    // credential's counter under a condition on the user, and writes the outbox.
    // It can delete nothing but challenges, so it cannot delete users or keys.
    assertion: [
      statement('ConsumeChallenges', ['dynamodb:DeleteItem'], [table], [challenge]),
      statement('ReadItems', ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], [table]),
      statement('RecordSignIn', ['dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'], [table], [user]),
      statement('WriteOutbox', ['dynamodb:PutItem'], [table], [outbox]),
      signTokens(),
      readSigningKey(),
    ],
    // A signed-in user's own keys: list, rename, delete (with its guard and the key count).
    credentials: [
      statement('ReadItems', ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], [table]),
      statement('ManageCredentials', ['dynamodb:UpdateItem', 'dynamodb:DeleteItem'], [table], [user, credentialGuard]),
      statement('CheckConditions', ['dynamodb:ConditionCheckItem'], [table]),
      statement('WriteOutbox', ['dynamodb:PutItem'], [table], [outbox]),
      verifyTokens(),
    ],
    // Publishes the token-verification keys; nothing else.
    jwks: [verifyTokens()],
    // IAM-authorised administration: users and their keys and codes (deletion in chunked
    // transactions), the versioned policy, the impact report (a Query per directory shard; no
    // Scan), and the metadata status and refresh. It writes every item family but challenges,
    // and verifies no tokens.
    admin: [
      statement('ReadItems', ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'], [table]),
      statement('ReadDirectory', ['dynamodb:Query'], [directoryIndex]),
      statement(
        'AdministerItems',
        ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
        [table],
        [user, credentialGuard, usernameGuard, enrollmentCode, policy, outbox],
      ),
      ...refreshMetadata(),
      hashSecrets(),
    ],
    'audit-relay': [publishAuditEvents],
    // The daily FIDO metadata refresh; nothing else.
    'metadata-refresh': refreshMetadata(),
  };
};
