import { TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError } from '../../errors.ts';
import type { AuditEvent } from '../../events/catalog.ts';
import { outboxItem } from './items.ts';
import { cancelledConditionIndexes } from './expressions.ts';

export type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** One write of a transaction, named after the guard its condition enforces. */
export interface GuardedItem {
  item: TransactItem;
  guard: string;
}

/** DynamoDB's limit on the items of one TransactWriteItems call. */
export const maxTransactionItems = 100;

/** Runs a transaction; a failed condition becomes ConditionFailedError naming the first guard that failed. */
export const transact = async (client: DynamoDBDocumentClient, items: GuardedItem[]): Promise<void> => {
  try {
    await client.send(new TransactWriteCommand({ TransactItems: items.map(({ item }) => item) }));
  } catch (error) {
    const failed = cancelledConditionIndexes(error);
    if (failed === undefined || failed.length === 0) throw error;
    const guard = items[failed[0] ?? 0]?.guard;
    throw new ConditionFailedError(`Transaction refused by the ${guard ?? 'unknown'} guard`, guard, { cause: error });
  }
};

/** Outbox items ride in their change's transaction (EVENTS.md, transactional outbox). */
export const outboxPuts = (tableName: string, events: AuditEvent[]): GuardedItem[] =>
  events.map((event) => ({
    item: { Put: { TableName: tableName, Item: outboxItem(event), ConditionExpression: 'attribute_not_exists(pk)' } },
    guard: 'outbox',
  }));
