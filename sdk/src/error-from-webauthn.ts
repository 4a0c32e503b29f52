import { LatchkeyError, type LatchkeyErrorCode, type LatchkeyOperation } from './errors.ts';

const registers = (operation: LatchkeyOperation) => operation === 'signUp' || operation === 'enrol';

/** Messages by DOMException name (WebAuthn Level 3 §5.1.3, §5.1.4), for enrolment and sign-in. */
const byName: Record<string, { code: LatchkeyErrorCode; register: string; signIn: string }> = {
  // The browser reports "cancelled", "timed out" and "no matching key" alike, on purpose (§14.5.2).
  NotAllowedError: {
    code: 'cancelled',
    register: 'No key was set up: the request was cancelled or timed out. Try again, and touch your security key when it blinks.',
    signIn:
      'You were not signed in: the request was cancelled or timed out, or the key you used is not enrolled for this account. Try again, or use another key.',
  },
  AbortError: {
    code: 'aborted',
    register: 'Setting up the key was cancelled.',
    signIn: 'Signing in was cancelled.',
  },
  InvalidStateError: {
    code: 'already_enrolled',
    register: 'This security key is already enrolled on your account. Use a different key.',
    signIn: 'This security key is already enrolled on your account.',
  },
  ConstraintError: {
    code: 'not_supported',
    register: 'This key cannot be used here: it must support a PIN or fingerprint and store sign-in keys (a FIDO2 key). Try a newer key.',
    signIn: 'This key cannot be used here: it must support a PIN or fingerprint. Try another key.',
  },
  NotSupportedError: {
    code: 'not_supported',
    register: 'This key does not support any signature algorithm this service accepts. Try another key.',
    signIn: 'This browser or key cannot be used to sign in here. Try another browser or key.',
  },
  SecurityError: {
    code: 'security',
    register: "This page's address is not allowed to use security keys for this service. If you run the site, check its RP ID and allowed origins.",
    signIn: "This page's address is not allowed to use security keys for this service. If you run the site, check its RP ID and allowed origins.",
  },
  UnknownError: {
    code: 'authenticator_error',
    register: 'Your security key reported an error. Unplug it, plug it back in and try again.',
    signIn: 'Your security key reported an error. Unplug it, plug it back in and try again.',
  },
};

/**
 * Maps what @simplewebauthn/browser throws (a WebAuthnError named after the browser's
 * DOMException, or a plain Error when WebAuthn or autofill is missing) to a LatchkeyError.
 */
export const errorFromWebAuthn = (error: unknown, operation: LatchkeyOperation): LatchkeyError => {
  if (error instanceof LatchkeyError) return error;
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  const known = byName[name];
  if (known) {
    return new LatchkeyError(registers(operation) ? known.register : known.signIn, { code: known.code, operation, cause: error });
  }
  if (/WebAuthn is not supported/i.test(message)) {
    return new LatchkeyError(
      'This browser cannot use security keys or passkeys. Use an up-to-date Chrome, Edge, Firefox or Safari.',
      { code: 'not_supported', operation, cause: error },
    );
  }
  if (/does not support WebAuthn autofill/i.test(message)) {
    return new LatchkeyError('This browser does not offer passkeys in the username field. Use "Sign in with a security key" instead.', {
      code: 'not_supported',
      operation,
      cause: error,
    });
  }
  if (/No <input> with "webauthn"/i.test(message)) {
    return new LatchkeyError('Passkey autofill needs an input with autocomplete="username webauthn" on the page.', {
      code: 'not_supported',
      operation,
      cause: error,
    });
  }
  return new LatchkeyError(`The security key request failed: ${message || 'unknown error'}. Try again.`, {
    code: 'authenticator_error',
    operation,
    cause: error,
  });
};
