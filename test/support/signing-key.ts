import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * Key pairs for credentials (and the attestation key) and the signatures they make, in the
 * formats WebAuthn requires (WebAuthn §6.5.5 "Signature Formats for Packed Attestation, FIDO U2F
 * Attestation, and Assertion Signatures").
 */

export type SigningAlgorithm = 'ES256' | 'EdDSA' | 'RS256';

// IANA COSE Algorithms registry, as WebAuthn §5.8.5 uses them in pubKeyCredParams
export const coseAlgorithmIdentifiers: Record<SigningAlgorithm, number> = {
  ES256: -7,
  EdDSA: -8,
  RS256: -257,
};

export const supportedAlgorithms: SigningAlgorithm[] = ['ES256', 'EdDSA', 'RS256'];

export function findAlgorithmByCoseIdentifier(coseIdentifier: number): SigningAlgorithm | undefined {
  return supportedAlgorithms.find((algorithm) => coseAlgorithmIdentifiers[algorithm] === coseIdentifier);
}

export interface SigningKeyPair {
  algorithm: SigningAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateSigningKeyPair(algorithm: SigningAlgorithm): SigningKeyPair {
  switch (algorithm) {
    case 'ES256':
      return { algorithm, ...generateKeyPairSync('ec', { namedCurve: 'P-256' }) };
    case 'EdDSA':
      return { algorithm, ...generateKeyPairSync('ed25519') };
    case 'RS256':
      return { algorithm, ...generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 0x10001 }) };
  }
}

export interface SignOptions {
  /**
   * Sign the data with its last byte flipped: the signature stays well-formed (a verifier parses
   * it) but does not match the data it claims to sign.
   */
  corrupt?: boolean;
}

/**
 * ES256: an ASN.1 DER Ecdsa-Sig-Value (WebAuthn §6.5.5), not the raw r||s WebCrypto produces.
 * EdDSA: the raw 64-byte Ed25519 signature (RFC 8032 §5.1.6), which hashes internally.
 * RS256: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 8017 §8.2).
 */
export function signWithKeyPair(keyPair: SigningKeyPair, data: Uint8Array, options: SignOptions = {}): Uint8Array {
  const signed = options.corrupt ? flipLastByte(data) : data;
  switch (keyPair.algorithm) {
    case 'ES256':
      return new Uint8Array(sign('sha256', signed, { key: keyPair.privateKey, dsaEncoding: 'der' }));
    case 'EdDSA':
      return new Uint8Array(sign(null, signed, keyPair.privateKey));
    case 'RS256':
      return new Uint8Array(sign('sha256', signed, keyPair.privateKey));
  }
}

function flipLastByte(data: Uint8Array): Uint8Array {
  const copy = Uint8Array.from(data);
  // Ensure there is a byte to flip
  if (copy.length === 0) {
    throw new Error('Expected data to sign, received zero bytes');
  }
  copy[copy.length - 1] = (copy[copy.length - 1] ?? 0) ^ 0xff;
  return copy;
}
