import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

type WriteRequest = { PutRequest: { Item: Record<string, unknown> } } | { DeleteRequest: { Key: Record<string, unknown> } };

/** BatchWriteItem takes at most 25 requests. */
const batchSize = 25;

const sleep = (milliseconds: number) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * Writes many items with BatchWriteItem: 25 per call, a few calls at a time, unprocessed items
 * retried with exponential backoff (the SDK retries throttled calls; DynamoDB may still hand
 * some items back). Not atomic: a failure part-way leaves the earlier batches written.
 */
export const batchWrite = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  options: { concurrency?: number; maxAttempts?: number } = {},
): Promise<void> => {
  const concurrency = options.concurrency ?? 4;
  const maxAttempts = options.maxAttempts ?? 8;
  const batches: WriteRequest[][] = [];
  for (let start = 0; start < requests.length; start += batchSize) batches.push(requests.slice(start, start + batchSize));

  const writeBatch = async (batch: WriteRequest[]) => {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt += 1) {
      // Ensure a table that keeps refusing ends the refresh rather than looping
      if (attempt > maxAttempts) throw new Error(`BatchWriteItem left ${pending.length} items unprocessed after ${maxAttempts} attempts`);
      if (attempt > 1) await sleep(Math.min(50 * 2 ** attempt, 5_000));
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = (result.UnprocessedItems?.[tableName] ?? []) as WriteRequest[];
    }
  };

  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next] as WriteRequest[];
      next += 1;
      await writeBatch(batch);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
};
