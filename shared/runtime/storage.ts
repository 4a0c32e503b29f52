import { createDocumentClient } from '../adapters/dynamodb/client.ts';
import { createDynamoChallengeStore } from '../adapters/dynamodb/challenge-store.ts';
import { createDynamoUserStore } from '../adapters/dynamodb/user-store.ts';
import { createDynamoCredentialStore } from '../adapters/dynamodb/credential-store.ts';
import { createDynamoEnrollmentCodeStore } from '../adapters/dynamodb/enrollment-code-store.ts';
import { createDynamoAuditLog } from '../adapters/dynamodb/audit-log.ts';
import { createDynamoUserDirectory } from '../adapters/dynamodb/user-directory.ts';
import { tracer } from '../http/observability.ts';
import { environmentVariables as names } from './variables.ts';
import { optionalString, requiredString } from './environment.ts';

/** One DynamoDB client and the stores over it, per container. */
export const tableName = requiredString(names.tableName);
const endpoint = optionalString(names.dynamodbEndpoint, '');

export const documentClient = tracer.captureAWSv3Client(
  createDocumentClient({ tableName, endpoint: endpoint === '' ? undefined : endpoint }),
);

export const challenges = createDynamoChallengeStore(documentClient, tableName);
export const users = createDynamoUserStore(documentClient, tableName);
export const credentials = createDynamoCredentialStore(documentClient, tableName);
export const enrollmentCodes = createDynamoEnrollmentCodeStore(documentClient, tableName);
export const audit = createDynamoAuditLog(documentClient, tableName);
/** Admin function only. */
export const directory = createDynamoUserDirectory(documentClient, tableName);
