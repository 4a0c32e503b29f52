import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryDatabase, memoryClock } from '../../../shared/adapters/memory/memory-ports.ts';
import { createMemoryAuthenticatorModelIndex, createMemoryMetadataStore } from '../../../shared/adapters/memory/memory-metadata.ts';
import type { StoredCredential } from '../../../shared/domain/types.ts';
import { detailSchemas } from '../../../shared/events/catalog.ts';
import type { MetadataBlobSource } from '../../../shared/metadata/ports.ts';
import { getMetadataStatus } from '../../../shared/use-cases/get-metadata-status.ts';
import { refreshMetadata } from '../../../shared/use-cases/refresh-metadata.ts';
import { createMdsPki, mdsEntry, mdsPayload, signMdsBlob, type MdsPki } from '../../support/mds-blob.ts';

const modelA = 'aaaaaaaa-0000-4000-8000-000000000001';
const modelB = 'bbbbbbbb-0000-4000-8000-000000000002';
const u2fKeyId = 'c'.repeat(40);
const context = { requestId: 'refresh-test', stage: 'test', client: { ip: 'internal', userAgent: 'latchkey-metadata-refresh' } };
const actor = { type: 'system' as const, principal: 'metadata-refresh' };
const revokedReports = [{ status: 'FIDO_CERTIFIED', effectiveDate: '2023-01-01' }, { status: 'REVOKED', effectiveDate: '2025-05-01' }];

let pki: MdsPki;
beforeAll(async () => {
  pki = await createMdsPki({ intermediate: true });
});

const credential = (id: string, userId: string, fields: Partial<StoredCredential>): StoredCredential => ({
  id,
  userId,
  publicKey: 'AA',
  algorithm: -7,
  counter: 0,
  transports: ['usb'],
  aaguid: '00000000-0000-0000-0000-000000000000',
  backupEligible: false,
  backedUp: false,
  userVerified: true,
  attestationFormat: 'packed',
  attestationTrusted: true,
  nickname: 'Security key',
  createdAt: '2026-01-01T00:00:00.000Z',
  ...fields,
});

/** A database with two keys of model A, one of model B and one U2F key; a store; a BLOB source to set per test. */
const setUp = () => {
  const db = new MemoryDatabase();
  for (const [id, username] of [['u1', 'ada'], ['u2', 'grace']] as const) {
    db.addUser({ id, username, displayName: username, groups: [], disabled: false, createdAt: '2026-01-01T00:00:00.000Z', credentialCount: 1 });
  }
  db.credentials.set('a1', credential('a1', 'u1', { aaguid: modelA, authenticatorName: 'Model A' }));
  db.credentials.set('a2', credential('a2', 'u2', { aaguid: modelA }));
  db.credentials.set('b1', credential('b1', 'u1', { aaguid: modelB }));
  db.credentials.set('k1', credential('k1', 'u2', { attestationFormat: 'fido-u2f', attestationKeyIdentifier: u2fKeyId }));
  const store = createMemoryMetadataStore();
  const clock = memoryClock(Date.now());
  let blob = '';
  const source: MetadataBlobSource = { location: 'memory', fetchBlob: async () => blob };
  const deps = {
    source,
    trust: { rootCertificates: [pki.rootDer], revocation: { crls: { fetch: async () => Promise.reject(new Error('offline')) }, whenUnavailable: 'fail' as const } },
    store,
    models: createMemoryAuthenticatorModelIndex(db),
    clock,
  };
  const refresh = async (payload?: unknown, options: { wrongKey?: boolean } = {}) => {
    if (payload !== undefined) blob = await signMdsBlob(payload, pki, options);
    return refreshMetadata({ context, actor }, deps);
  };
  return { db, store, deps, refresh, clock };
};

const entries = (modelAStatus = [{ status: 'FIDO_CERTIFIED', effectiveDate: '2024-01-01' }]) => [
  mdsEntry({ aaguid: modelA, description: 'Model A', roots: [pki.rootPem], statusReports: modelAStatus }),
  mdsEntry({ aaguid: modelB, description: 'Model B', roots: [pki.rootPem] }),
  mdsEntry({ keyIdentifiers: [u2fKeyId], description: 'U2F Model', roots: [pki.rootPem] }),
];

describe('refreshMetadata', () => {
  it('stores the entries of a verified, current, newer BLOB and records its number', async () => {
    // Prepare
    const { refresh, store, deps } = setUp();

    // Act
    const result = await refresh(mdsPayload({ no: 10, entries: entries() }));

    // Assess
    expect(result).toMatchObject({ outcome: 'updated', blobNumber: 10, entryCount: 3, flaggedCredentials: 0 });
    expect([...store.entries.keys()].sort()).toEqual([`AAGUID#${modelA}`, `AAGUID#${modelB}`, `KEYID#${u2fKeyId}`]);
    expect(await getMetadataStatus({ store, clock: deps.clock, source: deps.source })).toMatchObject({
      enabled: true,
      blobNumber: 10,
      entryCount: 3,
      stale: false,
      lastRefresh: { outcome: 'updated' },
    });
  });

  it('reports the same BLOB again as unchanged, an older one as refused (not_newer), and keeps the stored entries', async () => {
    const { refresh, store } = setUp();
    await refresh(mdsPayload({ no: 10, entries: entries() }));

    expect(await refresh()).toMatchObject({ outcome: 'unchanged', blobNumber: 10 });
    expect(await refresh(mdsPayload({ no: 9, entries: [] }))).toMatchObject({ outcome: 'refused', reason: 'not_newer' });
    expect(store.entries.size).toBe(3);
    expect(store.current).toMatchObject({ blobNumber: 10, lastRefresh: { outcome: 'refused', reason: 'not_newer' } });
  });

  it('refuses a BLOB whose nextUpdate has passed (stale)', async () => {
    const { refresh, store } = setUp();

    const result = await refresh(mdsPayload({ no: 11, nextUpdate: '2020-01-01', entries: entries() }));

    expect(result).toMatchObject({ outcome: 'refused', reason: 'stale', blobNumber: 11 });
    expect(store.entries.size).toBe(0);
  });

  it('refuses a BLOB with a bad signature and one from an untrusted chain, keeping what was stored', async () => {
    const { refresh, store, deps } = setUp();
    await refresh(mdsPayload({ no: 10, entries: entries() }));

    expect(await refresh(mdsPayload({ no: 11, entries: [] }), { wrongKey: true })).toMatchObject({ outcome: 'refused', reason: 'signature_invalid' });
    const impostor = await createMdsPki({ name: 'Impostor' });
    deps.source.fetchBlob = async () => signMdsBlob(mdsPayload({ no: 12, entries: [] }), impostor);
    expect(await refresh()).toMatchObject({ outcome: 'refused', reason: 'chain_untrusted' });
    expect(store.entries.size).toBe(3);
  });

  it('reports an unreachable source as unavailable, and no source at all as disabled', async () => {
    const { refresh, deps, store } = setUp();
    deps.source.fetchBlob = async () => Promise.reject(new Error('ENOTFOUND mds3.fidoalliance.org'));

    expect(await refresh()).toMatchObject({ outcome: 'unavailable', detail: expect.stringContaining('ENOTFOUND') });
    expect(await refreshMetadata({ context, actor }, { ...deps, source: undefined })).toMatchObject({ outcome: 'disabled' });
    expect(await getMetadataStatus({ store, clock: deps.clock })).toMatchObject({ enabled: false, entryCount: 0 });
  });

  it('flags every enrolled key of a model a new BLOB revokes, with one Authenticator Status Changed event per key, once', async () => {
    // Prepare
    const { refresh, db } = setUp();
    await refresh(mdsPayload({ no: 10, entries: entries() }));

    // Act
    const revoking = await refresh(mdsPayload({ no: 11, entries: entries(revokedReports) }));
    const again = await refresh(mdsPayload({ no: 12, entries: entries(revokedReports) }));

    // Assess
    expect(revoking).toMatchObject({ outcome: 'updated', flaggedCredentials: 2 });
    expect(again).toMatchObject({ outcome: 'updated', flaggedCredentials: 0 });
    expect(db.credentials.get('a1')?.authenticatorStatus).toBe('REVOKED');
    expect(db.credentials.get('a2')?.authenticatorStatus).toBe('REVOKED');
    expect(db.credentials.get('b1')?.authenticatorStatus).toBeUndefined();
    const events = db.events.filter((event) => event.detailType === 'Authenticator Status Changed');
    expect(events.map((event) => event.detail.credential?.id).sort()).toEqual(['a1', 'a2']);
    for (const event of events) expect(() => detailSchemas['Authenticator Status Changed'].parse(event.detail)).not.toThrow();
    expect(events[0]?.detail).toMatchObject({
      actor,
      user: { id: 'u1', username: 'ada' },
      credential: { aaguid: modelA, authenticatorName: 'Model A' },
      authenticatorStatus: { after: 'REVOKED', effectiveDate: '2025-05-01', metadataBlobNumber: 11 },
    });
  });

  it('flags a U2F key by its attestation key identifier, and a later status change again', async () => {
    const { refresh, db } = setUp();
    const u2f = (status: string) =>
      mdsPayload({ no: status === 'USER_VERIFICATION_BYPASS' ? 20 : 21, entries: [mdsEntry({ keyIdentifiers: [u2fKeyId], description: 'U2F Model', roots: [pki.rootPem], statusReports: [{ status, effectiveDate: '2025-01-01' }] })] });

    expect(await refresh(u2f('USER_VERIFICATION_BYPASS'))).toMatchObject({ flaggedCredentials: 1 });
    expect(await refresh(u2f('REVOKED'))).toMatchObject({ flaggedCredentials: 1 });
    const changes = db.events.filter((event) => event.detailType === 'Authenticator Status Changed').map((event) => event.detail.authenticatorStatus);
    expect(changes).toEqual([
      { after: 'USER_VERIFICATION_BYPASS', effectiveDate: '2025-01-01', metadataBlobNumber: 20 },
      { before: 'USER_VERIFICATION_BYPASS', after: 'REVOKED', effectiveDate: '2025-01-01', metadataBlobNumber: 21 },
    ]);
  });

  it('catches a key enrolled after the revoking BLOB on the next refresh, even when the BLOB is unchanged', async () => {
    const { refresh, db } = setUp();
    await refresh(mdsPayload({ no: 11, entries: entries(revokedReports) }));
    db.credentials.set('a3', credential('a3', 'u1', { aaguid: modelA }));

    const result = await refresh();

    expect(result).toMatchObject({ outcome: 'unchanged', flaggedCredentials: 1 });
    expect(db.credentials.get('a3')?.authenticatorStatus).toBe('REVOKED');
  });

  it('removes the entries a newer BLOB no longer lists', async () => {
    const { refresh, store } = setUp();
    await refresh(mdsPayload({ no: 10, entries: entries() }));

    await refresh(mdsPayload({ no: 11, entries: entries().slice(0, 1) }));

    expect([...store.entries.keys()]).toEqual([`AAGUID#${modelA}`]);
  });
});
