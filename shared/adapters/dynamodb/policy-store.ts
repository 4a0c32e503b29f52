import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../storage/table.ts';
import { policySchema, type Policy } from '../../domain/policy.ts';
import type { PolicyStore } from '../../ports.ts';
import { policyAttributes, policyItem } from './items.ts';
import { projection } from './expressions.ts';
import { outboxPuts, transact } from './transact.ts';

/** The effective policy: the stored one over the stage defaults. A stored field the schema no longer accepts fails loudly. */
export const effectivePolicy = (defaults: Policy, stored: Record<string, unknown> | undefined): Policy =>
  policySchema.parse({ ...defaults, ...stored });

/**
 * The stored policy item. The functions read only `policyAttributes` (the challenge function's
 * IAM allow-list names them) and eventually consistently; the admin function reads the version
 * too, consistently, to replace the policy it read.
 */
export const readStoredPolicy = async (
  client: DynamoDBDocumentClient,
  tableName: string,
  access: { consistent: boolean; withVersion: boolean },
): Promise<{ stored: Record<string, unknown> | undefined; version: number }> => {
  const attributes = access.withVersion ? [...policyAttributes, 'version'] : policyAttributes;
  const result = await client.send(
    new GetCommand({ TableName: tableName, Key: keys.policy(), ConsistentRead: access.consistent, ...projection(attributes) }),
  );
  return {
    stored: result.Item?.policy as Record<string, unknown> | undefined,
    version: typeof result.Item?.version === 'number' ? result.Item.version : 0,
  };
};

export const createDynamoPolicyStore = (client: DynamoDBDocumentClient, tableName: string, defaults: Policy): PolicyStore => ({
  async read() {
    const { stored, version } = await readStoredPolicy(client, tableName, { consistent: true, withVersion: true });
    return { policy: effectivePolicy(defaults, stored), version };
  },

  async replace({ policy, expectedVersion, updatedAt, events }) {
    await transact(client, [
      {
        // Optimistic concurrency: the policy must still be the one the admin's change was based on.
        item: {
          Put: {
            TableName: tableName,
            Item: policyItem(policy, expectedVersion + 1, updatedAt),
            ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
            ...(expectedVersion === 0 ? {} : { ExpressionAttributeValues: { ':expected': expectedVersion } }),
          },
        },
        guard: 'policy',
      },
      ...outboxPuts(tableName, events),
    ]);
  },
});
