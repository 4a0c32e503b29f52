import type { EventCredential, EventUser, FailureReason } from './events/catalog.ts';

/**
 * Latchkey's error family. Use cases throw these; one middleware (shared/http/problem.ts)
 * maps them to RFC 9457 problem+json. `reason` is the precise cause for the audit log and
 * the logs — never shown to the client where it could reveal whether a user exists.
 */
export const clientErrorCodes = [
  'invalid_request',
  'verification_failed',
  'unauthorized',
  'policy_denied',
  'reauthentication_required',
  'not_found',
  'conflict',
  'payload_too_large',
  'method_not_allowed',
  'rate_limited',
] as const;
export const serverErrorCodes = ['internal', 'unavailable'] as const;
/** The stable problem+json `code`s (API.md, "Errors"). */
export type ErrorCode = (typeof clientErrorCodes)[number] | (typeof serverErrorCodes)[number];

export interface AuditSubject {
  user?: EventUser | undefined;
  credential?: EventCredential | undefined;
}

export abstract class LatchkeyError extends Error {
  abstract readonly code: ErrorCode;
  abstract readonly status: number;
  abstract readonly title: string;
  /** Machine-readable cause for the audit event; not part of the HTTP response. */
  readonly reason: FailureReason | undefined;
  /** Who and what the failure concerned, for the audit event only. */
  readonly subject: AuditSubject | undefined;

  constructor(detail: string, options: { reason?: FailureReason | undefined; cause?: unknown; subject?: AuditSubject | undefined } = {}) {
    super(detail, { cause: options.cause });
    this.reason = options.reason;
    this.subject = options.subject;
  }
}

export class InvalidRequestError extends LatchkeyError {
  override readonly name = 'InvalidRequestError';
  readonly code = 'invalid_request';
  readonly status = 400;
  readonly title = 'Invalid request';
}

export class PayloadTooLargeError extends LatchkeyError {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'payload_too_large';
  readonly status = 413;
  readonly title = 'Request body too large';
}

export class VerificationFailedError extends LatchkeyError {
  override readonly name = 'VerificationFailedError';
  readonly code = 'verification_failed';
  readonly status = 400;
  readonly title = 'Verification failed';
}

export class UnauthorizedError extends LatchkeyError {
  override readonly name = 'UnauthorizedError';
  readonly code = 'unauthorized';
  readonly status = 401;
  readonly title = 'Unauthorized';
}

export class PolicyDeniedError extends LatchkeyError {
  override readonly name = 'PolicyDeniedError';
  readonly code = 'policy_denied';
  readonly status = 403;
  readonly title = 'Denied by policy';
}

export class ReauthenticationRequiredError extends LatchkeyError {
  override readonly name = 'ReauthenticationRequiredError';
  readonly code = 'reauthentication_required';
  readonly status = 403;
  readonly title = 'Recent sign-in required';
}

export class NotFoundError extends LatchkeyError {
  override readonly name = 'NotFoundError';
  readonly code = 'not_found';
  readonly status = 404;
  readonly title = 'Not found';
}

export class MethodNotAllowedError extends LatchkeyError {
  override readonly name = 'MethodNotAllowedError';
  readonly code = 'method_not_allowed';
  readonly status = 405;
  readonly title = 'Method not allowed';
}

export class ConflictError extends LatchkeyError {
  override readonly name = 'ConflictError';
  readonly code = 'conflict';
  readonly status = 409;
  readonly title = 'Conflict';
}

export class RateLimitedError extends LatchkeyError {
  override readonly name = 'RateLimitedError';
  readonly code = 'rate_limited';
  readonly status = 429;
  readonly title = 'Too many requests';
}

/** A conditional write lost a race or a guard item already existed; use cases translate it. */
export class ConditionFailedError extends Error {
  override readonly name = 'ConditionFailedError';
  constructor(
    message: string,
    /** Which guard failed, when the store can tell (e.g. `credentialId`, `username`, `credentialLimit`). */
    readonly guard: string | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

/** Re-throws a verification failure with the user and key it concerned, for the audit event. */
export const withAuditSubject = <T>(check: () => T, subject: AuditSubject): T => {
  try {
    return check();
  } catch (error) {
    if (error instanceof VerificationFailedError && !error.subject) {
      throw new VerificationFailedError(error.message, { reason: error.reason, subject, cause: error.cause });
    }
    throw error;
  }
};
