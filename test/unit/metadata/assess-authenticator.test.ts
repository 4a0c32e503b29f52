import { describe, expect, it } from 'vitest';
import { generateRegistrationOptions } from '@simplewebauthn/server';
import { decodeAttestationObject } from '@simplewebauthn/server/helpers';
import { assessAuthenticator } from '../../../shared/metadata/assess-authenticator.ts';
import { decideAttestation, decideFlaggedKey } from '../../../shared/metadata/attestation-policy.ts';
import { modelKeys, parseBlobEntries, type AuthenticatorMetadata } from '../../../shared/metadata/authenticator-metadata.ts';
import { attestationCertificatesOf, evaluateAttestationTrust } from '../../../shared/metadata/evaluate-attestation-trust.ts';
import type { AuthenticatorMetadataSource } from '../../../shared/metadata/ports.ts';
import { createAttestationAuthority, SoftAuthenticator, type AttestationFormat } from '../../support/soft-authenticator.ts';
import { mdsEntry } from '../../support/mds-blob.ts';

const origin = 'http://localhost:3000';
const modelAaguid = '6a1b4c2d-0000-4e5f-8a9b-0c1d2e3f4a5b';
const clock = { now: () => Date.now() };

/** The stored metadata of one entry, as a refresh would keep it. */
const metadataOf = (entry: ReturnType<typeof mdsEntry>): AuthenticatorMetadata[] => parseBlobEntries([entry], 1).metadata;
const sourceOf = (...records: AuthenticatorMetadata[]): AuthenticatorMetadataSource => {
  const byKey = new Map(records.map((record) => [record.modelKey, record]));
  return { find: async (modelKey) => byKey.get(modelKey) };
};

const attest = async (authenticator: SoftAuthenticator, attestation: AttestationFormat) => {
  const options = await generateRegistrationOptions({ rpName: 'Latchkey', rpID: 'localhost', userName: 'ada', attestationType: 'direct' });
  const response = authenticator.register(options, { attestation });
  const attestationObject = new Uint8Array(Buffer.from(response.response.attestationObject, 'base64url'));
  const decoded = decodeAttestationObject(attestationObject);
  const authData = decoded.get('authData');
  // The AAGUID sits after rpIdHash (32), flags (1) and the counter (4): WebAuthn §6.5.1
  const aaguid = Buffer.from(authData.subarray(37, 53)).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  return { attestation: decoded, aaguid };
};

describe('assessAuthenticator: attestation trust per format', () => {
  const authority = createAttestationAuthority('Model Root');
  const model = metadataOf(mdsEntry({ aaguid: modelAaguid, description: 'Latchkey Model One', roots: [new SoftAuthenticator({ origin, attestationAuthority: authority }).attestationTrustAnchor()] }));

  it.each(['packed-full', 'apple', 'android-key'] as const)('trusts %s attestation that chains to a root of the model\'s metadata, and names the key', async (format) => {
    // Prepare
    const authenticator = new SoftAuthenticator({ origin, aaguid: modelAaguid, attestationAuthority: authority });

    // Act
    const assessment = await assessAuthenticator(await attest(authenticator, format), { metadata: sourceOf(...model), clock });

    // Assess
    expect(assessment.trust).toEqual({ trusted: true, warnings: [] });
    expect(assessment.name).toBe('Latchkey Model One');
    expect(assessment.compromisedStatus).toBeUndefined();
  });

  it.each(['packed-full', 'apple', 'android-key', 'fido-u2f'] as const)('does not trust %s attestation from another CA than the metadata lists', async (format) => {
    // Prepare: the impostor's own CA signs; metadata for its model (by AAGUID, or by U2F key id) lists the model's root
    const impostor = new SoftAuthenticator({ origin, aaguid: modelAaguid });
    const modelRoot = new SoftAuthenticator({ origin, attestationAuthority: authority }).attestationTrustAnchor();
    const u2fModel = metadataOf(mdsEntry({ keyIdentifiers: [impostor.attestationKeyIdentifier()], description: 'U2F', roots: [modelRoot] }));

    // Act

    const assessment = await assessAuthenticator(await attest(impostor, format), { metadata: sourceOf(...model, ...u2fModel), clock });

    // Assess
    expect(assessment.trust).toMatchObject({ trusted: false, because: 'chain_untrusted' });
  });

  it('finds a fido-u2f model by its attestation key identifier (AAGUID zero) and trusts its chain', async () => {
    // Prepare
    const u2fAuthority = createAttestationAuthority('U2F Model Root');
    const authenticator = new SoftAuthenticator({ origin, attestationAuthority: u2fAuthority, transports: ['usb'] });
    const u2fModel = metadataOf(mdsEntry({ keyIdentifiers: [authenticator.attestationKeyIdentifier()], description: 'Latchkey U2F Key', roots: [authenticator.attestationTrustAnchor()] }));

    // Act
    const input = await attest(authenticator, 'fido-u2f');
    const assessment = await assessAuthenticator(input, { metadata: sourceOf(...u2fModel), clock });

    // Assess
    expect(input.aaguid).toBe('00000000-0000-0000-0000-000000000000');
    expect(assessment.attestationKeyIdentifier).toBe(authenticator.attestationKeyIdentifier());
    expect(assessment.metadata?.modelKey).toBe(modelKeys.keyIdentifier(authenticator.attestationKeyIdentifier()));
    expect(assessment.trust.trusted).toBe(true);
    expect(assessment.name).toBe('Latchkey U2F Key');
  });

  it.each([
    ['none', 'no_attestation'],
    ['packed-self', 'self_attestation'],
  ] as const)('never trusts %s attestation, even of a model with metadata', async (format, because) => {
    const authenticator = new SoftAuthenticator({ origin, aaguid: modelAaguid, attestationAuthority: authority });

    const assessment = await assessAuthenticator(await attest(authenticator, format), { metadata: sourceOf(...model), clock });

    expect(assessment.trust).toMatchObject({ trusted: false, because });
    expect(assessment.name).toBe('Latchkey Model One');
  });

  it('does not trust a model FIDO metadata does not know, but names it from the curated list', async () => {
    const chromiumAaguid = '01020304-0506-0708-0102-030405060708';
    const authenticator = new SoftAuthenticator({ origin, aaguid: chromiumAaguid });

    const assessment = await assessAuthenticator(await attest(authenticator, 'packed-full'), { metadata: sourceOf(...model), clock });

    expect(assessment.trust).toMatchObject({ trusted: false, because: 'unknown_model' });
    expect(assessment.name).toBe('Chromium virtual authenticator');
  });

  it('does not trust a chain whose certificates have expired by the time it is checked', async () => {
    const authenticator = new SoftAuthenticator({ origin, aaguid: modelAaguid, attestationAuthority: authority });
    const inTwoYears = { now: () => Date.now() + 2 * 365 * 86_400_000 };

    const assessment = await assessAuthenticator(await attest(authenticator, 'packed-full'), { metadata: sourceOf(...model), clock: inTwoYears });

    expect(assessment.trust).toMatchObject({ trusted: false, because: 'certificate_expired' });
  });

  it('judges a tpm statement by its x5c like any certificate format (chain only: no TPM statement is produced here)', async () => {
    const authenticator = new SoftAuthenticator({ origin, aaguid: modelAaguid, attestationAuthority: authority });
    const { attestation } = await attest(authenticator, 'packed-full');
    const certificates = attestationCertificatesOf('tpm', attestation.get('attStmt'));

    const trust = await evaluateAttestationTrust({ format: 'tpm', certificates, metadata: model[0] }, { at: new Date() });

    expect(certificates).toHaveLength(1);
    expect(trust.trusted).toBe(true);
  });

  it('reports a model whose current status is compromising', async () => {
    const revoked = metadataOf(
      mdsEntry({
        aaguid: modelAaguid,
        description: 'Latchkey Model One',
        roots: [new SoftAuthenticator({ origin, attestationAuthority: authority }).attestationTrustAnchor()],
        statusReports: [{ status: 'FIDO_CERTIFIED', effectiveDate: '2023-01-01' }, { status: 'USER_VERIFICATION_BYPASS', effectiveDate: '2025-06-01' }],
      }),
    );
    const authenticator = new SoftAuthenticator({ origin, aaguid: modelAaguid, attestationAuthority: authority });

    const assessment = await assessAuthenticator(await attest(authenticator, 'packed-full'), { metadata: sourceOf(...revoked), clock });

    expect(assessment.trust.trusted).toBe(true);
    expect(assessment.compromisedStatus).toBe('USER_VERIFICATION_BYPASS');
  });
});

describe('decideAttestation (policy.enforceAttestation at registration)', () => {
  const trusted = { trust: { trusted: true as const, warnings: [] } };
  const untrusted = { trust: { trusted: false as const, because: 'self_attestation' as const, detail: 'self', warnings: [] } };

  it('lets everything through when enforcement is off', () => {
    expect(decideAttestation({ enforceAttestation: false }, { ...untrusted, compromisedStatus: 'REVOKED' })).toEqual({ allowed: true });
  });

  it('refuses a compromised model first (authenticator_revoked), then an untrusted attestation (attestation_untrusted)', () => {
    expect(decideAttestation({ enforceAttestation: true }, { ...trusted, compromisedStatus: 'REVOKED', name: 'Key' })).toMatchObject({ allowed: false, reason: 'authenticator_revoked' });
    expect(decideAttestation({ enforceAttestation: true }, { ...untrusted, compromisedStatus: 'REVOKED' })).toMatchObject({ allowed: false, reason: 'authenticator_revoked' });
    expect(decideAttestation({ enforceAttestation: true }, untrusted)).toMatchObject({ allowed: false, reason: 'attestation_untrusted' });
    expect(decideAttestation({ enforceAttestation: true }, trusted)).toEqual({ allowed: true });
  });
});

describe('decideFlaggedKey (policy.enforceAttestation at sign-in)', () => {
  it('refuses a flagged key only while enforcement is on', () => {
    expect(decideFlaggedKey({ enforceAttestation: true }, { authenticatorStatus: 'REVOKED' })).toMatchObject({ allowed: false, reason: 'authenticator_revoked' });
    expect(decideFlaggedKey({ enforceAttestation: false }, { authenticatorStatus: 'REVOKED' })).toEqual({ allowed: true });
    expect(decideFlaggedKey({ enforceAttestation: true }, {})).toEqual({ allowed: true });
  });
});
