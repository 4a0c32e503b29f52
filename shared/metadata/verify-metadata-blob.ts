import { X509Certificate } from 'node:crypto';
import { compactVerify, decodeProtectedHeader, errors } from 'jose';
import * as z from '../zod.ts';
import { CertificatePathError, verifyCertificatePath, type CertificatePathFailure, type RevocationChecking } from './certificate-path.ts';
import { metadataBlobPayloadSchema, type MetadataBlobPayload } from './metadata-blob-payload.ts';

/**
 * Verifies an MDS3 metadata BLOB (FIDO Metadata Service v3.0 §3.2 "Metadata BLOB object
 * processing rules"): the certificate chain in the JWT header to the configured FIDO root,
 * with the CRLs its certificates name; then the JWS signature with the leaf's key; then the
 * payload's shape. Whether it is newer and still current is the caller's decision.
 */

export type MetadataBlobFailure = 'malformed' | 'signature_invalid' | CertificatePathFailure;

export class MetadataBlobError extends Error {
  override readonly name = 'MetadataBlobError';
  constructor(
    readonly failure: MetadataBlobFailure,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

export interface MetadataBlobTrust {
  /** DER of the FIDO MDS root(s); GlobalSign Root CA - R3 for the production service. */
  rootCertificates: readonly Uint8Array[];
  revocation: RevocationChecking;
}

/** JWS algorithms a BLOB may be signed with (RFC 7518 §3.1, minus `none` and HMAC). */
const signatureAlgorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

const headerSchema = z.object({
  alg: z.enum(signatureAlgorithms as [string, ...string[]]),
  // RFC 7515 §4.1.6: base64 (not base64url) DER, the signer's certificate first.
  x5c: z.array(z.string().check(z.regex(/^[A-Za-z0-9+/]+={0,2}$/))).check(z.minLength(1)),
});

export const verifyMetadataBlob = async (
  jwt: string,
  trust: MetadataBlobTrust,
  at: Date,
): Promise<{ payload: MetadataBlobPayload; warnings: string[] }> => {
  // §3.2 step 3: the BLOB is a JWS in compact serialization.
  let header: z.infer<typeof headerSchema>;
  try {
    header = headerSchema.parse(decodeProtectedHeader(jwt.trim()));
  } catch (cause) {
    throw new MetadataBlobError('malformed', 'The BLOB is not a JWT whose header has an accepted alg and an x5c chain.', { cause });
  }
  const chain = header.x5c.map((certificate) => new Uint8Array(Buffer.from(certificate, 'base64')));

  // §3.2 step 4: the chain must lead to the FIDO root and no certificate in it may be revoked.
  let warnings: string[];
  try {
    ({ warnings } = await verifyCertificatePath({ chain, anchors: trust.rootCertificates, at, revocation: trust.revocation }));
  } catch (cause) {
    if (cause instanceof CertificatePathError) throw new MetadataBlobError(cause.failure, `The BLOB's certificate chain was refused: ${cause.message}`, { cause });
    throw cause;
  }

  // §3.2 step 5: the signature, with the key of the first x5c certificate.
  let signedPayload: Uint8Array;
  try {
    const signingKey = new X509Certificate(chain[0] as Uint8Array).publicKey;
    ({ payload: signedPayload } = await compactVerify(jwt.trim(), signingKey, { algorithms: [header.alg] }));
  } catch (cause) {
    if (cause instanceof errors.JWSSignatureVerificationFailed) {
      throw new MetadataBlobError('signature_invalid', 'The BLOB signature does not verify with its signing certificate.', { cause });
    }
    throw new MetadataBlobError('malformed', 'The BLOB signature could not be checked.', { cause });
  }

  try {
    const payload = metadataBlobPayloadSchema.parse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(signedPayload)));
    return { payload, warnings };
  } catch (cause) {
    throw new MetadataBlobError('malformed', 'The BLOB payload is not an MDS3 MetadataBLOBPayload (legalHeader, no, nextUpdate, entries).', { cause });
  }
};

/** §3.1.6: a BLOB is current through its nextUpdate date (UTC); after that day it is stale. */
export const isBlobStale = (nextUpdate: string, at: Date): boolean => Date.parse(`${nextUpdate}T00:00:00Z`) + 24 * 3600 * 1000 <= at.getTime();
