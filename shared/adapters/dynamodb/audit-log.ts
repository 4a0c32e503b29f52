import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AuditLog } from '../../ports.ts';
import { outboxItem } from './items.ts';

/** Failure events have no state change to ride with: each is one outbox item of its own. */
export const createDynamoAuditLog = (client: DynamoDBDocumentClient, tableName: string): AuditLog => ({
  async record(event) {
    await client.send(
      new PutCommand({ TableName: tableName, Item: outboxItem(event), ConditionExpression: 'attribute_not_exists(pk)' }),
    );
  },
});
