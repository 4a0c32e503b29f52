/**
 * Why the soft authenticator refused, named after the DOMException a browser would reject
 * `navigator.credentials.create()` / `.get()` with (WebAuthn §5.1.3, §5.1.4.1, §6.3.2, §6.3.3).
 */
export type SoftAuthenticatorErrorCode = 'NotAllowedError' | 'InvalidStateError' | 'NotSupportedError';

export class SoftAuthenticatorError extends Error {
  override readonly name = 'SoftAuthenticatorError';
  readonly code: SoftAuthenticatorErrorCode;

  constructor(code: SoftAuthenticatorErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.code = code;
  }
}
