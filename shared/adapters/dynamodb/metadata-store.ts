import { BatchGetCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from '../../zod.ts';
import { keys, tableSchema } from '../../storage/table.ts';
import type { AuthenticatorMetadata } from '../../metadata/authenticator-metadata.ts';
import type { AuthenticatorModelIndex, MetadataStatus, MetadataStore, ModelCredential } from '../../metadata/ports.ts';
import { metadataRefreshResultSchema, type MetadataRefreshResult } from '../../metadata/refresh-result.ts';
import { batchWrite } from './batch-write.ts';
import { cancelledConditionIndexes, projection } from './expressions.ts';
import { outboxItem, publicCredentialAttributes, toCredential } from './items.ts';

/**
 * FIDO metadata in the table: one item per model key (`MDS#AAGUID#…`, `MDS#KEYID#…`), the
 * status of the last good BLOB (`MDS`/`STATUS`) and the list of stored model keys
 * (`MDS`/`INDEX`). Keys are found by model through the byAuthenticatorModel index.
 */

const metadataSchema = z.object({
  modelKey: z.string(),
  aaguid: z.optional(z.string()),
  description: z.string(),
  icon: z.optional(z.string()),
  attestationRootCertificates: z.array(z.string()),
  attestationTypes: z.array(z.string()),
  status: z.string(),
  statusEffectiveDate: z.optional(z.string()),
  blobNumber: z.number(),
});

const statusSchema = z.object({
  blobNumber: z.optional(z.number()),
  nextUpdate: z.optional(z.string()),
  entryCount: z.optional(z.number()),
  updatedAt: z.optional(z.string()),
  compromisedModels: z._default(z.array(z.string()), []),
  lastRefresh: z.optional(metadataRefreshResultSchema),
});

const modelIndex = (() => {
  const index = tableSchema.globalSecondaryIndexes.find((candidate) => candidate.indexName === 'byAuthenticatorModel');
  if (!index) throw new Error('tableSchema has no byAuthenticatorModel index');
  return index;
})();

export const createDynamoMetadataStore = (client: DynamoDBDocumentClient, tableName: string): MetadataStore => ({
  async find(modelKey) {
    const result = await client.send(new GetCommand({ TableName: tableName, Key: keys.metadataEntry(modelKey), ...projection(['metadata']) }));
    return result.Item ? (metadataSchema.parse(result.Item.metadata) as AuthenticatorMetadata) : undefined;
  },

  async status() {
    const result = await client.send(new GetCommand({ TableName: tableName, Key: keys.metadataStatus(), ConsistentRead: true }));
    if (!result.Item) return undefined;
    return statusSchema.parse(result.Item) as MetadataStatus;
  },

  async replaceEntries(entries: AuthenticatorMetadata[]) {
    const previous = await client.send(new GetCommand({ TableName: tableName, Key: keys.metadataIndex(), ConsistentRead: true }));
    const previousKeys = z.catch(z.array(z.string()), []).parse(previous.Item?.modelKeys);
    const currentKeys = new Set(entries.map((entry) => entry.modelKey));
    const removed = previousKeys.filter((modelKey) => !currentKeys.has(modelKey));

    await batchWrite(client, tableName, [
      ...entries.map((metadata) => ({
        PutRequest: { Item: { ...keys.metadataEntry(metadata.modelKey), type: 'metadataEntry', metadata: stripUndefined(metadata) } },
      })),
      ...removed.map((modelKey) => ({ DeleteRequest: { Key: keys.metadataEntry(modelKey) } })),
    ]);
    // Written last: a refresh that fails part-way still knows every key it may have written.
    await client.send(
      new PutCommand({ TableName: tableName, Item: { ...keys.metadataIndex(), type: 'metadataIndex', modelKeys: [...new Set([...currentKeys])] } }),
    );
    return { written: entries.length, removed: removed.length };
  },

  async recordBlob(status, result) {
    await client.send(new PutCommand({ TableName: tableName, Item: { ...keys.metadataStatus(), type: 'metadataStatus', ...status, lastRefresh: result } }));
  },

  async recordRefresh(result: MetadataRefreshResult) {
    await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: keys.metadataStatus(),
        UpdateExpression: 'SET lastRefresh = :result, #type = :type, compromisedModels = if_not_exists(compromisedModels, :none)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':result': result, ':type': 'metadataStatus', ':none': [] },
      }),
    );
  },
});

/** Credentials by model (byAuthenticatorModel), their owners' names, and flagging them with the event in one transaction. */
export const createDynamoAuthenticatorModelIndex = (client: DynamoDBDocumentClient, tableName: string): AuthenticatorModelIndex => ({
  async findCredentials(modelKey) {
    const found: ModelCredential[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: modelIndex.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': modelIndex.partitionKey, '#u': 'userId', '#c': 'credentialId', '#s': 'authenticatorStatus' },
          ExpressionAttributeValues: { ':pk': keys.authenticatorModelIndex(modelKey) },
          ProjectionExpression: '#u, #c, #s',
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        found.push({ userId: String(item.userId), credentialId: String(item.credentialId), authenticatorStatus: item.authenticatorStatus as string | undefined });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
  },

  async loadCredentials(modelCredentials) {
    const loaded = [];
    // 50 keys and their owners per BatchGetItem (at most 100 keys per call).
    for (let start = 0; start < modelCredentials.length; start += 50) {
      const chunk = modelCredentials.slice(start, start + 50);
      const requested = [
        ...chunk.map((key) => keys.credential(key.userId, key.credentialId)),
        ...[...new Set(chunk.map((key) => key.userId))].map((userId) => keys.user(userId)),
      ];
      const items = await batchGet(client, tableName, requested, [tableSchema.sortKey, 'username', ...publicCredentialAttributes, 'attestationKeyIdentifier', 'authenticatorStatus']);
      const usernames = new Map(items.filter((item) => item.sk === 'PROFILE').map((item) => [String(item.userId), String(item.username)]));
      for (const item of items.filter((candidate) => candidate.sk !== 'PROFILE')) {
        const credential = toCredential(item);
        const username = usernames.get(credential.userId);
        if (username !== undefined) loaded.push({ credential, username });
      }
    }
    return loaded;
  },

  async flagCredential({ userId, credentialId, status, events }) {
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: keys.credential(userId, credentialId),
                UpdateExpression: 'SET authenticatorStatus = :status',
                // Ensure the key still exists and each status change is flagged (and announced) once.
                ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(authenticatorStatus) OR authenticatorStatus <> :status)',
                ExpressionAttributeValues: { ':status': status },
              },
            },
            ...events.map((event) => ({ Put: { TableName: tableName, Item: outboxItem(event), ConditionExpression: 'attribute_not_exists(pk)' } })),
          ],
        }),
      );
      return true;
    } catch (error) {
      if (cancelledConditionIndexes(error)?.[0] === 0) return false;
      throw error;
    }
  },
});

const batchGet = async (client: DynamoDBDocumentClient, tableName: string, requested: Record<string, string>[], attributes: string[]) => {
  const items: Record<string, unknown>[] = [];
  let pending: Record<string, unknown>[] = requested;
  for (let attempt = 0; pending.length > 0 && attempt < 8; attempt += 1) {
    const result = await client.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ...projection([...new Set(attributes)]) } } }));
    items.push(...(result.Responses?.[tableName] ?? []));
    pending = (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
  }
  if (pending.length > 0) throw new Error(`BatchGetItem left ${pending.length} keys unprocessed`);
  return items;
};

const stripUndefined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, member]) => member !== undefined)) as T;
