import { createHash } from 'node:crypto';

/**
 * Authenticator data (WebAuthn §6.1): rpIdHash (32) | flags (1) | signCount (4, big-endian)
 * | attested credential data (§6.5.1), present only when a credential is created.
 */

// WebAuthn §6.1 flags
const flagUserPresent = 0x01;
const flagUserVerified = 0x04;
const flagBackupEligible = 0x08;
const flagBackedUp = 0x10;
const flagAttestedCredentialData = 0x40;

export interface AttestedCredentialData {
  aaguid: Uint8Array;
  credentialId: Uint8Array;
  /** CBOR-encoded COSE_Key */
  credentialPublicKey: Uint8Array;
}

export interface AuthenticatorDataInput {
  rpId: string;
  userPresent: boolean;
  userVerified: boolean;
  backupEligible: boolean;
  backedUp: boolean;
  signCount: number;
  attestedCredentialData?: AttestedCredentialData;
}

export function encodeAuthenticatorData(input: AuthenticatorDataInput): Uint8Array {
  // Ensure the counter fits its 32-bit field
  if (!Number.isInteger(input.signCount) || input.signCount < 0 || input.signCount > 0xffffffff) {
    throw new Error(`Expected a signCount from 0 to 2^32 - 1, received ${input.signCount}`);
  }
  const rpIdHash = createHash('sha256').update(input.rpId, 'utf8').digest();
  const flags =
    (input.userPresent ? flagUserPresent : 0) |
    (input.userVerified ? flagUserVerified : 0) |
    (input.backupEligible ? flagBackupEligible : 0) |
    (input.backedUp ? flagBackedUp : 0) |
    (input.attestedCredentialData ? flagAttestedCredentialData : 0);
  const signCount = Buffer.alloc(4);
  signCount.writeUInt32BE(input.signCount);
  const parts: Uint8Array[] = [rpIdHash, Uint8Array.of(flags), signCount];
  if (input.attestedCredentialData) {
    parts.push(encodeAttestedCredentialData(input.attestedCredentialData));
  }
  return new Uint8Array(Buffer.concat(parts));
}

// WebAuthn §6.5.1: aaguid (16) | credentialIdLength (2, big-endian) | credentialId | credentialPublicKey
function encodeAttestedCredentialData(data: AttestedCredentialData): Uint8Array {
  // Ensure the AAGUID is 16 bytes
  if (data.aaguid.length !== 16) {
    throw new Error(`Expected a 16-byte AAGUID, received ${data.aaguid.length} bytes`);
  }
  // Ensure the id fits the 16-bit length field. The spec's 1023-byte limit (§6.5.1) is left to
  // the relying party to enforce, so tests can probe that check with longer ids.
  if (data.credentialId.length === 0 || data.credentialId.length > 0xffff) {
    throw new Error(`Expected a credential id of 1 to 65535 bytes, received ${data.credentialId.length}`);
  }
  const credentialIdLength = Buffer.alloc(2);
  credentialIdLength.writeUInt16BE(data.credentialId.length);
  return new Uint8Array(
    Buffer.concat([data.aaguid, credentialIdLength, data.credentialId, data.credentialPublicKey]),
  );
}
