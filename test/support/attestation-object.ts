import { createHash } from 'node:crypto';
import { encodeCbor, type CborValue } from './cbor.ts';
import { issueCertificate, type AttestationAuthority } from './attestation-certificates.ts';
import { encodeEnumerated, encodeExplicit, encodeOctetString, encodeSequence, encodeSet, encodeSmallInteger } from './der.ts';
import { coseAlgorithmIdentifiers, signWithKeyPair, type SigningKeyPair } from './signing-key.ts';

/**
 * The attestation object (WebAuthn §6.5.4): a CBOR map of fmt, attStmt and authData.
 */

/**
 * - `none`: no statement (WebAuthn §8.7)
 * - `packed-self`: packed self attestation, signed with the credential key (§8.2, no x5c)
 * - `packed-full`: packed attestation signed with an attestation key whose certificate is x5c[0] (§8.2)
 * - `fido-u2f`: a U2F batch attestation (§8.6); ES256 credentials only, AAGUID zero
 * - `apple`: Apple anonymous attestation (§8.8): a certificate for the credential key carrying the nonce; ES256 only
 * - `android-key`: Android Key attestation (§8.4): a certificate for the credential key carrying the key description; ES256 only
 */
export type AttestationFormat = 'none' | 'packed-self' | 'packed-full' | 'fido-u2f' | 'apple' | 'android-key';

export interface AttestationObjectInput {
  format: AttestationFormat;
  authenticatorData: Uint8Array;
  clientDataHash: Uint8Array;
  credentialKeyPair: SigningKeyPair;
  /** Required for `fido-u2f`: the credential id as attested credential data carries it */
  credentialId?: Uint8Array;
  /** Required for `packed-full` and `fido-u2f`: the P-256 attestation key and its DER certificate */
  attestationKey?: { keyPair: SigningKeyPair; certificate: Uint8Array };
  /** Required for `apple` and `android-key`: the CA that certifies the credential key */
  attestationAuthority?: AttestationAuthority;
  corruptSignature: boolean;
}

const statementFormats: Record<AttestationFormat, string> = {
  none: 'none',
  'packed-self': 'packed',
  'packed-full': 'packed',
  'fido-u2f': 'fido-u2f',
  apple: 'apple',
  'android-key': 'android-key',
};

// Apple's nonce extension (WebAuthn §8.8 step 2) and Android's key description (§8.4.1)
const oidAppleNonce = '1.2.840.113635.100.8.2';
const oidAndroidKeyDescription = '1.3.6.1.4.1.11129.2.1.17';

export function encodeAttestationObject(input: AttestationObjectInput): Uint8Array {
  return encodeCbor(
    new Map<string, CborValue>([
      ['fmt', statementFormats[input.format]],
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
      const attestationKey = requireAttestationKey(input);
      return new Map<string, CborValue>([
        ['alg', coseAlgorithmIdentifiers[attestationKey.keyPair.algorithm]],
        ['sig', signWithKeyPair(attestationKey.keyPair, signatureBase, signOptions)],
        ['x5c', [attestationKey.certificate]],
      ]);
    }
    case 'fido-u2f': {
      const attestationKey = requireAttestationKey(input);
      requireEs256(input);
      // Ensure there is a credential id to sign over
      if (!input.credentialId) {
        throw new Error('Expected a credential id for fido-u2f attestation, received none');
      }
      // WebAuthn §8.6 verification step 5: 0x00 || rpIdHash || clientDataHash || credentialId || publicKeyU2F
      const rpIdHash = input.authenticatorData.subarray(0, 32);
      const u2fSignatureBase = new Uint8Array(
        Buffer.concat([Uint8Array.of(0x00), rpIdHash, input.clientDataHash, input.credentialId, uncompressedPoint(input.credentialKeyPair)]),
      );
      return new Map<string, CborValue>([
        ['sig', signWithKeyPair(attestationKey.keyPair, u2fSignatureBase, signOptions)],
        ['x5c', [attestationKey.certificate]],
      ]);
    }
    case 'apple': {
      const authority = requireAuthority(input);
      requireEs256(input);
      // WebAuthn §8.8 steps 2–3: the nonce is SHA-256(authenticatorData || clientDataHash), in a
      // certificate for the credential's own public key. There is no signature to corrupt: a
      // corrupt statement carries the nonce of other bytes.
      const nonceBase = input.corruptSignature ? Buffer.concat([signatureBase, Uint8Array.of(0)]) : signatureBase;
      const nonce = createHash('sha256').update(nonceBase).digest();
      const certificate = issueCertificate(authority, {
        subject: { country: 'US', organization: 'Latchkey Test', organizationalUnit: 'Apple Anonymous Attestation', commonName: 'Latchkey Soft Apple Credential' },
        subjectPublicKey: input.credentialKeyPair.publicKey,
        extensions: [{ oid: oidAppleNonce, critical: false, value: encodeSequence(encodeExplicit(1, encodeOctetString(new Uint8Array(nonce)))) }],
      });
      return new Map<string, CborValue>([['x5c', [certificate]]]);
    }
    case 'android-key': {
      const authority = requireAuthority(input);
      requireEs256(input);
      const certificate = issueCertificate(authority, {
        subject: { country: 'US', organization: 'Latchkey Test', organizationalUnit: 'Android Keystore', commonName: 'Latchkey Soft Android Key' },
        subjectPublicKey: input.credentialKeyPair.publicKey,
        extensions: [{ oid: oidAndroidKeyDescription, critical: false, value: encodeKeyDescription(input.clientDataHash) }],
      });
      // WebAuthn §8.4: the credential key itself signs; x5c ends with the root
      return new Map<string, CborValue>([
        ['alg', coseAlgorithmIdentifiers[input.credentialKeyPair.algorithm]],
        ['sig', signWithKeyPair(input.credentialKeyPair, signatureBase, signOptions)],
        ['x5c', [certificate, authority.rootCertificate]],
      ]);
    }
  }
}

/**
 * Android Keystore KeyDescription (attestation version 3, TEE): the challenge is the client
 * data hash (WebAuthn §8.4.1); the TEE list says the key signs ([1] purpose SIGN) and was
 * generated in the TEE ([702] origin GENERATED); no allApplications ([600]).
 */
function encodeKeyDescription(clientDataHash: Uint8Array): Uint8Array {
  const trustedEnvironment = 1;
  const purposeSign = 2;
  const originGenerated = 0;
  return encodeSequence(
    encodeSmallInteger(3),
    encodeEnumerated(trustedEnvironment),
    encodeSmallInteger(4),
    encodeEnumerated(trustedEnvironment),
    encodeOctetString(clientDataHash),
    encodeOctetString(new Uint8Array(0)),
    encodeSequence(),
    encodeSequence(encodeExplicit(1, encodeSet(encodeSmallInteger(purposeSign))), encodeExplicit(702, encodeSmallInteger(originGenerated))),
  );
}

function requireAttestationKey(input: AttestationObjectInput): { keyPair: SigningKeyPair; certificate: Uint8Array } {
  // Ensure there is an attestation key and a certificate to put in x5c
  if (!input.attestationKey) {
    throw new Error(`Expected an attestation key for ${input.format} attestation, received none`);
  }
  return input.attestationKey;
}

function requireAuthority(input: AttestationObjectInput): AttestationAuthority {
  // Ensure there is a CA to certify the credential key
  if (!input.attestationAuthority) {
    throw new Error(`Expected an attestation authority for ${input.format} attestation, received none`);
  }
  return input.attestationAuthority;
}

function requireEs256(input: AttestationObjectInput): void {
  // Ensure the credential key is one these formats can carry
  if (input.credentialKeyPair.algorithm !== 'ES256') {
    throw new Error(`Expected an ES256 credential for ${input.format} attestation, received ${input.credentialKeyPair.algorithm}`);
  }
}

// SEC 1 §2.3.3: 0x04 || x || y, the form U2F signs over
function uncompressedPoint(keyPair: SigningKeyPair): Uint8Array {
  const jwk = keyPair.publicKey.export({ format: 'jwk' });
  return new Uint8Array(Buffer.concat([Uint8Array.of(0x04), Buffer.from(jwk.x ?? '', 'base64url'), Buffer.from(jwk.y ?? '', 'base64url')]));
}
