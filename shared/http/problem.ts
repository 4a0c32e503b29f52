import { $ZodError } from 'zod/v4/core';
import { LatchkeyError, type ErrorCode } from '../errors.ts';

/** RFC 9457 problem details, with Latchkey's stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
}

const problemType = (code: ErrorCode) => `urn:latchkey:problem:${code}`;

/** "response.id: Invalid string" — what arrived wrong, where, never the value itself. */
export const describeZodError = (error: $ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');

const throttled = new Set(['ThrottlingException', 'ProvisionedThroughputExceededException', 'RequestLimitExceeded', 'TransactionConflictException']);

export const unavailableProblem = (): Problem => ({
  type: problemType('unavailable'),
  title: 'Service unavailable',
  status: 503,
  detail: 'The service is busy; retry shortly.',
  code: 'unavailable',
});

/** The one mapping from errors to problems. 4xx say what was wrong; 5xx say nothing. */
export const toProblem = (error: unknown): Problem => {
  if (error instanceof LatchkeyError) {
    return { type: problemType(error.code), title: error.title, status: error.status, detail: error.message, code: error.code };
  }
  // Classic and mini schemas both throw a $ZodError.
  if (error instanceof $ZodError) {
    return { type: problemType('invalid_request'), title: 'Invalid request', status: 400, detail: describeZodError(error), code: 'invalid_request' };
  }
  if (error instanceof Error && throttled.has(error.name)) return unavailableProblem();
  return { type: problemType('internal'), title: 'Internal error', status: 500, detail: 'Something went wrong on our side.', code: 'internal' };
};
