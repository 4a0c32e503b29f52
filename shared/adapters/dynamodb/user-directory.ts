import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { directoryShards, keys, tableSchema } from '../../storage/table.ts';
import type { AuditEvent } from '../../events/catalog.ts';
import type { DirectoryCredential, DirectoryEntry, UserAccount, UserChanges, UserDirectory } from '../../ports.ts';
import { toCredential, toDirectoryCredential, toUser, userItem } from './items.ts';
import { projection } from './expressions.ts';
import { maxTransactionItems, outboxPuts, transact, type GuardedItem } from './transact.ts';

const directoryIndex = tableSchema.globalSecondaryIndexes.find((index) => index.indexName === 'directory')!;

/** Every page of a query, in order. */
const queryAll = async (
  client: DynamoDBDocumentClient,
  input: ConstructorParameters<typeof QueryCommand>[0],
  visit: (items: Record<string, unknown>[]) => void,
): Promise<void> => {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    visit(page.Items ?? []);
    startKey = page.LastEvaluatedKey;
  } while (startKey);
};

/** SET clauses for the changed fields, each conditioned on the value the change was based on. */
const changeExpression = (before: UserChanges, changes: UserChanges) => {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const conditions = ['attribute_exists(pk)'];
  for (const [index, field] of (['displayName', 'groups', 'disabled'] as const).entries()) {
    if (changes[field] === undefined) continue;
    names[`#f${index}`] = field;
    values[`:new${index}`] = changes[field];
    values[`:old${index}`] = before[field];
    sets.push(`#f${index} = :new${index}`);
    conditions.push(`#f${index} = :old${index}`);
  }
  return {
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: conditions.join(' AND '),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
};

export const createDynamoUserDirectory = (client: DynamoDBDocumentClient, tableName: string): UserDirectory => ({
  async create({ user, usernameKey, events }) {
    await transact(client, [
      {
        item: {
          Put: {
            TableName: tableName,
            Item: { ...keys.usernameGuard(usernameKey), type: 'usernameGuard', userId: user.id },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        guard: 'username',
      },
      {
        item: { Put: { TableName: tableName, Item: userItem(user, usernameKey), ConditionExpression: 'attribute_not_exists(pk)' } },
        guard: 'user',
      },
      ...outboxPuts(tableName, events),
    ]);
  },

  async findIdByUsername(usernameKey) {
    const result = await client.send(
      new GetCommand({ TableName: tableName, Key: keys.usernameGuard(usernameKey), ConsistentRead: true, ...projection(['userId']) }),
    );
    return result.Item?.userId as string | undefined;
  },

  async update({ userId, before, changes, events }) {
    await transact(client, [
      { item: { Update: { TableName: tableName, Key: keys.user(userId), ...changeExpression(before, changes) } }, guard: 'user' },
      ...outboxPuts(tableName, events),
    ]);
  },

  async loadAccount(userId) {
    const items: Record<string, unknown>[] = [];
    await queryAll(
      client,
      {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.userPartition(userId) },
        ConsistentRead: true,
      },
      (page) => items.push(...page),
    );
    const profile = items.find((item) => item.sk === 'PROFILE');
    if (!profile) return undefined;
    const sortKeyOf = (item: Record<string, unknown>) => String(item.sk);
    return {
      user: toUser(profile),
      credentials: items.filter((item) => sortKeyOf(item).startsWith(keys.credentialSortPrefix)).map(toCredential),
      enrollmentCodeHashes: items
        .filter((item) => sortKeyOf(item).startsWith(keys.enrollmentCodeSortPrefix))
        .map((item) => sortKeyOf(item).slice(keys.enrollmentCodeSortPrefix.length)),
    };
  },

  async remove({ account, usernameKey, credentialEvents, events }) {
    const { user } = account;
    // Each key with its guard and its event, and each code with the user's record of it, stay together.
    const groups: { items: GuardedItem[]; credentials: number }[] = [
      ...account.credentials.map((credential) => ({
        credentials: 1,
        items: [
          {
            item: { Delete: { TableName: tableName, Key: keys.credential(user.id, credential.id), ConditionExpression: 'attribute_exists(pk)' } },
            guard: 'credential',
          },
          { item: { Delete: { TableName: tableName, Key: keys.credentialGuard(credential.id) } }, guard: 'credentialGuard' },
          ...outboxPuts(tableName, credentialEvents[credential.id] ? [credentialEvents[credential.id] as AuditEvent] : []),
        ],
      })),
      ...account.enrollmentCodeHashes.map((codeHash) => ({
        credentials: 0,
        items: [
          { item: { Delete: { TableName: tableName, Key: keys.enrollmentCode(codeHash) } }, guard: 'enrollmentCode' },
          { item: { Delete: { TableName: tableName, Key: keys.userEnrollmentCode(user.id, codeHash) } }, guard: 'enrollmentCode' },
        ],
      })),
    ];
    const finalItems = (expectedCount: number): GuardedItem[] => [
      {
        // Nothing may have been added since the account was loaded: the count must match what is deleted.
        item: {
          Delete: {
            TableName: tableName,
            Key: keys.user(user.id),
            ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(credentialCount) OR credentialCount = :count)',
            ExpressionAttributeValues: { ':count': expectedCount },
          },
        },
        guard: 'user',
      },
      {
        item: {
          Delete: {
            TableName: tableName,
            Key: keys.usernameGuard(usernameKey),
            ConditionExpression: 'attribute_not_exists(pk) OR userId = :userId',
            ExpressionAttributeValues: { ':userId': user.id },
          },
        },
        guard: 'username',
      },
      ...outboxPuts(tableName, events),
    ];

    // Pack the groups into transactions of at most 100 items, keeping one slot for the user's own write.
    const finalSize = finalItems(0).length;
    const chunks: (typeof groups)[] = [[]];
    let size = 0;
    for (const group of groups) {
      if (size + group.items.length > maxTransactionItems - 1) {
        chunks.push([]);
        size = 0;
      }
      chunks.at(-1)!.push(group);
      size += group.items.length;
    }
    if (size + finalSize > maxTransactionItems) chunks.push([]);

    let remaining = user.credentialCount;
    for (const [index, chunk] of chunks.entries()) {
      const items = chunk.flatMap((group) => group.items);
      const deleted = chunk.reduce((sum, group) => sum + group.credentials, 0);
      if (index === chunks.length - 1) {
        await transact(client, [...items, ...finalItems(remaining)]);
        return;
      }
      // An earlier part: disable the user first so no key or sign-in gets in between the parts.
      await transact(client, [
        ...items,
        {
          item: {
            Update: {
              TableName: tableName,
              Key: keys.user(user.id),
              UpdateExpression: 'SET disabled = :true, credentialCount = :count',
              ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(credentialCount) OR credentialCount = :expected)',
              ExpressionAttributeValues: { ':true': true, ':count': remaining - deleted, ':expected': remaining },
            },
          },
          guard: 'user',
        },
      ]);
      remaining -= deleted;
    }
  },

  async forEachEntry(visit) {
    const readShard = async (shard: number) => {
      let current: { userId: string; user?: DirectoryEntry['user']; credentials: DirectoryCredential[] } | undefined;
      const flush = () => {
        // A key whose profile is missing belongs to no one the policy could judge.
        if (current?.user) visit({ user: current.user, credentials: current.credentials });
        current = undefined;
      };
      await queryAll(
        client,
        {
          TableName: tableName,
          IndexName: directoryIndex.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': directoryIndex.partitionKey },
          ExpressionAttributeValues: { ':pk': keys.directoryShard(shard) },
        },
        (items) => {
          for (const item of items) {
            const userId = item.userId as string;
            if (current?.userId !== userId) {
              flush();
              current = { userId, credentials: [] };
            }
            if (item.type === 'user') {
              const { credentialCount: _, ...user } = toUser(item);
              current.user = user;
            } else if (item.type === 'credential') {
              current.credentials.push(toDirectoryCredential(item));
            }
          }
        },
      );
      flush();
    };
    await Promise.all(Array.from({ length: directoryShards }, (_, shard) => readShard(shard)));
  },
});
