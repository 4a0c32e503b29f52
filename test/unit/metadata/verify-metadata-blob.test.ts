import { describe, expect, it } from 'vitest';
import { CompactSign } from 'jose';
import { isBlobStale, MetadataBlobError, verifyMetadataBlob, type MetadataBlobTrust } from '../../../shared/metadata/verify-metadata-blob.ts';
import type { CrlFetcher } from '../../../shared/metadata/ports.ts';
import { createCrl, createMdsPki, mdsEntry, mdsPayload, signMdsBlob, type MdsPki } from '../../support/mds-blob.ts';

const crlUrl = 'http://crl.test/mds.crl';
const payload = mdsPayload({ no: 7, entries: [mdsEntry({ aaguid: '11111111-2222-3333-4444-555555555555', description: 'Test Key', roots: [] })] });

const noCrls: CrlFetcher = { fetch: async (url) => Promise.reject(new Error(`offline: ${url}`)) };
const crlsFrom = (crls: Record<string, Uint8Array>): CrlFetcher => ({
  fetch: async (url) => crls[url] ?? Promise.reject(new Error(`no CRL at ${url}`)),
});
const trustOf = (pki: MdsPki, crls: CrlFetcher = noCrls, whenUnavailable: 'fail' | 'warn' = 'fail'): MetadataBlobTrust => ({
  rootCertificates: [pki.rootDer],
  revocation: { crls, whenUnavailable },
});

const failureOf = async (promise: Promise<unknown>): Promise<string> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof MetadataBlobError) return error.failure;
    throw error;
  }
  throw new Error('Expected the BLOB to be refused, it was accepted');
};

describe('verifyMetadataBlob (MDS3 §3.2)', () => {
  it('accepts a BLOB whose chain leads to the root through an intermediate, and returns its payload', async () => {
    // Prepare
    const pki = await createMdsPki({ intermediate: true });
    const blob = await signMdsBlob(payload, pki);

    // Act
    const result = await verifyMetadataBlob(blob, trustOf(pki), new Date());

    // Assess
    expect(result.payload.no).toBe(7);
    expect(result.payload.entries).toHaveLength(1);
    expect(result.warnings).toEqual([]);
  });

  it('refuses a signature made with another key (signature_invalid)', async () => {
    const pki = await createMdsPki();
    const blob = await signMdsBlob(payload, pki, { wrongKey: true });

    expect(await failureOf(verifyMetadataBlob(blob, trustOf(pki), new Date()))).toBe('signature_invalid');
  });

  it('refuses a BLOB whose chain leads to a root that is not trusted (chain_untrusted)', async () => {
    const trusted = await createMdsPki({ name: 'Trusted' });
    const impostor = await createMdsPki({ name: 'Impostor' });
    const blob = await signMdsBlob(payload, impostor);

    expect(await failureOf(verifyMetadataBlob(blob, trustOf(trusted), new Date()))).toBe('chain_untrusted');
  });

  it('refuses a chain whose intermediate is missing (chain_untrusted)', async () => {
    const pki = await createMdsPki({ intermediate: true });
    const blob = await signMdsBlob(payload, { ...pki, intermediate: undefined });

    expect(await failureOf(verifyMetadataBlob(blob, trustOf(pki), new Date()))).toBe('chain_untrusted');
  });

  it('refuses a signing certificate outside its validity period (certificate_expired)', async () => {
    const pki = await createMdsPki({ signerNotBefore: new Date(Date.now() - 10 * 86_400_000), signerNotAfter: new Date(Date.now() - 86_400_000) });
    const blob = await signMdsBlob(payload, pki);

    expect(await failureOf(verifyMetadataBlob(blob, trustOf(pki), new Date()))).toBe('certificate_expired');
  });

  it('refuses a BLOB whose signing certificate a CRL of its chain revokes (certificate_revoked)', async () => {
    // Prepare
    const pki = await createMdsPki({ crlUrl, intermediate: true });
    const crl = await createCrl(pki, { revoke: [pki.signer.certificate] });
    const blob = await signMdsBlob(payload, pki);

    // Act
    const failure = await failureOf(verifyMetadataBlob(blob, trustOf(pki, crlsFrom({ [crlUrl]: crl })), new Date()));

    // Assess
    expect(failure).toBe('certificate_revoked');
  });

  it('accepts a chain the CRLs it names do not revoke', async () => {
    const pki = await createMdsPki({ crlUrl });
    const blob = await signMdsBlob(payload, pki);
    const emptyCrl = await createCrl(pki);

    const result = await verifyMetadataBlob(blob, trustOf(pki, crlsFrom({ [crlUrl]: emptyCrl })), new Date());

    expect(result.warnings).toEqual([]);
  });

  it('refuses a BLOB whose CRL cannot be fetched when CRLs are required (crl_unavailable)', async () => {
    const pki = await createMdsPki({ crlUrl });
    const blob = await signMdsBlob(payload, pki);

    expect(await failureOf(verifyMetadataBlob(blob, trustOf(pki, noCrls, 'fail'), new Date()))).toBe('crl_unavailable');
  });

  it('accepts it with a warning naming the CRL when unavailable CRLs are only warned about', async () => {
    const pki = await createMdsPki({ crlUrl });
    const blob = await signMdsBlob(payload, pki);

    const result = await verifyMetadataBlob(blob, trustOf(pki, noCrls, 'warn'), new Date());

    expect(result.payload.no).toBe(7);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain(crlUrl);
  });

  it('treats a CRL signed by someone else, or out of date, as unavailable', async () => {
    const pki = await createMdsPki({ crlUrl });
    const other = await createMdsPki({ name: 'Other' });
    const blob = await signMdsBlob(payload, pki);
    const forged = await createCrl(pki, { revoke: [], signWith: other.root });
    const outOfDate = await createCrl(pki, { nextUpdate: new Date(Date.now() - 3_600_000) });

    expect(await failureOf(verifyMetadataBlob(blob, trustOf(pki, crlsFrom({ [crlUrl]: forged })), new Date()))).toBe('crl_unavailable');
    expect(await failureOf(verifyMetadataBlob(blob, trustOf(pki, crlsFrom({ [crlUrl]: outOfDate })), new Date()))).toBe('crl_unavailable');
  });

  it.each([
    ['not a JWT', async () => 'not-a-jwt'],
    ['a JWT without x5c', async (pki: MdsPki) => new CompactSign(new TextEncoder().encode('{}')).setProtectedHeader({ alg: 'ES256' }).sign(pki.signer.keys.privateKey)],
    ['a payload without no', async (pki: MdsPki) => signMdsBlob({ nextUpdate: '2030-01-01', entries: [] }, pki)],
  ])('refuses %s (malformed)', async (_name, makeBlob) => {
    const pki = await createMdsPki();

    expect(await failureOf(verifyMetadataBlob(await makeBlob(pki), trustOf(pki), new Date()))).toBe('malformed');
  });
});

describe('isBlobStale', () => {
  it('keeps a BLOB current through its nextUpdate day (UTC) and stale from the day after', () => {
    expect(isBlobStale('2026-11-23', new Date('2026-11-23T23:59:59Z'))).toBe(false);
    expect(isBlobStale('2026-11-23', new Date('2026-11-24T00:00:00Z'))).toBe(true);
  });
});
