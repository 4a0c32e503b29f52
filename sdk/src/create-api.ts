import { LatchkeyError, type LatchkeyOperation } from './errors.ts';
import { errorFromProblem, isProblem } from './error-from-problem.ts';
import { UnexpectedResponseError } from './parse-response.ts';

export interface ApiRequest<T> {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  operation: LatchkeyOperation;
  body?: unknown;
  /** Sent as `Authorization: Bearer`. */
  accessToken?: string | undefined;
  signal?: AbortSignal | undefined;
  /** A 401 then means the code was refused, not the session. */
  withEnrollmentCode?: boolean;
  /** Validates the success body; throws UnexpectedResponseError when it is not what the API promises. */
  parse: (body: unknown) => T;
}

export type Api = <T>(request: ApiRequest<T>) => Promise<T>;

const readJson = async (response: Response): Promise<unknown> => {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/**
 * JSON over fetch to one Latchkey stage. Bearer tokens only: no cookies are sent
 * (`credentials: 'omit'`), so the API needs no CSRF defence and CORS stays simple.
 */
export const createApi = (options: { baseUrl: string; fetch: typeof fetch }): Api => {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  return async <T>(request: ApiRequest<T>): Promise<T> => {
    const { operation } = request;
    let response: Response;
    try {
      response = await options.fetch(`${baseUrl}${request.path}`, {
        method: request.method,
        headers: {
          accept: 'application/json, application/problem+json',
          ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(request.accessToken ? { authorization: `Bearer ${request.accessToken}` } : {}),
        },
        body: request.body === undefined ? null : JSON.stringify(request.body),
        credentials: 'omit',
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (cause) {
      if (request.signal?.aborted) {
        throw new LatchkeyError(operation === 'signUp' || operation === 'enrol' ? 'Setting up the key was cancelled.' : 'The request was cancelled.', {
          code: 'aborted',
          operation,
          cause,
        });
      }
      throw new LatchkeyError('Cannot reach the sign-in service. Check your connection and try again.', {
        code: 'network',
        operation,
        // Browsers report a CORS refusal as a failed fetch, with no status to read.
        detail: `${request.method} ${baseUrl}${request.path} failed (${cause instanceof Error ? cause.message : String(cause)}). If the service is up, check that this page's origin is one of its allowed origins.`,
        cause,
      });
    }

    const body = await readJson(response);
    if (!response.ok) {
      if (isProblem(body)) {
        throw errorFromProblem(body, operation, { status: response.status, withEnrollmentCode: request.withEnrollmentCode ?? false });
      }
      throw new LatchkeyError(`The sign-in service answered with an error (HTTP ${response.status}). Try again in a moment.`, {
        code: 'unexpected_response',
        operation,
        status: response.status,
      });
    }
    try {
      return request.parse(body);
    } catch (cause) {
      if (!(cause instanceof UnexpectedResponseError)) throw cause;
      throw new LatchkeyError('The sign-in service sent an answer this page does not understand. Reload the page and try again.', {
        code: 'unexpected_response',
        operation,
        status: response.status,
        detail: cause.message,
        cause,
      });
    }
  };
};
