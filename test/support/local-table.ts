import { randomUUID } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client.ts';
import { ensureTable } from '../../local/table.ts';

export interface TestTable {
  tableName: string;
  streamArn: string;
  documentClient: DynamoDBDocumentClient;
  /** Drops the table and closes the clients. */
  remove(): Promise<void>;
}

const localClient = (endpoint: string) =>
  new DynamoDBClient({ endpoint, region: 'localhost', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

/** A fresh table from the shared schema, uniquely named, on the given DynamoDB Local. */
export const createTestTable = async (endpoint: string, prefix = 'test'): Promise<TestTable> => {
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const client = localClient(endpoint);
  const { streamArn } = await ensureTable(client, tableName);
  const documentClient = createDocumentClient({ tableName, endpoint });
  return {
    tableName,
    streamArn,
    documentClient,
    async remove() {
      await client.send(new DeleteTableCommand({ TableName: tableName })).catch(() => undefined);
      client.destroy();
      documentClient.destroy();
    },
  };
};
