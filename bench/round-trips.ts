import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoDbLocal } from '../local/dynamodb-local.ts';
import { ensureTable } from '../local/table.ts';
import { createDocumentClient } from '../shared/adapters/dynamodb/client.ts';
import { createDynamoChallengeStore } from '../shared/adapters/dynamodb/challenge-store.ts';
import { createDynamoUserStore } from '../shared/adapters/dynamodb/user-store.ts';
import { createDynamoCredentialStore } from '../shared/adapters/dynamodb/credential-store.ts';
import { createDynamoEnrollmentCodeStore } from '../shared/adapters/dynamodb/enrollment-code-store.ts';
import { createDynamoAuditLog } from '../shared/adapters/dynamodb/audit-log.ts';
import { createDynamoPolicySource } from '../shared/adapters/dynamodb/policy-source.ts';
import { createLocalSecretHasher, createLocalTokenSigner } from '../shared/adapters/local/local-keys.ts';
import { localPolicyOverrides, resolvePolicyDefaults } from '../shared/domain/policy.ts';
import { startRegistration } from '../shared/use-cases/start-registration.ts';
import { finishRegistration } from '../shared/use-cases/finish-registration.ts';
import { startSignIn } from '../shared/use-cases/start-sign-in.ts';
import { finishSignIn } from '../shared/use-cases/finish-sign-in.ts';
import { SoftAuthenticator } from '../test/support/soft-authenticator.ts';
import { recordRoundTrips, sequentialDepth } from '../test/support/round-trips.ts';

/**
 * DynamoDB requests per ceremony step, counted on DynamoDB Local through the real adapters,
 * with the policy cache warm as in a busy container. `sequential` is how many of them wait on
 * each other; the ARCHITECTURE.md budget is 2 for sign-in verify.
 */
export interface RoundTripResult {
  step: string;
  requests: number;
  sequential: number;
  commands: string[];
}

export const measureRoundTrips = async (): Promise<RoundTripResult[]> => {
  const dynamodb = await startDynamoDbLocal();
  const tableName = `bench-${randomBytes(4).toString('hex')}`;
  const client = new DynamoDBClient({ endpoint: dynamodb.endpoint, region: 'localhost', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const documentClient = createDocumentClient({ tableName, endpoint: dynamodb.endpoint });
  try {
    await ensureTable(client, tableName);
    const recorder = recordRoundTrips(documentClient);
    const clock = { now: () => Date.now() };
    const origin = 'http://localhost:3000';
    const context = { requestId: 'bench', stage: 'bench', client: { ip: '127.0.0.1', userAgent: 'bench' } };
    const deps = {
      challenges: createDynamoChallengeStore(documentClient, tableName),
      users: createDynamoUserStore(documentClient, tableName),
      credentials: createDynamoCredentialStore(documentClient, tableName),
      enrollmentCodes: createDynamoEnrollmentCodeStore(documentClient, tableName),
      audit: createDynamoAuditLog(documentClient, tableName),
      policy: createDynamoPolicySource(documentClient, tableName, { defaults: resolvePolicyDefaults(localPolicyOverrides), cacheSeconds: 3600 }, clock),
      metadata: { find: async () => undefined },
      signer: createLocalTokenSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
      hasher: createLocalSecretHasher(randomBytes(32)),
      clock,
      relyingParty: { rpId: 'localhost', rpName: 'Latchkey', origins: [origin] },
      tokenSettings: { issuer: origin, audience: 'latchkey' },
    };
    await deps.policy.current();

    const results: RoundTripResult[] = [];
    const measure = async <T>(step: string, action: () => Promise<T>): Promise<T> => {
      recorder.reset();
      const result = await action();
      results.push({ step, requests: recorder.trips.length, sequential: sequentialDepth(recorder.trips), commands: recorder.trips.map((trip) => trip.command.replace(/Command$/, '')) });
      return result;
    };

    const authenticator = new SoftAuthenticator({ origin, algorithm: 'ES256' });
    const registration = await measure('registration options (self sign-up)', () => startRegistration({ request: { username: 'bench-user' }, bearerToken: undefined }, deps));
    await measure('registration verify (self sign-up)', () => finishRegistration({ request: { response: authenticator.register(registration.options) as never }, context }, deps));
    const usernameless = await measure('sign-in options (usernameless)', () => startSignIn({ request: {} }, deps));
    await measure('sign-in options (username)', () => startSignIn({ request: { username: 'bench-user' } }, deps));
    await measure('sign-in verify', () => finishSignIn({ request: { response: authenticator.authenticate(usernameless.options) as never }, context }, deps));
    return results;
  } finally {
    documentClient.destroy();
    client.destroy();
    await dynamodb.stop();
  }
};
