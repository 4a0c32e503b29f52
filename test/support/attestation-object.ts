import { encodeCbor, type CborValue } from './cbor.ts';
import { coseAlgorithmIdentifiers, signWithKeyPair, type SigningKeyPair } from './signing-key.ts';

/**
 * The attestation object (WebAuthn §6.5.4): a CBOR map of fmt, attStmt and authData.
 */

/**
 * - `none`: no statement (WebAuthn §8.7)
 * - `packed-self`: packed self attestation, signed with the credential key (§8.2, no x5c)
 * - `packed-full`: packed attestation signed with an attestation key whose certificate is x5c[0] (§8.2)
 */
export type AttestationFormat = 'none' | 'packed-self' | 'packed-full';

export interface AttestationObjectInput {
  format: AttestationFormat;
  authenticatorData: Uint8Array;
  clientDataHash: Uint8Array;
  credentialKeyPair: SigningKeyPair;
  /** Required for `packed-full`: the P-256 attestation key and its DER certificate */
  attestationKey?: { keyPair: SigningKeyPair; certificate: Uint8Array };
  corruptSignature: boolean;
}

export function encodeAttestationObject(input: AttestationObjectInput): Uint8Array {
  return encodeCbor(
    new Map<string, CborValue>([
      ['fmt', input.format === 'none' ? 'none' : 'packed'],
      ['attStmt', encodeAttestationStatement(input)],
      ['authData', input.authenticatorData],
    ]),
  );
}

function encodeAttestationStatement(input: AttestationObjectInput): Map<string, CborValue> {
  // WebAuthn §8.2 signing procedure: the statement signs authenticatorData || clientDataHash
  const signatureBase = new Uint8Array(Buffer.concat([input.authenticatorData, input.clientDataHash]));
  const signOptions = { corrupt: input.corruptSignature };
  switch (input.format) {
    case 'none':
      // WebAuthn §8.7: attStmt is the empty map
      return new Map();
    case 'packed-self':
      // WebAuthn §8.2 self attestation: alg is the credential's own algorithm
      return new Map<string, CborValue>([
        ['alg', coseAlgorithmIdentifiers[input.credentialKeyPair.algorithm]],
        ['sig', signWithKeyPair(input.credentialKeyPair, signatureBase, signOptions)],
      ]);
    case 'packed-full': {
      // Ensure there is an attestation key and a certificate to put in x5c
      if (!input.attestationKey) {
        throw new Error('Expected an attestation key for packed-full attestation, received none');
      }
      return new Map<string, CborValue>([
        ['alg', coseAlgorithmIdentifiers[input.attestationKey.keyPair.algorithm]],
        ['sig', signWithKeyPair(input.attestationKey.keyPair, signatureBase, signOptions)],
        ['x5c', [input.attestationKey.certificate]],
      ]);
    }
  }
}
