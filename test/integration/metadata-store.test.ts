import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable } from '../../local/table.ts';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { credentialItem, userItem } from '../../shared/adapters/dynamodb/items.ts';
import { createDynamoAuthenticatorModelIndex, createDynamoMetadataStore } from '../../shared/adapters/dynamodb/metadata-store.ts';
import { modelKeys, type AuthenticatorMetadata } from '../../shared/metadata/authenticator-metadata.ts';
import { buildEvent, eventCredential } from '../../shared/events/build-event.ts';
import type { StoredCredential } from '../../shared/domain/types.ts';
import { keys } from '../../shared/storage/table.ts';

const tableName = `metadata-store-${randomBytes(4).toString('hex')}`;
const documentClient = createDocumentClient({ tableName, endpoint: inject('dynamodbEndpoint') });
const store = createDynamoMetadataStore(documentClient, tableName);
const models = createDynamoAuthenticatorModelIndex(documentClient, tableName);
const context = { requestId: 'metadata-store', stage: 'test', client: { ip: 'internal', userAgent: 'vitest' } };

beforeAll(async () => {
  const client = new DynamoDBClient({ endpoint: inject('dynamodbEndpoint'), region: 'localhost', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await ensureTable(client, tableName);
  client.destroy();
});
afterAll(() => documentClient.destroy());

const aaguidOf = (index: number) => `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
const metadataOf = (index: number, blobNumber: number): AuthenticatorMetadata => ({
  modelKey: modelKeys.aaguid(aaguidOf(index)),
  aaguid: aaguidOf(index),
  description: `Model ${index}`,
  attestationRootCertificates: ['MIIB'],
  attestationTypes: ['basic_full'],
  status: 'FIDO_CERTIFIED',
  blobNumber,
});

describe('DynamoDB metadata store', () => {
  it('writes a BLOB of many entries in batches, and removes the ones the next BLOB drops', async () => {
    // Prepare
    const first = Array.from({ length: 130 }, (_, index) => metadataOf(index, 1));
    const second = first.slice(0, 60).map((entry) => ({ ...entry, blobNumber: 2 }));

    // Act
    const written = await store.replaceEntries(first);
    const replaced = await store.replaceEntries(second);

    // Assess
    expect(written).toEqual({ written: 130, removed: 0 });
    expect(replaced).toEqual({ written: 60, removed: 70 });
    expect(await store.find(modelKeys.aaguid(aaguidOf(59)))).toMatchObject({ description: 'Model 59', blobNumber: 2 });
    expect(await store.find(modelKeys.aaguid(aaguidOf(60)))).toBeUndefined();
  });

  it('keeps the BLOB status and replaces only the last refresh result on other outcomes', async () => {
    const updated = { outcome: 'updated' as const, detail: 'stored', at: '2026-11-23T09:00:00.000Z', flaggedCredentials: 0, warnings: [] };
    await store.recordBlob({ blobNumber: 2, nextUpdate: '2026-12-23', entryCount: 60, updatedAt: updated.at, compromisedModels: ['AAGUID#x'] }, updated);
    await store.recordRefresh({ ...updated, outcome: 'unavailable', detail: 'offline' });

    expect(await store.status()).toEqual({
      blobNumber: 2,
      nextUpdate: '2026-12-23',
      entryCount: 60,
      updatedAt: updated.at,
      compromisedModels: ['AAGUID#x'],
      lastRefresh: { ...updated, outcome: 'unavailable', detail: 'offline' },
    });
  });

  it('finds keys by model through byAuthenticatorModel, and flags each one once with its event', async () => {
    // Prepare
    const aaguid = aaguidOf(999);
    await documentClient.send(new PutCommand({ TableName: tableName, Item: userItem({ id: 'owner', username: 'Owner', displayName: 'Owner', groups: [], disabled: false, createdAt: '2026-01-01T00:00:00.000Z', credentialCount: 2 }, 'owner') }));
    const credential = (id: string, fields: Partial<StoredCredential> = {}): StoredCredential => ({
      id, userId: 'owner', publicKey: 'AA', algorithm: -7, counter: 0, transports: ['usb'], aaguid, backupEligible: false, backedUp: false,
      userVerified: true, attestationFormat: 'packed', attestationTrusted: true, nickname: 'Security key', createdAt: '2026-01-01T00:00:00.000Z', ...fields,
    });
    for (const item of [credential('k1', { authenticatorName: 'Model 999' }), credential('k2'), credential('passkey', { aaguid: '00000000-0000-0000-0000-000000000000' })]) {
      await documentClient.send(new PutCommand({ TableName: tableName, Item: credentialItem(item, 'owner') }));
    }

    // Act
    const found = await models.findCredentials(modelKeys.aaguid(aaguid));
    const loaded = await models.loadCredentials(found);
    const flag = (stored: StoredCredential) =>
      models.flagCredential({
        userId: 'owner',
        credentialId: stored.id,
        status: 'REVOKED',
        events: [buildEvent('Authenticator Status Changed', { actor: { type: 'system' }, outcome: 'success', user: { id: 'owner', username: 'Owner' }, credential: eventCredential(stored), authenticatorStatus: { after: 'REVOKED', metadataBlobNumber: 2 } }, context, { now: () => Date.now() })],
      });
    const firstFlag = await flag(credential('k1'));
    const secondFlag = await flag(credential('k1'));

    // Assess
    expect(found.map((key) => key.credentialId).sort()).toEqual(['k1', 'k2']);
    expect(loaded.map(({ credential: stored, username }) => [stored.id, username]).sort()).toEqual([['k1', 'Owner'], ['k2', 'Owner']]);
    expect(loaded.find(({ credential: stored }) => stored.id === 'k1')?.credential.publicKey).toBe('');
    expect([firstFlag, secondFlag]).toEqual([true, false]);
    const item = await documentClient.send(new GetCommand({ TableName: tableName, Key: keys.credential('owner', 'k1') }));
    expect(item.Item?.authenticatorStatus).toBe('REVOKED');
    expect((await models.findCredentials(modelKeys.aaguid(aaguid))).find((key) => key.credentialId === 'k1')?.authenticatorStatus).toBe('REVOKED');
  });
});
