import { randomBytes, sign, type KeyObject } from 'node:crypto';
import {
  encodeBitString,
  encodeBoolean,
  encodeExplicit,
  encodeObjectIdentifier,
  encodeOctetString,
  encodePrintableString,
  encodeSequence,
  encodeSet,
  encodeSmallInteger,
  encodeTime,
  encodeUnsignedInteger,
  encodeUtf8String,
} from './der.ts';
import { generateSigningKeyPair, type SigningKeyPair } from './signing-key.ts';

/**
 * A two-certificate attestation chain, built with node:crypto keys and a hand-written DER
 * encoder: a self-signed root (the trust anchor a relying party configures) and an attestation
 * certificate meeting WebAuthn §8.2.1 "Certificate Requirements for Packed Attestation
 * Statements", which goes in x5c. Both keys are P-256; certificates are signed ecdsa-with-SHA256.
 */

export interface AttestationCertificates {
  /** DER; configure it as the relying party's trust anchor for the `packed` format */
  rootCertificate: Uint8Array;
  /** DER; x5c[0] */
  attestationCertificate: Uint8Array;
  /** P-256; signs packed attestation statements (alg ES256) */
  attestationKeyPair: SigningKeyPair;
}

/**
 * A certificate authority that attestation certificates chain to: what a FIDO metadata
 * statement lists in `attestationRootCertificates`. Share one between authenticators to make
 * them one "model"; give each test its own to make a chain nobody trusts.
 */
export interface AttestationAuthority {
  /** DER, self-signed */
  rootCertificate: Uint8Array;
  rootKeyPair: SigningKeyPair;
  /** The root's encoded subject, the issuer of everything it signs */
  rootName: Uint8Array;
}

export interface X509Extension {
  oid: string;
  critical: boolean;
  /** The DER value that goes in extnValue */
  value: Uint8Array;
}

// RFC 5280 §4.1.2.4 attribute types (X.520)
const oidCountryName = '2.5.4.6';
const oidOrganizationName = '2.5.4.10';
const oidOrganizationalUnitName = '2.5.4.11';
const oidCommonName = '2.5.4.3';
// RFC 5280 §4.2.1.9, §4.2.1.3
const oidBasicConstraints = '2.5.29.19';
const oidKeyUsage = '2.5.29.15';
// WebAuthn §8.2.1: id-fido-gen-ce-aaguid
const oidFidoAaguid = '1.3.6.1.4.1.45724.1.1.4';
// RFC 5758 §3.2
const oidEcdsaWithSha256 = '1.2.840.10045.4.3.2';

// RFC 5280 §4.2.1.3 KeyUsage bits as a DER named-bit BIT STRING: bit 0 is 0x80 of the first octet
const keyUsageDigitalSignature = { octet: 0x80, unusedBits: 7 };
const keyUsageCertificateAndCrlSign = { octet: 0x06, unusedBits: 1 }; // keyCertSign (5), cRLSign (6)

const oneDayInMilliseconds = 24 * 60 * 60 * 1000;

// Backdated a day so a verifier with a slightly slow clock still sees the certificates as valid
function validityFromNow(): { notBefore: Date; notAfter: Date } {
  const now = Date.now();
  return { notBefore: new Date(now - oneDayInMilliseconds), notAfter: new Date(now + 365 * oneDayInMilliseconds) };
}

export function createAttestationAuthority(commonName = 'Latchkey Soft Authenticator Root CA'): AttestationAuthority {
  const root = generateSigningKeyPair('ES256');
  const rootName = encodeName({
    country: 'US',
    organization: 'Latchkey Test',
    organizationalUnit: 'Soft Authenticator Root',
    commonName,
  });
  const rootCertificate = encodeCertificate({
    issuerName: rootName,
    subjectName: rootName,
    ...validityFromNow(),
    subjectPublicKey: root.publicKey,
    issuerPrivateKey: root.privateKey,
    extensions: [
      encodeExtension(oidBasicConstraints, true, encodeSequence(encodeBoolean(true))),
      encodeExtension(oidKeyUsage, true, encodeKeyUsage(keyUsageCertificateAndCrlSign)),
    ],
  });
  return { rootCertificate, rootKeyPair: root, rootName };
}

/** A packed attestation chain; without an authority the root is new, so nobody else trusts it. */
export function createAttestationCertificates(aaguid: Uint8Array, authority: AttestationAuthority = createAttestationAuthority()): AttestationCertificates {
  const attestation = generateSigningKeyPair('ES256');
  const attestationCertificate = issueCertificate(authority, {
    // WebAuthn §8.2.1: C, O, OU "Authenticator Attestation", CN
    subject: { country: 'US', organization: 'Latchkey Test', organizationalUnit: 'Authenticator Attestation', commonName: 'Latchkey Soft Authenticator' },
    subjectPublicKey: attestation.publicKey,
    extensions: [
      // WebAuthn §8.2.1: the AAGUID as an OCTET STRING, in an extension not marked critical
      { oid: oidFidoAaguid, critical: false, value: encodeOctetString(aaguid) },
    ],
  });
  return { rootCertificate: authority.rootCertificate, attestationCertificate, attestationKeyPair: attestation };
}

/**
 * A FIDO U2F batch attestation certificate (FIDO U2F Raw Message Formats §4.3): a P-256 key
 * shared by a batch of devices, with no AAGUID extension.
 */
export function createU2fAttestationCertificate(authority: AttestationAuthority): { certificate: Uint8Array; keyPair: SigningKeyPair } {
  const keyPair = generateSigningKeyPair('ES256');
  const certificate = issueCertificate(authority, {
    subject: { country: 'US', organization: 'Latchkey Test', organizationalUnit: 'U2F Batch Attestation', commonName: 'Latchkey Soft U2F' },
    subjectPublicKey: keyPair.publicKey,
    extensions: [],
  });
  return { certificate, keyPair };
}

/**
 * A certificate for a key the authority vouches for, not a CA: the packed, U2F, Apple and
 * Android Key leaf certificates are all this with different subjects and extensions.
 */
export function issueCertificate(
  authority: AttestationAuthority,
  input: { subject: NameInput; subjectPublicKey: KeyObject; extensions: X509Extension[] },
): Uint8Array {
  return encodeCertificate({
    issuerName: authority.rootName,
    subjectName: encodeName(input.subject),
    ...validityFromNow(),
    subjectPublicKey: input.subjectPublicKey,
    issuerPrivateKey: authority.rootKeyPair.privateKey,
    extensions: [
      // WebAuthn §8.2.1: CA false, which DER writes as the empty SEQUENCE (cA DEFAULT FALSE)
      encodeExtension(oidBasicConstraints, true, encodeSequence()),
      encodeExtension(oidKeyUsage, true, encodeKeyUsage(keyUsageDigitalSignature)),
      ...input.extensions.map((extension) => encodeExtension(extension.oid, extension.critical, extension.value)),
    ],
  });
}

export function encodePem(certificate: Uint8Array): string {
  const base64 = Buffer.from(certificate).toString('base64');
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export interface NameInput {
  country: string;
  organization: string;
  organizationalUnit: string;
  commonName: string;
}

// RFC 5280 §4.1.2.4: Name ::= SEQUENCE OF RelativeDistinguishedName (SET OF AttributeTypeAndValue)
function encodeName(name: NameInput): Uint8Array {
  const attribute = (oid: string, value: Uint8Array): Uint8Array =>
    encodeSet(encodeSequence(encodeObjectIdentifier(oid), value));
  return encodeSequence(
    // RFC 5280 Appendix A: countryName is a two-letter PrintableString
    attribute(oidCountryName, encodePrintableString(name.country)),
    attribute(oidOrganizationName, encodeUtf8String(name.organization)),
    attribute(oidOrganizationalUnitName, encodeUtf8String(name.organizationalUnit)),
    attribute(oidCommonName, encodeUtf8String(name.commonName)),
  );
}

// RFC 5280 §4.1: Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
function encodeExtension(oid: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? encodeSequence(encodeObjectIdentifier(oid), encodeBoolean(true), encodeOctetString(value))
    : encodeSequence(encodeObjectIdentifier(oid), encodeOctetString(value));
}

function encodeKeyUsage(bits: { octet: number; unusedBits: number }): Uint8Array {
  return encodeBitString(Uint8Array.of(bits.octet), bits.unusedBits);
}

interface CertificateInput {
  issuerName: Uint8Array;
  subjectName: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subjectPublicKey: KeyObject;
  issuerPrivateKey: KeyObject;
  extensions: Uint8Array[];
}

// RFC 5280 §4.1: Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue }
function encodeCertificate(input: CertificateInput): Uint8Array {
  const signatureAlgorithm = encodeSequence(encodeObjectIdentifier(oidEcdsaWithSha256));
  // RFC 5280 §4.1.2.2: a positive serial of at most 20 octets
  const serialNumber = randomBytes(16);
  serialNumber[0] = (serialNumber[0] ?? 0) & 0x7f;
  const toBeSigned = encodeSequence(
    encodeExplicit(0, encodeSmallInteger(2)), // version v3
    encodeUnsignedInteger(serialNumber),
    signatureAlgorithm,
    input.issuerName,
    encodeSequence(encodeTime(input.notBefore), encodeTime(input.notAfter)),
    input.subjectName,
    new Uint8Array(input.subjectPublicKey.export({ type: 'spki', format: 'der' })),
    encodeExplicit(3, encodeSequence(...input.extensions)),
  );
  // RFC 5758 §3.2: the signature value is the DER Ecdsa-Sig-Value
  const signature = sign('sha256', toBeSigned, { key: input.issuerPrivateKey, dsaEncoding: 'der' });
  return encodeSequence(toBeSigned, signatureAlgorithm, encodeBitString(new Uint8Array(signature)));
}
