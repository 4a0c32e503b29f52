/**
 * @latchkey/web — sign in with security keys and passkeys against a Latchkey stage.
 * Reference: docs/web.md.
 */
export { createLatchkeyClient } from './create-latchkey-client.ts';
export type {
  AutofillInput,
  EnrolInput,
  EnrolWithCodeInput,
  EnrolWithTokenInput,
  LatchkeyClient,
  LatchkeyClientOptions,
  SessionListener,
  SignInInput,
  SignUpInput,
} from './create-latchkey-client.ts';
export { LatchkeyError, isLatchkeyError } from './errors.ts';
export type { ClientErrorCode, LatchkeyErrorCode, LatchkeyOperation, ServiceErrorCode } from './errors.ts';
export { memoryTokenStore, webStorageTokenStore } from './token-store.ts';
export type { TokenStore } from './token-store.ts';
export { isWebAuthnSupported, isAutofillSupported } from './support.ts';
export type { Credential, Enrolment, Session, Transport, User } from './types.ts';
