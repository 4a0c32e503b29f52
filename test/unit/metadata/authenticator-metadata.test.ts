import { describe, expect, it } from 'vitest';
import { currentStatusReport, isCompromisingStatus } from '../../../shared/metadata/authenticator-status.ts';
import { isCompromised, modelKeyOf, parseBlobEntries } from '../../../shared/metadata/authenticator-metadata.ts';
import { describeAuthenticator } from '../../../shared/metadata/describe-authenticator.ts';
import { knownAuthenticators } from '../../../shared/metadata/known-authenticators.ts';
import { mdsEntry } from '../../support/mds-blob.ts';

describe('authenticator status rules', () => {
  it.each(['REVOKED', 'ATTESTATION_KEY_COMPROMISE', 'USER_VERIFICATION_BYPASS', 'USER_KEY_REMOTE_COMPROMISE', 'USER_KEY_PHYSICAL_COMPROMISE'])('treats %s as compromising', (status) => {
    expect(isCompromisingStatus(status)).toBe(true);
  });

  it.each(['FIDO_CERTIFIED', 'FIDO_CERTIFIED_L1', 'NOT_FIDO_CERTIFIED', 'UPDATE_AVAILABLE', 'SELF_ASSERTION_SUBMITTED', 'SOME_FUTURE_STATUS'])('does not treat %s as compromising', (status) => {
    expect(isCompromisingStatus(status)).toBe(false);
  });

  it('takes the report with the latest effectiveDate as current, the later-listed on a tie', () => {
    expect(currentStatusReport([{ status: 'REVOKED', effectiveDate: '2025-02-01' }, { status: 'FIDO_CERTIFIED', effectiveDate: '2024-01-01' }])?.status).toBe('REVOKED');
    expect(currentStatusReport([{ status: 'FIDO_CERTIFIED', effectiveDate: '2024-01-01' }, { status: 'UPDATE_AVAILABLE', effectiveDate: '2024-01-01' }])?.status).toBe('UPDATE_AVAILABLE');
    expect(currentStatusReport([{ status: 'FIDO_CERTIFIED' }, { status: 'REVOKED' }])?.status).toBe('REVOKED');
    expect(currentStatusReport([])).toBeUndefined();
  });

  it('lets a later recovery report end a compromise for new registrations', () => {
    const current = currentStatusReport([
      { status: 'USER_VERIFICATION_BYPASS', effectiveDate: '2024-03-01' },
      { status: 'UPDATE_AVAILABLE', effectiveDate: '2024-06-01' },
    ]);
    expect(isCompromisingStatus(current?.status)).toBe(false);
  });
});

describe('parseBlobEntries', () => {
  it('stores a FIDO2 entry by AAGUID and a U2F entry by each attestation key identifier, lower case', () => {
    const { metadata, warnings } = parseBlobEntries(
      [
        mdsEntry({ aaguid: 'ABCDEF01-2345-4678-89AB-CDEF01234567', description: 'FIDO2 Key', roots: [], statusReports: [{ status: 'REVOKED', effectiveDate: '2025-01-01' }] }),
        mdsEntry({ keyIdentifiers: ['A'.repeat(40), 'b'.repeat(40)], description: 'U2F Key', roots: [] }),
      ],
      42,
    );

    expect(warnings).toEqual([]);
    expect(metadata.map((record) => record.modelKey)).toEqual([
      'AAGUID#abcdef01-2345-4678-89ab-cdef01234567',
      `KEYID#${'a'.repeat(40)}`,
      `KEYID#${'b'.repeat(40)}`,
    ]);
    expect(metadata[0]).toMatchObject({ description: 'FIDO2 Key', status: 'REVOKED', blobNumber: 42 });
    expect(isCompromised(metadata[0])).toBe(true);
  });

  it('skips a malformed entry with a warning, and UAF-only entries silently', () => {
    const { metadata, warnings } = parseBlobEntries(
      [{ aaguid: 'not-a-uuid', statusReports: [] }, { aaid: '4e4e#4005', statusReports: [{ status: 'FIDO_CERTIFIED' }] }, mdsEntry({ aaguid: '11111111-2222-4333-8444-555555555555', description: 'Good', roots: [] })],
      1,
    );

    expect(metadata.map((record) => record.description)).toEqual(['Good']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^Entry 0 skipped/);
  });

  it('prefers the en-US friendly name to the description', () => {
    const entry = mdsEntry({ aaguid: '11111111-2222-4333-8444-555555555555', description: 'Vendor Internal Name', roots: [] });
    const { metadata } = parseBlobEntries([{ ...entry, metadataStatement: { ...entry.metadataStatement, friendlyNames: { 'en-US': 'Friendly Key' } } }], 1);

    expect(metadata[0]?.description).toBe('Friendly Key');
  });
});

describe('modelKeyOf', () => {
  it('indexes a key by its U2F key identifier, else its AAGUID, and not at all with AAGUID zero', () => {
    expect(modelKeyOf({ aaguid: '00000000-0000-0000-0000-000000000000', attestationKeyIdentifier: 'AB'.repeat(20) })).toBe(`KEYID#${'ab'.repeat(20)}`);
    expect(modelKeyOf({ aaguid: '11111111-2222-4333-8444-555555555555' })).toBe('AAGUID#11111111-2222-4333-8444-555555555555');
    expect(modelKeyOf({ aaguid: '00000000-0000-0000-0000-000000000000' })).toBeUndefined();
  });
});

describe('authenticator names', () => {
  const feitian = '77010bd7-212a-4fc9-b236-d2ca5e9d4084';

  it('names a model from FIDO metadata first, with its icon', () => {
    const { metadata } = parseBlobEntries([mdsEntry({ aaguid: feitian, description: 'FEITIAN BioPass FIDO2 Authenticator (MDS)', roots: [], icon: 'data:image/png;base64,AAAA' })], 1);

    expect(describeAuthenticator(feitian, metadata[0])).toEqual({ name: 'FEITIAN BioPass FIDO2 Authenticator (MDS)', icon: 'data:image/png;base64,AAAA', source: 'mds' });
  });

  it('falls back to the curated list, and knows nothing of AAGUID zero', () => {
    expect(describeAuthenticator(feitian)).toEqual({ name: 'FEITIAN BioPass FIDO2 Authenticator', source: 'curated' });
    expect(describeAuthenticator('EA9B8D66-4D01-1D21-3CE4-B6B48CB575D4')?.name).toBe('Google Password Manager');
    expect(describeAuthenticator('00000000-0000-0000-0000-000000000000')).toBeUndefined();
  });

  it('ships a curated list with a provenance and each AAGUID once', () => {
    const aaguids = knownAuthenticators.authenticators.map((authenticator) => authenticator.aaguid);

    expect(knownAuthenticators.provenance).toMatch(/Latchkey team/);
    expect(new Set(aaguids).size).toBe(aaguids.length);
    expect(aaguids).toContain('01020304-0506-0708-0102-030405060708');
  });
});
