import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../storage/table.ts';
import type { ChallengeStore } from '../../ports.ts';
import type { Challenge } from '../../domain/types.ts';
import { challengeItem, toChallenge } from './items.ts';
import { isConditionalCheckFailure } from './expressions.ts';

export const createDynamoChallengeStore = (client: DynamoDBDocumentClient, tableName: string): ChallengeStore => ({
  async save(challenge: Challenge, ttlSeconds: number) {
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: challengeItem(challenge, Math.ceil(challenge.expiresAt / 1000) + ttlSeconds),
        // Ensure a challenge value is never reused, however unlikely a 256-bit collision is.
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  },

  async consume(value: string) {
    try {
      // Single use: one conditional delete that hands back what it removed (ARCHITECTURE.md).
      const result = await client.send(
        new DeleteCommand({
          TableName: tableName,
          Key: keys.challenge(value),
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValues: 'ALL_OLD',
        }),
      );
      return result.Attributes ? toChallenge(result.Attributes) : undefined;
    } catch (error) {
      if (isConditionalCheckFailure(error)) return undefined;
      throw error;
    }
  },
});
