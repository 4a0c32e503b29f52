import type { RequestContext } from '../../domain/types.ts';

/** Who asked: the IAM principal ARN in AWS, `local-admin` on the local stage. Recorded as the audit actor. */
export interface AdminRequest {
  principal: string;
  context: RequestContext;
}

export const adminActor = (principal: string) => ({ type: 'admin' as const, principal });
