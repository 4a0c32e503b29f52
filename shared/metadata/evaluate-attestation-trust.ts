import 'reflect-metadata';
import { X509Certificate } from '@peculiar/x509';
import { CertificatePathError, verifyCertificatePath, type CertificatePathFailure, type RevocationChecking } from './certificate-path.ts';
import { modelKeys, zeroAaguid, type AuthenticatorMetadata } from './authenticator-metadata.ts';

/**
 * Whether an attestation statement (already verified by the library: signature, format rules)
 * chains to a trust anchor its model's FIDO metadata lists (WebAuthn §7.1 step 21, "assess the
 * attestation trustworthiness"; MDS3 §3.1 attestationRootCertificates). `none` and self
 * attestation prove nothing about the model and are never trusted.
 */

export type AttestationTrustFailure =
  | 'no_attestation'
  | 'self_attestation'
  | 'unsupported_format'
  | 'unknown_model'
  | 'no_trust_anchor'
  | CertificatePathFailure;

export type AttestationTrust =
  | { trusted: true; warnings: string[] }
  | { trusted: false; because: AttestationTrustFailure; detail: string; warnings: string[] };

/** Formats whose statement carries the attestation chain in `x5c` (WebAuthn §8.2–§8.6, §8.8). */
const x5cFormats = new Set(['packed', 'fido-u2f', 'tpm', 'android-key', 'apple']);

/** The DER certificates of the statement's x5c, leaf first; undefined when it has none. */
export const attestationCertificatesOf = (format: string, statement: { get(key: string): unknown }): Uint8Array[] | undefined => {
  if (!x5cFormats.has(format)) return undefined;
  const x5c = statement.get('x5c');
  if (!Array.isArray(x5c) || x5c.length === 0 || !x5c.every((certificate) => certificate instanceof Uint8Array)) return undefined;
  return x5c as Uint8Array[];
};

/**
 * The model key to look the key's metadata up by: the U2F attestation certificate's key
 * identifier (MDS3: SHA-1 of the subject public key, RFC 5280 §4.2.1.2 method 1) for `fido-u2f`,
 * otherwise the AAGUID; none for other formats with AAGUID zero.
 */
export const identifyModel = async (input: {
  format: string;
  aaguid: string;
  certificates?: Uint8Array[] | undefined;
}): Promise<{ modelKey?: string; attestationKeyIdentifier?: string }> => {
  const leaf = input.certificates?.[0];
  if (input.format === 'fido-u2f' && leaf) {
    try {
      const identifier = Buffer.from(await new X509Certificate(new Uint8Array(leaf)).publicKey.getKeyIdentifier('SHA-1')).toString('hex');
      return { modelKey: modelKeys.keyIdentifier(identifier), attestationKeyIdentifier: identifier };
    } catch {
      // A certificate the library accepted but this parser does not: the model stays unknown (untrusted).
      return {};
    }
  }
  if (input.aaguid !== zeroAaguid) return { modelKey: modelKeys.aaguid(input.aaguid) };
  return {};
};

export const evaluateAttestationTrust = async (
  input: { format: string; certificates?: Uint8Array[] | undefined; metadata?: AuthenticatorMetadata | undefined },
  options: { at: Date; revocation?: RevocationChecking | undefined },
): Promise<AttestationTrust> => {
  const untrusted = (because: AttestationTrustFailure, detail: string, warnings: string[] = []): AttestationTrust => ({ trusted: false, because, detail, warnings });
  // WebAuthn §8.7: `none` conveys nothing.
  if (input.format === 'none') return untrusted('no_attestation', 'The key sent no attestation ("none").');
  if (!input.certificates) {
    // WebAuthn §8.2: packed without x5c is self attestation, signed by the credential key itself.
    return input.format === 'packed'
      ? untrusted('self_attestation', 'The key sent self attestation, which no root vouches for.')
      : untrusted('unsupported_format', `Attestation format "${input.format}" carries no certificate chain Latchkey can check.`);
  }
  if (!input.metadata) return untrusted('unknown_model', 'FIDO metadata has no entry for this model.');
  if (input.metadata.attestationRootCertificates.length === 0) {
    return untrusted('no_trust_anchor', `FIDO metadata lists no attestation root for ${input.metadata.description}.`);
  }
  try {
    const { warnings } = await verifyCertificatePath({
      chain: input.certificates,
      anchors: input.metadata.attestationRootCertificates.map((root) => new Uint8Array(Buffer.from(root, 'base64'))),
      at: options.at,
      revocation: options.revocation,
    });
    return { trusted: true, warnings };
  } catch (error) {
    if (error instanceof CertificatePathError) {
      return untrusted(error.failure, `The attestation does not chain to a root FIDO metadata lists for ${input.metadata.description}: ${error.message}`);
    }
    throw error;
  }
};
