import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTable } from '../../local/table.ts';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { createDynamoChallengeStore } from '../../shared/adapters/dynamodb/challenge-store.ts';
import { createDynamoUserStore } from '../../shared/adapters/dynamodb/user-store.ts';
import { createDynamoCredentialStore } from '../../shared/adapters/dynamodb/credential-store.ts';
import { createDynamoEnrollmentCodeStore } from '../../shared/adapters/dynamodb/enrollment-code-store.ts';
import { createDynamoAuditLog } from '../../shared/adapters/dynamodb/audit-log.ts';
import { createDynamoPolicySource } from '../../shared/adapters/dynamodb/policy-source.ts';
import { createLocalSecretHasher, createLocalTokenSigner } from '../../shared/adapters/local/local-keys.ts';
import { resolvePolicyDefaults, localPolicyOverrides } from '../../shared/domain/policy.ts';
import { startRegistration } from '../../shared/use-cases/start-registration.ts';
import { finishRegistration } from '../../shared/use-cases/finish-registration.ts';
import { startSignIn } from '../../shared/use-cases/start-sign-in.ts';
import { finishSignIn } from '../../shared/use-cases/finish-sign-in.ts';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { recordRoundTrips, sequentialDepth } from '../support/round-trips.ts';
import { generateKeyPairSync } from 'node:crypto';

const origin = 'http://localhost:3000';
const context = { requestId: 'round-trips', stage: 'test', client: { ip: '127.0.0.1', userAgent: 'vitest' } };
const tableName = `round-trips-${randomBytes(4).toString('hex')}`;
const documentClient = createDocumentClient({ tableName, endpoint: inject('dynamodbEndpoint') });
const recorder = recordRoundTrips(documentClient);
const clock = { now: () => Date.now() };

const deps = (() => {
  const policy = createDynamoPolicySource(documentClient, tableName, { defaults: resolvePolicyDefaults(localPolicyOverrides), cacheSeconds: 0 }, clock);
  return {
    challenges: createDynamoChallengeStore(documentClient, tableName),
    users: createDynamoUserStore(documentClient, tableName),
    credentials: createDynamoCredentialStore(documentClient, tableName),
    enrollmentCodes: createDynamoEnrollmentCodeStore(documentClient, tableName),
    audit: createDynamoAuditLog(documentClient, tableName),
    policy,
    signer: createLocalTokenSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
    hasher: createLocalSecretHasher(randomBytes(32)),
    clock,
    relyingParty: { rpId: 'localhost', rpName: 'Latchkey', origins: [origin] },
    tokenSettings: { issuer: origin, audience: 'latchkey' },
  };
})();

beforeAll(async () => {
  const client = new DynamoDBClient({ endpoint: inject('dynamodbEndpoint'), region: 'localhost', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(client, tableName);
  client.destroy();
});
afterAll(() => documentClient.destroy());

describe('DynamoDB round trips (ARCHITECTURE.md budgets), counted on DynamoDB Local', () => {
  it('sign-in verify takes 2 sequential round trips even with a cold policy cache: challenge delete ∥ user+credential read ∥ policy read, then one transaction', async () => {
    // Prepare
    const authenticator = new SoftAuthenticator({ origin });
    const registration = await startRegistration({ request: { username: 'round-trip-user' }, bearerToken: undefined }, deps);
    await finishRegistration({ request: { response: authenticator.register(registration.options) as never }, context }, deps);
    const { options } = await startSignIn({ request: {} }, deps);
    const response = authenticator.authenticate(options);
    recorder.reset();

    // Act
    const result = await finishSignIn({ request: { response: response as never }, context }, deps);

    // Assess
    expect(result.accessToken).toBeTruthy();
    expect(recorder.trips.map((trip) => trip.command).sort()).toEqual(['BatchGetItemCommand', 'DeleteItemCommand', 'GetItemCommand', 'TransactWriteItemsCommand']);
    expect(sequentialDepth(recorder.trips)).toBe(2);
  });

  it('sign-in options with a warm policy cache: 1 write, plus 1 index query in parallel with a username', async () => {
    const cachedPolicy = createDynamoPolicySource(documentClient, tableName, { defaults: resolvePolicyDefaults(localPolicyOverrides), cacheSeconds: 60 }, clock);
    await cachedPolicy.current();
    recorder.reset();
    await startSignIn({ request: {} }, { ...deps, policy: cachedPolicy });
    expect(recorder.trips.map((trip) => trip.command).sort()).toEqual(['PutItemCommand']);

    recorder.reset();
    await startSignIn({ request: { username: 'round-trip-user' } }, { ...deps, policy: cachedPolicy });
    expect(recorder.trips.map((trip) => trip.command).sort()).toEqual(['PutItemCommand', 'QueryCommand']);
    expect(sequentialDepth(recorder.trips)).toBe(1);
  });
});
