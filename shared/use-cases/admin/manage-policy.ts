import { ConditionFailedError, ConflictError } from '../../errors.ts';
import type { Policy } from '../../domain/policy.ts';
import type { Clock, PolicyStore } from '../../ports.ts';
import { buildEvent } from '../../events/build-event.ts';
import { adminActor, type AdminRequest } from './admin-request.ts';

export interface ManagePolicyDeps {
  policies: PolicyStore;
  clock: Clock;
}

/** The effective policy: the stored one over the stage defaults, read consistently. */
export const getPolicy = async (deps: ManagePolicyDeps): Promise<Policy> => (await deps.policies.read()).policy;

/**
 * Replaces the whole policy (already validated whole at the edge) and records Policy Updated
 * with before and after in the same transaction. Functions see it within POLICY_CACHE_SECONDS.
 */
export const updatePolicy = async (input: AdminRequest & { policy: Policy }, deps: ManagePolicyDeps): Promise<Policy> => {
  const { policy: before, version } = await deps.policies.read();
  const event = buildEvent(
    'Policy Updated',
    { actor: adminActor(input.principal), outcome: 'success', policy: { before, after: input.policy } },
    input.context,
    deps.clock,
  );
  try {
    await deps.policies.replace({ policy: input.policy, expectedVersion: version, updatedAt: new Date(deps.clock.now()).toISOString(), events: [event] });
  } catch (error) {
    if (error instanceof ConditionFailedError) {
      throw new ConflictError('The policy was changed by someone else meanwhile; read it again and retry.', { cause: error });
    }
    throw error;
  }
  return input.policy;
};
