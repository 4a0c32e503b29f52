import { browserSupportsWebAuthn, browserSupportsWebAuthnAutofill } from '@simplewebauthn/browser';

/** True when this browser has WebAuthn at all: show key sign-in only then. */
export const isWebAuthnSupported = (): boolean => browserSupportsWebAuthn();

/** True when this browser can offer passkeys in a username field's autofill (conditional mediation). */
export const isAutofillSupported = (): Promise<boolean> => browserSupportsWebAuthnAutofill();
