import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys, tableSchema } from '../../storage/table.ts';
import type { SignInCandidate, UserStore } from '../../ports.ts';
import type { Transport } from '../../domain/types.ts';
import { toUser, userAttributes } from './items.ts';
import { projection } from './expressions.ts';

const [usernameIndex] = tableSchema.globalSecondaryIndexes;

export const createDynamoUserStore = (client: DynamoDBDocumentClient, tableName: string): UserStore => ({
  async get(userId) {
    const result = await client.send(
      new GetCommand({ TableName: tableName, Key: keys.user(userId), ConsistentRead: true, ...projection(userAttributes) }),
    );
    return result.Item ? toUser(result.Item) : undefined;
  },

  async isUsernameTaken(usernameKey) {
    const result = await client.send(
      new GetCommand({ TableName: tableName, Key: keys.usernameGuard(usernameKey), ...projection(['userId']) }),
    );
    return result.Item !== undefined;
  },

  async findSignInCandidate(usernameKey): Promise<SignInCandidate | undefined> {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: usernameIndex.indexName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': usernameIndex.partitionKey, '#sk': usernameIndex.sortKey, '#u': 'userId', '#c': 'credentialId', '#t': 'transports' },
        ExpressionAttributeValues: { ':pk': keys.usernameIndex(usernameKey) },
        ProjectionExpression: '#sk, #u, #c, #t',
        Select: 'SPECIFIC_ATTRIBUTES',
      }),
    );
    const items = result.Items ?? [];
    const profile = items.find((item) => item[usernameIndex.sortKey] === 'PROFILE');
    if (!profile) return undefined;
    return {
      userId: profile.userId as string,
      credentials: items
        .filter((item) => typeof item.credentialId === 'string')
        .map((item) => ({ id: item.credentialId as string, transports: (item.transports as Transport[] | undefined) ?? [] })),
    };
  },
});
