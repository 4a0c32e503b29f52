import { tableSchema } from '../../shared/storage/table.ts';
import {
  enrollmentCodeAttributes,
  policyAttributes,
  publicCredentialAttributes,
  userAttributes,
} from '../../shared/adapters/dynamodb/items.ts';

const [usernameIndex] = tableSchema.globalSecondaryIndexes;

/**
 * Every attribute the challenge function may read (IAM `dynamodb:Attributes` allow-list), built
 * from the item mapping's own projections. `publicKey` is deliberately absent: the function that
 * hands out challenges never needs a credential's key, so a flaw in it cannot leak or swap keys.
 */
export const challengeReadableAttributes = [
  ...new Set([
    // DynamoDB needs every table and index key attribute in the list to serve the request.
    tableSchema.partitionKey,
    tableSchema.sortKey,
    usernameIndex.partitionKey,
    usernameIndex.sortKey,
    ...userAttributes,
    ...publicCredentialAttributes,
    ...policyAttributes,
    ...enrollmentCodeAttributes,
  ]),
];
