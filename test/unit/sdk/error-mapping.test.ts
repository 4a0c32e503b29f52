import { describe, expect, it } from 'vitest';
import { WebAuthnError } from '@simplewebauthn/browser';
import { errorFromProblem, invalidEnrollmentCodeMessage, isProblem, type Problem } from '../../../sdk/src/error-from-problem.ts';
import { errorFromWebAuthn } from '../../../sdk/src/error-from-webauthn.ts';
import { LatchkeyError, isLatchkeyError, type LatchkeyOperation, type ServiceErrorCode } from '../../../sdk/src/errors.ts';

const problemOf = (code: ServiceErrorCode, detail = 'What the service said.'): Problem => ({
  type: `urn:latchkey:problem:${code}`,
  title: code,
  status: 400,
  detail,
  code,
});

describe('errorFromProblem', () => {
  const everyCode: ServiceErrorCode[] = [
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
  ];

  it.each(everyCode)('keeps the code %s, the status and the detail, with a message for people', (code) => {
    const error = errorFromProblem(problemOf(code), 'signIn', { status: 418 });

    expect(error).toBeInstanceOf(LatchkeyError);
    expect(error.code).toBe(code);
    expect(error.operation).toBe('signIn');
    expect(error.status).toBe(418);
    expect(error.detail).toBe('What the service said.');
    expect(error.message.length).toBeGreaterThan(15);
    // 4xx and 5xx alike: never the raw code as the message.
    expect(error.message).not.toContain(code);
  });

  it('says what to do per operation where one code means different things', () => {
    expect(errorFromProblem(problemOf('conflict'), 'signUp').message).toMatch(/username is taken/i);
    expect(errorFromProblem(problemOf('conflict'), 'enrol').message).toMatch(/already registered/i);
    expect(errorFromProblem(problemOf('not_found'), 'deleteKey').message).toMatch(/no longer on your account/i);
    expect(errorFromProblem(problemOf('verification_failed'), 'signIn').message).toMatch(/removed from your account/i);
    expect(errorFromProblem(problemOf('verification_failed'), 'enrol').message).toMatch(/not added/i);
    expect(errorFromProblem(problemOf('unauthorized'), 'listKeys').message).toMatch(/sign in again/i);
    expect(errorFromProblem(problemOf('reauthentication_required'), 'deleteKey').message).toMatch(/confirm it is you/i);
    expect(errorFromProblem(problemOf('rate_limited'), 'signIn').message).toMatch(/wait a minute/i);
  });

  it('reads a refused enrollment code as a bad code, not an expired session', () => {
    const error = errorFromProblem(problemOf('unauthorized'), 'enrol', { withEnrollmentCode: true });

    expect(error.code).toBe('unauthorized');
    expect(error.message).toBe(invalidEnrollmentCodeMessage);
  });

  it("shows the service's own words for a policy refusal: only it knows which rule refused", () => {
    const error = errorFromProblem(problemOf('policy_denied', 'Adding keys yourself is turned off; ask an administrator for an enrollment code.'), 'enrol');

    expect(error.message).toBe('Adding keys yourself is turned off; ask an administrator for an enrollment code.');
  });

  it('recognises only Latchkey problems', () => {
    expect(isProblem(problemOf('conflict'))).toBe(true);
    expect(isProblem({ code: 'teapot' })).toBe(false);
    expect(isProblem({ message: 'Internal Server Error' })).toBe(false);
    expect(isProblem('<html>Bad gateway</html>')).toBe(false);
    expect(isProblem(null)).toBe(false);
  });
});

describe('errorFromWebAuthn', () => {
  // What @simplewebauthn/browser throws: a WebAuthnError named after the browser's DOMException.
  const fromBrowser = (name: string) =>
    new WebAuthnError({ message: `${name} message`, code: 'ERROR_PASSTHROUGH_SEE_CAUSE_PROPERTY', cause: new DOMException(`${name} message`, name) });

  const cases: [string, LatchkeyOperation, string, RegExp][] = [
    ['NotAllowedError', 'signIn', 'cancelled', /cancelled or timed out, or the key you used is not enrolled/],
    ['NotAllowedError', 'signInWithAutofill', 'cancelled', /not enrolled for this account/],
    ['NotAllowedError', 'enrol', 'cancelled', /No key was set up: the request was cancelled or timed out/],
    ['NotAllowedError', 'signUp', 'cancelled', /No key was set up/],
    ['InvalidStateError', 'enrol', 'already_enrolled', /already enrolled on your account. Use a different key/],
    ['AbortError', 'signIn', 'aborted', /Signing in was cancelled/],
    ['AbortError', 'enrol', 'aborted', /Setting up the key was cancelled/],
    ['SecurityError', 'signIn', 'security', /RP ID and allowed origins/],
    ['NotSupportedError', 'enrol', 'not_supported', /signature algorithm/],
    ['ConstraintError', 'signUp', 'not_supported', /PIN or fingerprint/],
    ['UnknownError', 'signIn', 'authenticator_error', /Unplug it/],
  ];

  it.each(cases)('%s during %s is %s with an actionable message', (name, operation, code, message) => {
    const error = errorFromWebAuthn(fromBrowser(name), operation);

    expect(error.code).toBe(code);
    expect(error.operation).toBe(operation);
    expect(error.message).toMatch(message);
    expect(error.cause).toBeInstanceOf(WebAuthnError);
  });

  it('maps a bare DOMException the same way', () => {
    expect(errorFromWebAuthn(new DOMException('x', 'NotAllowedError'), 'signIn').code).toBe('cancelled');
  });

  it('says when the browser has no WebAuthn or no passkey autofill', () => {
    const none = errorFromWebAuthn(new Error('WebAuthn is not supported in this browser'), 'signIn');
    const noAutofill = errorFromWebAuthn(new Error('Browser does not support WebAuthn autofill'), 'signInWithAutofill');
    const noField = errorFromWebAuthn(new Error('No <input> with "webauthn" as the only or last value in its `autocomplete` attribute was detected'), 'signInWithAutofill');

    expect(none.code).toBe('not_supported');
    expect(none.message).toMatch(/up-to-date Chrome, Edge, Firefox or Safari/);
    expect(noAutofill.code).toBe('not_supported');
    expect(noAutofill.message).toMatch(/Sign in with a security key/);
    expect(noField.message).toMatch(/autocomplete="username webauthn"/);
  });

  it('keeps an unknown failure visible rather than hiding it', () => {
    const error = errorFromWebAuthn(new TypeError('options.publicKey.user.id is weird'), 'enrol');

    expect(error.code).toBe('authenticator_error');
    expect(error.message).toContain('options.publicKey.user.id is weird');
  });

  it('passes a LatchkeyError through unchanged', () => {
    const original = new LatchkeyError('x', { code: 'network', operation: 'signIn' });

    expect(errorFromWebAuthn(original, 'signIn')).toBe(original);
  });
});

describe('isLatchkeyError', () => {
  it('narrows by code', () => {
    const error = new LatchkeyError('x', { code: 'cancelled', operation: 'signIn' });

    expect(isLatchkeyError(error)).toBe(true);
    expect(isLatchkeyError(error, 'aborted', 'cancelled')).toBe(true);
    expect(isLatchkeyError(error, 'aborted')).toBe(false);
    expect(isLatchkeyError(new Error('x'))).toBe(false);
  });
});
