import { createHash } from 'node:crypto';
import { parseAuthenticatorData, type ParsedAuthenticatorData } from '@simplewebauthn/server/helpers';
import { VerificationFailedError } from '../errors.ts';
import type { Challenge } from '../domain/types.ts';
import type { ClientData } from './client-data.ts';

/**
 * The checks of WebAuthn §7.1 and §7.2 that Latchkey makes itself, before the library verifies
 * signatures, so every refusal carries a precise audit reason.
 */

/** §7.1 step 11 / §7.2 step 13 (challenge): known, unused, unexpired, for this ceremony. */
export const checkChallenge = (
  challenge: Challenge | undefined,
  ceremony: Challenge['ceremony'],
  now: number,
): Challenge => {
  if (!challenge) {
    throw new VerificationFailedError('The challenge is unknown or was already used; start the ceremony again.', {
      reason: 'challenge_unknown',
    });
  }
  // DynamoDB TTL deletes late: expiry is decided here, on read.
  if (challenge.expiresAt <= now) {
    throw new VerificationFailedError('The challenge has expired; start the ceremony again.', { reason: 'challenge_expired' });
  }
  if (challenge.ceremony !== ceremony) {
    throw new VerificationFailedError(`The challenge was issued for ${challenge.ceremony}, not ${ceremony}.`, {
      reason: 'challenge_wrong_ceremony',
    });
  }
  return challenge;
};

/** §7.1 steps 7 and 9 / §7.2 steps 11 and 13: the client data's type and origin. */
export const checkClientData = (clientData: ClientData, expectedType: 'webauthn.create' | 'webauthn.get', origins: string[]) => {
  if (clientData.type !== expectedType) {
    throw new VerificationFailedError(`clientData.type is "${clientData.type}", expected "${expectedType}".`, {
      reason: 'type_mismatch',
    });
  }
  if (!origins.includes(clientData.origin)) {
    throw new VerificationFailedError(`Origin "${clientData.origin}" is not allowed for this service.`, {
      reason: 'origin_mismatch',
    });
  }
  // Latchkey is not embedded cross-origin; a cross-origin ceremony is refused (§7.1 step 10).
  if (clientData.crossOrigin === true) {
    throw new VerificationFailedError('Cross-origin ceremonies are not accepted.', { reason: 'origin_mismatch' });
  }
};

export const parseAuthenticatorDataOrFail = (authenticatorData: Uint8Array<ArrayBuffer>): ParsedAuthenticatorData => {
  try {
    return parseAuthenticatorData(authenticatorData);
  } catch (cause) {
    throw new VerificationFailedError('authenticatorData could not be parsed.', { reason: 'malformed_response', cause });
  }
};

/** §7.1 steps 13–15 / §7.2 steps 15–17: RP ID hash, user present, user verified when required. */
export const checkAuthenticatorData = (
  authData: ParsedAuthenticatorData,
  rpId: string,
  userVerification: 'required' | 'preferred',
) => {
  const expected = createHash('sha256').update(rpId).digest();
  if (!expected.equals(Buffer.from(authData.rpIdHash))) {
    throw new VerificationFailedError(`The authenticator signed for a different RP ID than "${rpId}".`, {
      reason: 'rp_id_mismatch',
    });
  }
  if (!authData.flags.up) {
    throw new VerificationFailedError('The authenticator did not report user presence (UP).', {
      reason: 'user_presence_missing',
    });
  }
  if (userVerification === 'required' && !authData.flags.uv) {
    throw new VerificationFailedError('User verification (PIN or biometric) is required but was not performed.', {
      reason: 'user_verification_missing',
    });
  }
  // §6.1: BS may only be set when BE is set.
  if (authData.flags.bs && !authData.flags.be) {
    throw new VerificationFailedError('The authenticator reports a backed-up credential that is not backup eligible.', {
      reason: 'malformed_response',
    });
  }
};
