import * as z from '../../zod.ts';
import { ConditionFailedError, PolicyDeniedError } from '../../errors.ts';
import type { Clock, EnrollmentCodeStore, SecretHasher, UserStore } from '../../ports.ts';
import { buildEvent, eventUser } from '../../events/build-event.ts';
import {
  enrollmentCodeLifetime,
  enrollmentCodePurpose,
  generateEnrollmentCode,
  normalizeEnrollmentCode,
} from '../enrollment-code.ts';
import { adminActor, type AdminRequest } from './admin-request.ts';
import { requireUser } from './manage-users.ts';

export const issueEnrollmentCodeRequest = z.strictObject({
  lifetimeSeconds: z.optional(z.int().check(z.gte(enrollmentCodeLifetime.minSeconds), z.lte(enrollmentCodeLifetime.maxSeconds))),
  oneTime: z.optional(z.boolean()),
});

export interface IssueEnrollmentCodeDeps {
  users: UserStore;
  enrollmentCodes: EnrollmentCodeStore;
  hasher: SecretHasher;
  clock: Clock;
}

/**
 * Issues an enrollment code (Entra's Temporary Access Pass) so a user with no key can register
 * one. The code is returned once and stored only as a keyed hash; the audit event never has it.
 * One-time codes are used up by the first successful registration; others last their lifetime.
 */
export const issueEnrollmentCode = async (
  input: AdminRequest & { userId: string; request: z.infer<typeof issueEnrollmentCodeRequest> },
  deps: IssueEnrollmentCodeDeps,
): Promise<{ code: string; expiresAt: string }> => {
  const user = await requireUser(input.userId, deps.users);
  const subject = { user: eventUser(user) };
  const disabled = () => new PolicyDeniedError('This account is disabled; enable it before issuing a code.', { reason: 'user_disabled', subject });
  if (user.disabled) throw disabled();

  const now = deps.clock.now();
  const code = generateEnrollmentCode();
  const expiresAt = now + (input.request.lifetimeSeconds ?? enrollmentCodeLifetime.defaultSeconds) * 1000;
  const event = buildEvent('Enrollment Code Issued', { actor: adminActor(input.principal), outcome: 'success', user: subject.user }, input.context, deps.clock);
  try {
    await deps.enrollmentCodes.issue({
      code: {
        codeHash: await deps.hasher.hash(enrollmentCodePurpose, normalizeEnrollmentCode(code)),
        userId: user.id,
        expiresAt,
        oneTime: input.request.oneTime ?? true,
        createdAt: new Date(now).toISOString(),
      },
      events: [event],
    });
  } catch (error) {
    // The user was disabled or deleted between the read and the write.
    if (error instanceof ConditionFailedError && error.guard === 'user') throw disabled();
    throw error;
  }
  return { code, expiresAt: new Date(expiresAt).toISOString() };
};
