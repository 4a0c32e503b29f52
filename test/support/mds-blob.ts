import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import {
  BasicConstraintsExtension,
  CRLDistributionPointsExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  X509CertificateGenerator,
  X509CrlGenerator,
  type X509Certificate,
} from '@peculiar/x509';
import { CompactSign } from 'jose';

/**
 * Test FIDO Metadata Service: a PKI standing in for the FIDO Alliance's (root CA → signing
 * certificate, optionally through an intermediate), BLOBs signed with it as MDS3 signs them
 * (a JWS with the chain in `x5c`), CRLs, and payload entries. Everything is generated here;
 * nothing is a recording of the real service.
 */

const ecdsa = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const oneDay = 24 * 3600 * 1000;

export interface TestCertificate {
  certificate: X509Certificate;
  keys: CryptoKeyPair;
}

export interface MdsPki {
  root: TestCertificate;
  intermediate?: TestCertificate | undefined;
  signer: TestCertificate;
  /** PEM of the root: what LOCAL_MDS_ROOT / MDS_ROOT_CERTIFICATE holds. */
  rootPem: string;
  /** DER of the root, for verifyMetadataBlob. */
  rootDer: Uint8Array;
}

export interface MdsPkiOptions {
  /** CRL distribution point written into the signing certificate (and the intermediate). */
  crlUrl?: string;
  /** Put an intermediate CA between the root and the signer, as the real service does. */
  intermediate?: boolean;
  /** Validity of the signing certificate; default from yesterday for a year. */
  signerNotBefore?: Date;
  signerNotAfter?: Date;
  name?: string;
}

const generateKeys = () => webcrypto.subtle.generateKey(ecdsa, true, ['sign', 'verify']) as Promise<CryptoKeyPair>;

export const createMdsPki = async (options: MdsPkiOptions = {}): Promise<MdsPki> => {
  const name = options.name ?? 'Latchkey Test MDS';
  const now = Date.now();
  const rootKeys = await generateKeys();
  const root = await X509CertificateGenerator.createSelfSigned({
    name: `CN=${name} Root CA, O=Latchkey Test, C=US`,
    keys: rootKeys,
    notBefore: new Date(now - oneDay),
    notAfter: new Date(now + 3650 * oneDay),
    signingAlgorithm: ecdsa,
    extensions: [new BasicConstraintsExtension(true, undefined, true), new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true)],
  });
  const crlExtension = options.crlUrl ? [new CRLDistributionPointsExtension([options.crlUrl])] : [];

  let issuer: TestCertificate = { certificate: root, keys: rootKeys };
  let intermediate: TestCertificate | undefined;
  if (options.intermediate) {
    const keys = await generateKeys();
    const certificate = await X509CertificateGenerator.create({
      subject: `CN=${name} Intermediate CA, O=Latchkey Test, C=US`,
      issuer: root.subject,
      publicKey: keys.publicKey,
      signingKey: rootKeys.privateKey,
      notBefore: new Date(now - oneDay),
      notAfter: new Date(now + 1825 * oneDay),
      signingAlgorithm: ecdsa,
      extensions: [new BasicConstraintsExtension(true, 0, true), new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true), ...crlExtension],
    });
    intermediate = { certificate, keys };
    issuer = intermediate;
  }

  const signerKeys = await generateKeys();
  const signer = await X509CertificateGenerator.create({
    subject: `CN=${name} BLOB Signing, O=Latchkey Test, C=US`,
    issuer: issuer.certificate.subject,
    publicKey: signerKeys.publicKey,
    signingKey: issuer.keys.privateKey,
    notBefore: options.signerNotBefore ?? new Date(now - oneDay),
    notAfter: options.signerNotAfter ?? new Date(now + 365 * oneDay),
    signingAlgorithm: ecdsa,
    extensions: [new BasicConstraintsExtension(false, undefined, true), new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true), ...crlExtension],
  });

  return {
    root: { certificate: root, keys: rootKeys },
    intermediate,
    signer: { certificate: signer, keys: signerKeys },
    rootPem: root.toString('pem'),
    rootDer: new Uint8Array(root.rawData),
  };
};

export interface SignOptions {
  /** Sign with a key other than the signing certificate's: the chain verifies, the signature does not. */
  wrongKey?: boolean;
}

/** An MDS3 BLOB: JWS compact serialization, ES256, the chain (leaf first, no root) in `x5c`. */
export const signMdsBlob = async (payload: unknown, pki: MdsPki, options: SignOptions = {}): Promise<string> => {
  const chain = [pki.signer.certificate, ...(pki.intermediate ? [pki.intermediate.certificate] : [])];
  const signingKey = options.wrongKey ? (await generateKeys()).privateKey : pki.signer.keys.privateKey;
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', x5c: chain.map((certificate) => Buffer.from(certificate.rawData).toString('base64')) })
    .sign(signingKey);
};

/**
 * A CRL from the signing certificate's issuer (the intermediate if there is one, else the
 * root) that lists the given certificates as revoked.
 */
export const createCrl = async (
  pki: MdsPki,
  options: { revoke?: X509Certificate[]; nextUpdate?: Date; signWith?: TestCertificate } = {},
): Promise<Uint8Array> => {
  const issuer = options.signWith ?? pki.intermediate ?? pki.root;
  const crl = await X509CrlGenerator.create({
    issuer: issuer.certificate.subject,
    thisUpdate: new Date(Date.now() - oneDay),
    nextUpdate: options.nextUpdate ?? new Date(Date.now() + 7 * oneDay),
    signingAlgorithm: ecdsa,
    signingKey: issuer.keys.privateKey,
    entries: (options.revoke ?? []).map((certificate) => ({ serialNumber: certificate.serialNumber, revocationDate: new Date(Date.now() - oneDay) })),
  });
  return new Uint8Array(crl.rawData);
};

/** Base64 DER of a PEM certificate, as metadata statements list attestation roots. */
export const pemToBase64 = (pem: string): string => pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');

export interface EntryInput {
  aaguid?: string;
  /** U2F attestation certificate key identifiers (hex). */
  keyIdentifiers?: string[];
  description: string;
  /** PEM attestation roots. */
  roots: string[];
  /** Status reports oldest first; default one FIDO_CERTIFIED report. */
  statusReports?: { status: string; effectiveDate?: string }[];
  icon?: string;
  attestationTypes?: string[];
}

/** A MetadataBLOBPayloadEntry (MDS3 §3.1.1) with the statement fields Latchkey reads. */
export const mdsEntry = (input: EntryInput) => ({
  ...(input.aaguid ? { aaguid: input.aaguid } : {}),
  ...(input.keyIdentifiers ? { attestationCertificateKeyIdentifiers: input.keyIdentifiers } : {}),
  metadataStatement: {
    legalHeader: 'Test data generated by Latchkey; not FIDO Alliance metadata.',
    description: input.description,
    ...(input.aaguid ? { aaguid: input.aaguid } : {}),
    ...(input.keyIdentifiers ? { attestationCertificateKeyIdentifiers: input.keyIdentifiers } : {}),
    authenticatorVersion: 1,
    protocolFamily: input.aaguid ? 'fido2' : 'u2f',
    schema: 3,
    attestationTypes: input.attestationTypes ?? ['basic_full'],
    attestationRootCertificates: input.roots.map(pemToBase64),
    ...(input.icon ? { icon: input.icon } : {}),
  },
  statusReports: input.statusReports ?? [{ status: 'FIDO_CERTIFIED', effectiveDate: '2024-01-01' }],
  timeOfLastStatusChange: input.statusReports?.at(-1)?.effectiveDate ?? '2024-01-01',
});

/** A MetadataBLOBPayload (MDS3 §3.1.6); nextUpdate defaults to a month from now. */
export const mdsPayload = (input: { no: number; nextUpdate?: string; entries: unknown[] }) => ({
  legalHeader: 'Test data generated by Latchkey; not FIDO Alliance metadata.',
  no: input.no,
  nextUpdate: input.nextUpdate ?? new Date(Date.now() + 30 * oneDay).toISOString().slice(0, 10),
  entries: input.entries,
});
