import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export interface DynamoDbSettings {
  tableName: string;
  /** DynamoDB Local's URL on one machine; unset in AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
}

/** One DocumentClient per container: call at module scope, never per request. */
export const createDocumentClient = (settings: DynamoDbSettings): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      ...(settings.endpoint
        ? {
            endpoint: settings.endpoint,
            region: settings.region ?? 'localhost',
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          }
        : {}),
      maxAttempts: 3,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
