import { randomBytes } from 'node:crypto';

/** A new WebAuthn user handle: 32 random bytes, opaque, never PII (WebAuthn §14.6.1). */
export const newUserHandle = (): string => randomBytes(32).toString('base64url');
