import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startLocalStage, type LocalStage, type LocalStageOptions } from '../../local/stage.ts';
import { readEventsFile } from './event-schema.ts';
import { assertNoSecrets } from './secret-scan.ts';

export interface TestStage extends LocalStage {
  dataDirectory: string;
  /** A DocumentClient on the stage's table, to arrange or inspect state directly. */
  documentClient: DynamoDBDocumentClient;
  call(method: string, path: string, options?: { body?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> }): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  body: any;
}

/** A local stage on the run's shared DynamoDB Local, with its own table and data folder. */
export const startTestStage = async (options: LocalStageOptions = {}): Promise<TestStage> => {
  const dataDirectory = mkdtempSync(join(tmpdir(), 'latchkey-test-'));
  const dynamodbEndpoint = inject('dynamodbEndpoint');
  const stage = await startLocalStage({
    port: 0,
    dataDirectory,
    dynamodbEndpoint,
    tableName: `test-${randomBytes(6).toString('hex')}`,
    ...options,
  });
  const documentClient = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: dynamodbEndpoint, region: 'localhost', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  return {
    ...stage,
    dataDirectory,
    documentClient,
    async call(method, path, { body, rawBody, token, headers } = {}) {
      const response = await fetch(`${stage.url}${path}`, {
        method,
        headers: {
          ...(body !== undefined || rawBody !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          origin: stage.url,
          ...headers,
        },
        body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text === '' ? undefined : JSON.parse(text);
      } catch {
        // Leave non-JSON bodies as text: the test asserts on them.
      }
      return { status: response.status, headers: response.headers, body: parsed };
    },
    async close() {
      // Every event this test file's requests produced must match its detail-type's schema
      // and carry no secret: the audit contract is checked for every flow the tests exercise.
      let auditProblem: unknown;
      try {
        await stage.eventsDrained();
        for (const event of await readEventsFile(stage.eventsFile)) assertNoSecrets(event);
      } catch (error) {
        auditProblem = error;
      }
      documentClient.destroy();
      await stage.stop();
      rmSync(dataDirectory, { recursive: true, force: true });
      if (auditProblem) throw auditProblem;
    },
  };
};

/** Every audit event in the stage's outbox, oldest first (test-only scan of a test table). */
export const outboxEvents = async (stage: TestStage): Promise<{ detailType: string; detail: any }[]> => {
  const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const items: Record<string, any>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await stage.documentClient.send(
      new ScanCommand({ TableName: stage.tableName, FilterExpression: '#type = :outbox', ExpressionAttributeNames: { '#type': 'type' }, ExpressionAttributeValues: { ':outbox': 'outbox' }, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items
    .map((item) => ({ detailType: item.detailType as string, detail: item.detail }))
    .sort((a, b) => String(a.detail.eventId).localeCompare(String(b.detail.eventId)));
};
