/** The public shapes of Latchkey's HTTP API (docs/web.md, "Reference"), as the SDK returns them. */

export type Transport = 'ble' | 'cable' | 'hybrid' | 'internal' | 'nfc' | 'smart-card' | 'usb';

/** A person's account. `id` is the WebAuthn user handle: random and opaque, never personal data. */
export interface User {
  id: string;
  username: string;
  displayName: string;
  groups: string[];
  disabled: boolean;
  createdAt: string;
}

/** One enrolled security key or passkey. */
export interface Credential {
  id: string;
  /** The name the person gave the key ("Blue YubiKey"); the service defaults it to "Security key" or "Passkey". */
  nickname: string;
  /** The authenticator model's AAGUID; all zeroes when the key did not say. */
  aaguid: string;
  /** The model's name ("YubiKey 5 NFC") when the service recognises the AAGUID. */
  authenticatorName?: string;
  transports: Transport[];
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601; absent until the key first signs in. */
  lastUsedAt?: string;
  /** A synced passkey (backup eligible) rather than a single-device security key. */
  backupEligible: boolean;
  backedUp: boolean;
  attestation: { format: string; trusted: boolean };
}

/** A signed-in session: what a successful sign-in or enrolment returns. */
export interface Session {
  /** The access token (JWT) to send as `Authorization: Bearer` to your own backend. */
  accessToken: string;
  tokenType: 'Bearer';
  /** Epoch milliseconds (this browser's clock) after which the token is refused. */
  expiresAt: number;
  /** Epoch milliseconds (this browser's clock) of the ceremony that produced the token. */
  signedInAt: number;
  user: User;
  /** The key that was used (sign-in) or enrolled (enrolment). */
  credential: Credential;
}

/** What an enrolment (`signUp`, `enrol`) returns: the new key and the session it started. */
export interface Enrolment {
  credential: Credential;
  user: User;
  session: Session;
}
