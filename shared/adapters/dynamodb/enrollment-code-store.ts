import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../storage/table.ts';
import type { EnrollmentCodeStore } from '../../ports.ts';
import { enrollmentCodeAttributes, toEnrollmentCode } from './items.ts';
import { projection } from './expressions.ts';

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
});
