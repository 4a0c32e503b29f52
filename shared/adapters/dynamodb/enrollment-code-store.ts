import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../storage/table.ts';
import type { EnrollmentCodeStore } from '../../ports.ts';
import { enrollmentCodeAttributes, enrollmentCodeItem, toEnrollmentCode, userEnrollmentCodeItem } from './items.ts';
import { projection } from './expressions.ts';
import { outboxPuts, transact } from './transact.ts';

export const createDynamoEnrollmentCodeStore = (client: DynamoDBDocumentClient, tableName: string): EnrollmentCodeStore => ({
  async get(codeHash) {
    const result = await client.send(
      new GetCommand({
        TableName: tableName,
        Key: keys.enrollmentCode(codeHash),
        ConsistentRead: true,
        ...projection(enrollmentCodeAttributes),
      }),
    );
    return result.Item ? toEnrollmentCode(result.Item) : undefined;
  },

  async issue({ code, events }) {
    await transact(client, [
      {
        // Only for a user who exists and is enabled at the moment of issuing.
        item: {
          ConditionCheck: {
            TableName: tableName,
            Key: keys.user(code.userId),
            ConditionExpression: 'attribute_exists(pk) AND disabled = :false',
            ExpressionAttributeValues: { ':false': false },
          },
        },
        guard: 'user',
      },
      {
        item: { Put: { TableName: tableName, Item: enrollmentCodeItem(code), ConditionExpression: 'attribute_not_exists(pk)' } },
        guard: 'enrollmentCode',
      },
      { item: { Put: { TableName: tableName, Item: userEnrollmentCodeItem(code) } }, guard: 'enrollmentCode' },
      ...outboxPuts(tableName, events),
    ]);
  },
});
