/** The SDK's one error type; `code` says what happened, `message` says what the person can do. */

/** Codes the service sends as the problem+json `code` (API.md, "Errors"). */
export type ServiceErrorCode =
  | 'invalid_request'
  | 'verification_failed'
  | 'unauthorized'
  | 'policy_denied'
  | 'reauthentication_required'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'method_not_allowed'
  | 'rate_limited'
  | 'internal'
  | 'unavailable';

/** Codes from the browser's WebAuthn errors and from the SDK itself. */
export type ClientErrorCode =
  /** NotAllowedError: the person cancelled, the request timed out, or no enrolled key was offered. */
  | 'cancelled'
  /** AbortError: `abort()` was called, an `AbortSignal` fired, or another ceremony replaced this one. */
  | 'aborted'
  /** InvalidStateError at enrolment: this authenticator already holds a key for this account. */
  | 'already_enrolled'
  /** No WebAuthn (or no autofill) in this browser, or the key lacks a required feature. */
  | 'not_supported'
  /** SecurityError: the page's origin or host does not fit the service's RP ID. */
  | 'security'
  /** UnknownError: the authenticator failed. */
  | 'authenticator_error'
  /** The service could not be reached (offline, DNS, or a CORS refusal). */
  | 'network'
  /** An operation that needs a session was called while signed out. */
  | 'not_signed_in'
  /** The service answered with something that is not Latchkey's API. */
  | 'unexpected_response';

export type LatchkeyErrorCode = ServiceErrorCode | ClientErrorCode;

export type LatchkeyOperation =
  | 'signUp'
  | 'enrol'
  | 'signIn'
  | 'signInWithAutofill'
  | 'listKeys'
  | 'renameKey'
  | 'deleteKey';

export interface LatchkeyErrorOptions {
  code: LatchkeyErrorCode;
  operation: LatchkeyOperation;
  /** HTTP status, for errors the service sent. */
  status?: number | undefined;
  /** The service's problem+json `detail`, for logs and support; `message` is for people. */
  detail?: string | undefined;
  cause?: unknown;
}

export class LatchkeyError extends Error {
  override readonly name = 'LatchkeyError';
  readonly code: LatchkeyErrorCode;
  readonly operation: LatchkeyOperation;
  readonly status: number | undefined;
  readonly detail: string | undefined;

  constructor(message: string, options: LatchkeyErrorOptions) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.operation = options.operation;
    this.status = options.status;
    this.detail = options.detail;
  }
}

/** True for a LatchkeyError, optionally of one of the given codes. */
export const isLatchkeyError = (error: unknown, ...codes: LatchkeyErrorCode[]): error is LatchkeyError =>
  error instanceof LatchkeyError && (codes.length === 0 || codes.includes(error.code));
