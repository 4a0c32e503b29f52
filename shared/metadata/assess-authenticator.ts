import type { decodeAttestationObject } from '@simplewebauthn/server/helpers';
import type { Clock } from '../ports.ts';
import { isCompromisingStatus, type CompromisingStatus } from './authenticator-status.ts';
import type { AuthenticatorMetadata } from './authenticator-metadata.ts';
import type { RevocationChecking } from './certificate-path.ts';
import { describeAuthenticator } from './describe-authenticator.ts';
import { attestationCertificatesOf, evaluateAttestationTrust, identifyModel, type AttestationTrust } from './evaluate-attestation-trust.ts';
import type { AuthenticatorMetadataSource } from './ports.ts';

/** The attestation object as registration already decoded it (§7.1 step 12): decoded once per ceremony. */
export type DecodedAttestationObject = ReturnType<typeof decodeAttestationObject>;

/** Everything registration learns about a new key's model from its attestation and FIDO metadata. */
export interface AuthenticatorAssessment {
  /** U2F keys only: their model is found by this (hex SHA-1 of the attestation key). */
  attestationKeyIdentifier?: string | undefined;
  metadata?: AuthenticatorMetadata | undefined;
  trust: AttestationTrust;
  name?: string | undefined;
  icon?: string | undefined;
  /** Set when FIDO metadata reports the model compromised or revoked. */
  compromisedStatus?: CompromisingStatus | undefined;
}

export interface AssessAuthenticatorDeps {
  metadata: AuthenticatorMetadataSource;
  clock: Clock;
  /** CRLs named by attestation certificates; see docs/metadata.md for why `warn` suits attestation. */
  revocation?: RevocationChecking | undefined;
}

/**
 * Looks the key's model up in FIDO metadata (by AAGUID, or by attestation key identifier for
 * U2F), judges whether its attestation chains to a root the metadata lists, and names it.
 * Call it only on an attestation the library has verified.
 */
export const assessAuthenticator = async (
  input: { attestation: DecodedAttestationObject; aaguid: string },
  deps: AssessAuthenticatorDeps,
): Promise<AuthenticatorAssessment> => {
  const { attestation } = input;
  const format = attestation.get('fmt');
  const certificates = attestationCertificatesOf(format, attestation.get('attStmt'));
  const { modelKey, attestationKeyIdentifier } = await identifyModel({ format, aaguid: input.aaguid, certificates });
  const metadata = modelKey ? await deps.metadata.find(modelKey) : undefined;
  const trust = await evaluateAttestationTrust({ format, certificates, metadata }, { at: new Date(deps.clock.now()), revocation: deps.revocation });
  const description = describeAuthenticator(input.aaguid, metadata);
  return {
    attestationKeyIdentifier,
    metadata,
    trust,
    name: description?.name,
    icon: description?.icon,
    compromisedStatus: isCompromisingStatus(metadata?.status) ? metadata.status : undefined,
  };
};
