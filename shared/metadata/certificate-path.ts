import 'reflect-metadata';
import { BasicConstraintsExtension, CRLDistributionPointsExtension, X509Certificate, X509Crl } from '@peculiar/x509';
import type { CrlFetcher } from './ports.ts';

/**
 * RFC 5280 §6 path validation, as much of it as FIDO needs: from a leaf through the
 * intermediates a signer sent to one of the given trust anchors, every certificate within its
 * validity period, every issuer in between a CA, and — where a certificate names CRL
 * distribution points — not revoked (§6.3). Used for the MDS BLOB's chain and for attestation
 * chains against a model's `attestationRootCertificates`.
 */

export type CertificatePathFailure = 'chain_untrusted' | 'certificate_expired' | 'certificate_revoked' | 'crl_unavailable';

export class CertificatePathError extends Error {
  override readonly name = 'CertificatePathError';
  constructor(
    readonly failure: CertificatePathFailure,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

export interface RevocationChecking {
  crls: CrlFetcher;
  /**
   * A CRL a certificate names that cannot be fetched, does not verify or is out of date:
   * `fail` refuses the path, `warn` accepts it and reports the gap in `warnings`.
   */
  whenUnavailable: 'fail' | 'warn';
}

export interface CertificatePathInput {
  /** DER; the leaf first, then any intermediates as the signer sent them (not trusted by themselves). */
  chain: readonly Uint8Array[];
  /** DER; the trust anchors. A path ends at the first certificate one of them issued, or at an anchor itself. */
  anchors: readonly Uint8Array[];
  /** The time the certificates must be valid at. */
  at: Date;
  /** Without it no CRL is consulted. */
  revocation?: RevocationChecking | undefined;
}

/** Longer chains than this are refused rather than searched. */
const maximumPathLength = 6;

export const parseCertificate = (der: Uint8Array): X509Certificate => {
  try {
    return new X509Certificate(new Uint8Array(der));
  } catch (cause) {
    throw new CertificatePathError('chain_untrusted', 'A certificate in the chain is not valid DER X.509.', { cause });
  }
};

/** Returns the path, leaf first and anchor last, and any revocation gaps `warn` let through. */
export const verifyCertificatePath = async (input: CertificatePathInput): Promise<{ path: X509Certificate[]; warnings: string[] }> => {
  const [leafDer, ...intermediateDers] = input.chain;
  // Ensure there is a certificate to start from
  if (!leafDer) throw new CertificatePathError('chain_untrusted', 'The certificate chain is empty.');
  const leaf = parseCertificate(leafDer);
  const intermediates = intermediateDers.map(parseCertificate);
  const anchors = input.anchors.map(parseCertificate);
  // Ensure there is something to trust
  if (anchors.length === 0) throw new CertificatePathError('chain_untrusted', 'No trust anchor is configured for this chain.');

  const path = [leaf];
  let current = leaf;
  let anchored = false;
  while (!anchored) {
    checkValidity(current, input.at);
    // The signer may send the anchor itself as the last certificate: the path ends there.
    if (anchors.some((anchor) => anchor.equal(current))) {
      anchored = true;
      break;
    }
    const anchor = await findIssuer(current, anchors);
    if (anchor) {
      checkValidity(anchor, input.at);
      path.push(anchor);
      anchored = true;
      break;
    }
    // Ensure a loop or an absurdly long chain ends
    if (path.length >= maximumPathLength) {
      throw new CertificatePathError('chain_untrusted', `The chain is longer than ${maximumPathLength} certificates without reaching a trust anchor.`);
    }
    // RFC 5280 §6.1.4 (k): an intermediate must be a CA.
    const issuer = await findIssuer(current, intermediates.filter((candidate) => !path.includes(candidate) && isCertificateAuthority(candidate)));
    if (!issuer) {
      throw new CertificatePathError('chain_untrusted', `No trust anchor or CA in the chain issued "${current.subject}" (issuer "${current.issuer}").`);
    }
    path.push(issuer);
    current = issuer;
  }

  const warnings = input.revocation ? await checkRevocation(path, anchors, input.at, input.revocation) : [];
  return { path, warnings };
};

const checkValidity = (certificate: X509Certificate, at: Date): void => {
  if (certificate.notBefore > at || certificate.notAfter < at) {
    throw new CertificatePathError(
      'certificate_expired',
      `"${certificate.subject}" is valid from ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}, not at ${at.toISOString()}.`,
    );
  }
};

const isCertificateAuthority = (certificate: X509Certificate): boolean =>
  certificate.getExtension(BasicConstraintsExtension)?.ca === true;

/** The candidate whose key verifies the certificate's signature; candidates named as its issuer first. */
const findIssuer = async (certificate: X509Certificate, candidates: readonly X509Certificate[]): Promise<X509Certificate | undefined> => {
  const ordered = [...candidates].sort((a, b) => Number(b.subject === certificate.issuer) - Number(a.subject === certificate.issuer));
  for (const candidate of ordered) {
    if (await signedBy(certificate, candidate)) return candidate;
  }
  return undefined;
};

const signedBy = async (subject: X509Certificate | X509Crl, issuer: X509Certificate): Promise<boolean> => {
  try {
    return await subject.verify({ publicKey: issuer.publicKey, signatureOnly: true });
  } catch {
    // An algorithm the runtime cannot verify is a signature that does not verify.
    return false;
  }
};

/** CRLs are DER on the wire (RFC 5280 §4.2.1.13); some servers send PEM. */
const parseCrl = (bytes: Uint8Array): X509Crl => {
  const text = Buffer.from(bytes.subarray(0, 32)).toString('latin1');
  return text.startsWith('-----BEGIN') ? new X509Crl(Buffer.from(bytes).toString('latin1')) : new X509Crl(new Uint8Array(bytes));
};

const distributionPointUrls = (certificate: X509Certificate): string[] =>
  (certificate.getExtension(CRLDistributionPointsExtension)?.distributionPoints ?? []).flatMap((point) =>
    (point.distributionPoint?.fullName ?? []).flatMap((name) => (name.uniformResourceIdentifier ? [name.uniformResourceIdentifier] : [])),
  );

/** RFC 5280 §6.3: each certificate below an anchor that names CRLs must not be on a current one its issuer signed. */
const checkRevocation = async (path: X509Certificate[], anchors: X509Certificate[], at: Date, revocation: RevocationChecking): Promise<string[]> => {
  const warnings: string[] = [];
  for (let index = 0; index < path.length - 1; index += 1) {
    const certificate = path[index] as X509Certificate;
    const issuer = path[index + 1] as X509Certificate;
    // Anchors are trusted as configured; their revocation is the configuration's business.
    if (anchors.some((anchor) => anchor.equal(certificate))) continue;
    const urls = distributionPointUrls(certificate);
    if (urls.length === 0) continue;

    const problems: string[] = [];
    let checked = false;
    for (const url of urls) {
      let crl: X509Crl;
      try {
        crl = parseCrl(await revocation.crls.fetch(url));
      } catch (cause) {
        problems.push(`${url} could not be fetched or parsed (${cause instanceof Error ? cause.message : String(cause)})`);
        continue;
      }
      if (!(await signedBy(crl, issuer))) {
        problems.push(`the CRL at ${url} is not signed by "${issuer.subject}"`);
        continue;
      }
      if (crl.nextUpdate && crl.nextUpdate < at) {
        problems.push(`the CRL at ${url} is out of date since ${crl.nextUpdate.toISOString()}`);
        continue;
      }
      if (crl.findRevoked(certificate)) {
        throw new CertificatePathError('certificate_revoked', `"${certificate.subject}" (serial ${certificate.serialNumber}) is revoked by the CRL at ${url}.`);
      }
      checked = true;
      break;
    }
    if (!checked) {
      const message = `Revocation of "${certificate.subject}" could not be checked: ${problems.join('; ')}.`;
      if (revocation.whenUnavailable === 'fail') throw new CertificatePathError('crl_unavailable', message);
      warnings.push(message);
    }
  }
  return warnings;
};
