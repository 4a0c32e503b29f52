import { BatchGetCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../storage/table.ts';
import type { CredentialStore, NewRegistration, SignInUpdate } from '../../ports.ts';
import { credentialItem, publicCredentialAttributes, toCredential, toUser, userItem } from './items.ts';
import { projection } from './expressions.ts';
import { outboxPuts, transact, type GuardedItem } from './transact.ts';

export const createDynamoCredentialStore = (client: DynamoDBDocumentClient, tableName: string): CredentialStore => ({
  async getWithUser(userId, credentialId) {
    const result = await client.send(
      new BatchGetCommand({
        RequestItems: {
          [tableName]: { Keys: [keys.user(userId), keys.credential(userId, credentialId)], ConsistentRead: true },
        },
      }),
    );
    const items = result.Responses?.[tableName] ?? [];
    const userRecord = items.find((item) => item.sk === 'PROFILE');
    const credentialRecord = items.find((item) => item.sk !== 'PROFILE');
    return {
      ...(userRecord ? { user: toUser(userRecord) } : {}),
      ...(credentialRecord ? { credential: toCredential(credentialRecord) } : {}),
    };
  },

  async findOwner(credentialId) {
    const result = await client.send(
      new GetCommand({ TableName: tableName, Key: keys.credentialGuard(credentialId), ConsistentRead: true, ...projection(['userId']) }),
    );
    return result.Item?.userId as string | undefined;
  },

  async listForUser(userId) {
    const { ProjectionExpression, ExpressionAttributeNames } = projection(publicCredentialAttributes);
    const credentials = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':prefix': keys.credentialSortPrefix },
          ProjectionExpression,
          ExpressionAttributeNames,
          Select: 'SPECIFIC_ATTRIBUTES',
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      credentials.push(...(page.Items ?? []).map(toCredential));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return credentials;
  },

  async register(registration: NewRegistration) {
    const { credential, newUser, enrollmentCode, maxCredentialsPerUser, usernameKey, events } = registration;
    const now = Date.parse(credential.createdAt);
    const items: GuardedItem[] = [
      {
        // The credential-id uniqueness guard: a credential id is registered once, across all users.
        item: {
          Put: {
            TableName: tableName,
            Item: { ...keys.credentialGuard(credential.id), type: 'credentialGuard', userId: credential.userId },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        guard: 'credentialId',
      },
      {
        item: {
          Put: { TableName: tableName, Item: credentialItem(credential, usernameKey), ConditionExpression: 'attribute_not_exists(pk)' },
        },
        guard: 'credentialId',
      },
    ];
    if (newUser) {
      items.push(
        {
          item: {
            Put: {
              TableName: tableName,
              Item: { ...keys.usernameGuard(usernameKey), type: 'usernameGuard', userId: newUser.id },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          guard: 'username',
        },
        {
          item: {
            Put: {
              TableName: tableName,
              Item: userItem({ ...newUser, credentialCount: 1 }, usernameKey),
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          guard: 'user',
        },
      );
    } else {
      items.push({
        // The key count bounded by policy, on a user who still exists and is not disabled.
        item: {
          Update: {
            TableName: tableName,
            Key: keys.user(credential.userId),
            UpdateExpression: 'SET credentialCount = if_not_exists(credentialCount, :zero) + :one',
            ConditionExpression:
              'attribute_exists(pk) AND disabled = :false AND (attribute_not_exists(credentialCount) OR credentialCount < :max)',
            ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':false': false, ':max': maxCredentialsPerUser },
          },
        },
        guard: 'credentialLimit',
      });
    }
    if (enrollmentCode) {
      const codeCondition = {
        TableName: tableName,
        Key: keys.enrollmentCode(enrollmentCode.codeHash),
        ConditionExpression: 'attribute_exists(pk) AND expiresAt > :now AND userId = :userId',
        ExpressionAttributeValues: { ':now': now, ':userId': credential.userId },
      };
      items.push({
        item: enrollmentCode.oneTime ? { Delete: codeCondition } : { ConditionCheck: codeCondition },
        guard: 'enrollmentCode',
      });
      if (enrollmentCode.oneTime) {
        // The user's own record of the code goes with it.
        items.push({
          item: { Delete: { TableName: tableName, Key: keys.userEnrollmentCode(credential.userId, enrollmentCode.codeHash) } },
          guard: 'enrollmentCode',
        });
      }
    }
    items.push(...outboxPuts(tableName, events));
    await transact(client, items);
  },

  async recordSignIn(update: SignInUpdate) {
    await transact(client, [
      {
        item: {
          Update: {
            TableName: tableName,
            Key: keys.credential(update.userId, update.credentialId),
            UpdateExpression: 'SET #counter = :new, lastUsedAt = :lastUsedAt, backedUp = :backedUp' +
              (update.cloneSuspected ? ', cloneSuspected = :true' : ''),
            // The counter must still be what verification compared against (WebAuthn §7.2 step 22).
            ConditionExpression: 'attribute_exists(pk) AND #counter = :expected',
            ExpressionAttributeNames: { '#counter': 'counter' },
            ExpressionAttributeValues: {
              ':new': update.newCounter,
              ':expected': update.expectedCounter,
              ':lastUsedAt': update.lastUsedAt,
              ':backedUp': update.backedUp,
              ...(update.cloneSuspected ? { ':true': true } : {}),
            },
          },
        },
        guard: 'counter',
      },
      {
        item: {
          ConditionCheck: {
            TableName: tableName,
            Key: keys.user(update.userId),
            ConditionExpression: 'attribute_exists(pk) AND disabled = :false',
            ExpressionAttributeValues: { ':false': false },
          },
        },
        guard: 'user',
      },
      ...outboxPuts(tableName, update.events),
    ]);
  },

  async rename({ userId, credentialId, nickname, events }) {
    await transact(client, [
      {
        item: {
          Update: {
            TableName: tableName,
            Key: keys.credential(userId, credentialId),
            UpdateExpression: 'SET nickname = :nickname',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':nickname': nickname },
          },
        },
        guard: 'credential',
      },
      ...outboxPuts(tableName, events),
    ]);
  },

  async remove({ userId, credentialId, events }) {
    await transact(client, [
      {
        item: {
          Delete: { TableName: tableName, Key: keys.credential(userId, credentialId), ConditionExpression: 'attribute_exists(pk)' },
        },
        guard: 'credential',
      },
      { item: { Delete: { TableName: tableName, Key: keys.credentialGuard(credentialId) } }, guard: 'credentialGuard' },
      {
        item: {
          Update: {
            TableName: tableName,
            Key: keys.user(userId),
            UpdateExpression: 'SET credentialCount = credentialCount - :one',
            ConditionExpression: 'attribute_exists(pk) AND credentialCount > :zero',
            ExpressionAttributeValues: { ':one': 1, ':zero': 0 },
          },
        },
        guard: 'user',
      },
      ...outboxPuts(tableName, events),
    ]);
  },
});
