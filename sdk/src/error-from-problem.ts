import { LatchkeyError, type LatchkeyOperation, type ServiceErrorCode } from './errors.ts';

/** An RFC 9457 problem as Latchkey sends it. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code: ServiceErrorCode;
}

const serviceCodes: ReadonlySet<string> = new Set<ServiceErrorCode>([
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
  'internal',
  'unavailable',
]);

/** Ensure a parsed body is a Latchkey problem before trusting its `code`. */
export const isProblem = (value: unknown): value is Problem =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { code?: unknown }).code === 'string' &&
  serviceCodes.has((value as { code: string }).code);

type Messages = Partial<Record<LatchkeyOperation, string>> & { default: string };

const signInAgain = 'Your session has ended. Sign in again.';
const tryAgainLater = 'The sign-in service had a problem on its side. Try again in a moment.';

/**
 * What a person can do about each code, by operation where the same code means different things
 * (a 401 on a code enrolment is a bad code; elsewhere it is an expired session).
 */
const messages: Record<ServiceErrorCode, Messages> = {
  invalid_request: {
    signUp: 'Check the username and display name: they must be 1–64 (name) and 1–128 (display name) characters, with no leading or trailing spaces.',
    renameKey: 'Key names must be 1–64 characters and not only spaces.',
    default: 'The sign-in service did not accept the request. Reload the page and try again.',
  },
  verification_failed: {
    signIn: 'This key could not be verified. If it was removed from your account it can no longer sign in — use another key. Otherwise, try again.',
    signInWithAutofill: 'This passkey could not be verified. If it was removed from your account it can no longer sign in — use another key. Otherwise, try again.',
    default: 'Your new key could not be verified, so it was not added. Try again, or use another key.',
  },
  unauthorized: {
    enrol: signInAgain,
    default: signInAgain,
  },
  policy_denied: {
    default: "Your organisation's sign-in policy does not allow this. Contact your administrator.",
  },
  reauthentication_required: {
    default: 'For your security, confirm it is you with a key you already have, then try again.',
  },
  not_found: {
    renameKey: 'That key is no longer on your account. Refresh the list of keys.',
    deleteKey: 'That key is no longer on your account. Refresh the list of keys.',
    default: 'That was not found. Refresh the page and try again.',
  },
  conflict: {
    signUp: 'That username is taken. Choose another one, or sign in if it is yours.',
    default: 'This key is already registered. Use a different key.',
  },
  payload_too_large: { default: 'The request was too large for the sign-in service.' },
  method_not_allowed: { default: 'The sign-in service does not support this request; the SDK and the service may be out of step.' },
  rate_limited: { default: 'Too many attempts. Wait a minute, then try again.' },
  internal: { default: tryAgainLater },
  unavailable: { default: 'The sign-in service is busy. Try again in a moment.' },
};

/** The message for an enrollment code the service refused (401 on enrolment with a code). */
export const invalidEnrollmentCodeMessage =
  'That enrollment code is not valid or has expired. Check it for typing mistakes, or ask your administrator for a new one.';

/**
 * Maps a problem+json body to a LatchkeyError with a message a person can act on.
 * The service's own `detail` stays on the error for logs; for `policy_denied` it is the message,
 * because only the service knows which rule refused.
 */
export const errorFromProblem = (
  problem: Problem,
  operation: LatchkeyOperation,
  options: { status?: number; withEnrollmentCode?: boolean } = {},
): LatchkeyError => {
  const byCode = messages[problem.code];
  let message = byCode[operation] ?? byCode.default;
  if (problem.code === 'policy_denied' && problem.detail) message = problem.detail;
  if (problem.code === 'unauthorized' && options.withEnrollmentCode) message = invalidEnrollmentCodeMessage;
  return new LatchkeyError(message, {
    code: problem.code,
    operation,
    status: options.status ?? problem.status,
    detail: problem.detail,
  });
};
