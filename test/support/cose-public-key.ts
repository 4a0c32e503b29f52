import type { KeyObject } from 'node:crypto';
import { decode } from './base64url.ts';
import { encodeCbor } from './cbor.ts';
import { coseAlgorithmIdentifiers, type SigningAlgorithm } from './signing-key.ts';

/**
 * The credential public key as a CBOR-encoded COSE_Key (WebAuthn §6.5.1.1, RFC 9052 §7), the
 * form attested credential data carries.
 */

// RFC 9052 §7.1 common parameters
const labelKeyType = 1;
const labelAlgorithm = 3;
// RFC 9053 §7.1 (EC2) and §7.2 (OKP) key type parameters
const labelCurve = -1;
const labelX = -2;
const labelY = -3;
// RFC 8230 §4 RSA key type parameters
const labelModulus = -1;
const labelExponent = -2;

// IANA COSE Key Types and Elliptic Curves registries
const keyTypeOctetKeyPair = 1;
const keyTypeEllipticCurve = 2;
const keyTypeRsa = 3;
const curveP256 = 1;
const curveEd25519 = 6;

export function encodeCosePublicKey(algorithm: SigningAlgorithm, publicKey: KeyObject): Uint8Array {
  const jwk = publicKey.export({ format: 'jwk' });
  const alg = coseAlgorithmIdentifiers[algorithm];
  switch (algorithm) {
    case 'ES256':
      return encodeCbor(
        new Map<number, number | Uint8Array>([
          [labelKeyType, keyTypeEllipticCurve],
          [labelAlgorithm, alg],
          [labelCurve, curveP256],
          [labelX, decodeJwkMember(jwk.x, 'x')],
          [labelY, decodeJwkMember(jwk.y, 'y')],
        ]),
      );
    case 'EdDSA':
      return encodeCbor(
        new Map<number, number | Uint8Array>([
          [labelKeyType, keyTypeOctetKeyPair],
          [labelAlgorithm, alg],
          [labelCurve, curveEd25519],
          [labelX, decodeJwkMember(jwk.x, 'x')],
        ]),
      );
    case 'RS256':
      return encodeCbor(
        new Map<number, number | Uint8Array>([
          [labelKeyType, keyTypeRsa],
          [labelAlgorithm, alg],
          [labelModulus, decodeJwkMember(jwk.n, 'n')],
          [labelExponent, decodeJwkMember(jwk.e, 'e')],
        ]),
      );
  }
}

function decodeJwkMember(value: string | undefined, name: string): Uint8Array {
  // Ensure node exported the member this key type must have
  if (value === undefined) {
    throw new Error(`Expected the exported public key JWK to have "${name}", found none`);
  }
  return decode(value);
}
