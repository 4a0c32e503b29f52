import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../storage/table.ts';
import { policySchema, type Policy } from '../../domain/policy.ts';
import type { Clock, PolicySource } from '../../ports.ts';
import { projection } from './expressions.ts';
import { policyAttributes } from './items.ts';

export interface PolicySourceSettings {
  defaults: Policy;
  /** How long a read policy is trusted (POLICY_CACHE_SECONDS); 0 reads on every call. */
  cacheSeconds: number;
}

/**
 * The stored policy over the stage defaults, through a short in-memory cache so the policy
 * item is not a hot key. A stored field the schema no longer accepts fails loudly.
 */
export const createDynamoPolicySource = (
  client: DynamoDBDocumentClient,
  tableName: string,
  settings: PolicySourceSettings,
  clock: Clock,
): PolicySource => {
  let cached: { policy: Policy; until: number } | undefined;
  let inFlight: Promise<Policy> | undefined;

  const read = async (): Promise<Policy> => {
    const result = await client.send(
      new GetCommand({ TableName: tableName, Key: keys.policy(), ...projection(policyAttributes) }),
    );
    const stored = (result.Item?.policy as Record<string, unknown> | undefined) ?? {};
    return policySchema.parse({ ...settings.defaults, ...stored });
  };

  return {
    async current() {
      const now = clock.now();
      if (cached && now < cached.until) return cached.policy;
      // One read per container however many requests wait on it.
      inFlight ??= read().finally(() => {
        inFlight = undefined;
      });
      const policy = await inFlight;
      cached = { policy, until: now + settings.cacheSeconds * 1000 };
      return policy;
    },
  };
};
