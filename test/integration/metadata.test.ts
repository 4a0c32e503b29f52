import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createAttestationAuthority, SoftAuthenticator, type AttestationFormat } from '../support/soft-authenticator.ts';
import { outboxEvents, startTestStage, type TestStage } from '../support/local-stage.ts';
import { createMdsPki, mdsEntry, mdsPayload, signMdsBlob, type MdsPki } from '../support/mds-blob.ts';
import { keys } from '../../shared/storage/table.ts';
import { environmentVariables as names } from '../../shared/runtime/variables.ts';
import { detailSchemas } from '../../shared/events/catalog.ts';
import type { HttpRequest } from '../../shared/http/create-handler.ts';

/**
 * FIDO MDS end to end on DynamoDB Local: the local stage reads the BLOB from LOCAL_MDS_BLOB,
 * trusted through LOCAL_MDS_ROOT, both made here by a test PKI. Every authenticator and every
 * BLOB is generated; none is a recording of a real one.
 */

const aaguids = {
  trusted: 'a0a0a0a0-1111-4111-8111-000000000001',
  revoked: 'b0b0b0b0-2222-4222-8222-000000000002',
  laterRevoked: 'c0c0c0c0-3333-4333-8333-000000000003',
};
const authorities = {
  trusted: createAttestationAuthority('Model A Root'),
  revoked: createAttestationAuthority('Model B Root'),
  laterRevoked: createAttestationAuthority('Model C Root'),
  u2f: createAttestationAuthority('U2F Model Root'),
};
const rootOf = (authority: ReturnType<typeof createAttestationAuthority>) => new SoftAuthenticator({ origin: 'http://localhost', attestationAuthority: authority }).attestationTrustAnchor();
const revokedReports = [{ status: 'FIDO_CERTIFIED', effectiveDate: '2023-01-01' }, { status: 'REVOKED', effectiveDate: '2025-04-01' }];

let stage: TestStage;
let pki: MdsPki;
let directory: string;
let u2fKey: SoftAuthenticator;

const entries = (options: { laterRevoked?: boolean } = {}) => [
  mdsEntry({ aaguid: aaguids.trusted, description: 'Latchkey Model A', roots: [rootOf(authorities.trusted)] }),
  mdsEntry({ aaguid: aaguids.revoked, description: 'Latchkey Model B', roots: [rootOf(authorities.revoked)], statusReports: revokedReports }),
  mdsEntry({
    aaguid: aaguids.laterRevoked,
    description: 'Latchkey Model C',
    roots: [rootOf(authorities.laterRevoked)],
    ...(options.laterRevoked ? { statusReports: revokedReports } : {}),
  }),
  mdsEntry({ keyIdentifiers: [u2fKey.attestationKeyIdentifier()], description: 'Latchkey U2F Key', roots: [rootOf(authorities.u2f)] }),
];
const writeBlob = async (payload: unknown) => writeFileSync(join(directory, 'blob.jwt'), await signMdsBlob(payload, pki));

const setEnforcement = (enforceAttestation: boolean) =>
  stage.documentClient.send(new PutCommand({ TableName: stage.tableName, Item: { ...keys.policy(), policy: { enforceAttestation } } }));

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'latchkey-mds-'));
  // The signing chain names a CRL nobody serves: the local stage warns and goes on.
  pki = await createMdsPki({ intermediate: true, crlUrl: 'http://127.0.0.1:9/mds.crl' });
  u2fKey = new SoftAuthenticator({ origin: 'http://localhost', attestationAuthority: authorities.u2f, transports: ['usb'] });
  writeFileSync(join(directory, 'root.pem'), pki.rootPem);
  await writeBlob(mdsPayload({ no: 1, entries: entries() }));
  stage = await startTestStage({
    policyOverrides: { enforceAttestation: true, attestation: 'direct' },
    environment: { [names.localMdsBlob]: join(directory, 'blob.jwt'), [names.localMdsRoot]: join(directory, 'root.pem') },
  });
});
afterAll(async () => {
  await stage?.close();
  rmSync(directory, { recursive: true, force: true });
});

let users = 0;
const signUp = async (authenticator: SoftAuthenticator, attestation: AttestationFormat) => {
  const options = await stage.call('POST', '/v1/registration/options', { body: { username: `mds-user-${++users}` } });
  expect(options.status).toBe(200);
  // Authenticators made before the stage (the U2F key, listed in the first BLOB) report the stage's origin here.
  return stage.call('POST', '/v1/registration/verify', { body: { response: authenticator.register(options.body.options, { attestation, origin: stage.url }) } });
};
const signIn = async (authenticator: SoftAuthenticator) => {
  const options = await stage.call('POST', '/v1/authentication/options', { body: {} });
  return stage.call('POST', '/v1/authentication/verify', { body: { response: authenticator.authenticate(options.body.options) } });
};
const lastEvent = async (detailType: string) => (await outboxEvents(stage)).filter((event) => event.detailType === detailType).at(-1)?.detail;
const modelKey = (aaguid: string) => ({ aaguid, origin: stage.url });

describe('metadata refresh on the local stage', () => {
  it('loaded the BLOB from LOCAL_MDS_BLOB at start, warning about the CRL it could not fetch', async () => {
    expect(stage.metadata.enabled).toBe(true);
    expect(stage.metadata.atStart).toMatchObject({ outcome: 'updated', blobNumber: 1, entryCount: 4 });
    expect(stage.metadata.atStart?.warnings.join(' ')).toContain('http://127.0.0.1:9/mds.crl');
    const entry = await stage.documentClient.send(new GetCommand({ TableName: stage.tableName, Key: keys.metadataEntry(`AAGUID#${aaguids.trusted}`) }));
    expect(entry.Item?.metadata).toMatchObject({ description: 'Latchkey Model A', status: 'FIDO_CERTIFIED', blobNumber: 1 });
    const status = await stage.documentClient.send(new GetCommand({ TableName: stage.tableName, Key: keys.metadataStatus() }));
    expect(status.Item).toMatchObject({ blobNumber: 1, entryCount: 4, compromisedModels: [`AAGUID#${aaguids.revoked}`] });
  });
});

describe('registration with enforceAttestation on', () => {
  it('enrols a key whose packed attestation chains to its model\'s metadata root, trusted and named', async () => {
    // Prepare
    const authenticator = new SoftAuthenticator({ ...modelKey(aaguids.trusted), attestationAuthority: authorities.trusted });

    // Act
    const result = await signUp(authenticator, 'packed-full');

    // Assess
    expect(result.status).toBe(201);
    expect(result.body.credential).toMatchObject({ aaguid: aaguids.trusted, authenticatorName: 'Latchkey Model A', attestation: { format: 'packed', trusted: true } });
    expect(await lastEvent('Credential Registered')).toMatchObject({ credential: { authenticatorName: 'Latchkey Model A', attestationTrusted: true } });
  });

  it('refuses a key of a known model whose attestation chains to another root (attestation_untrusted)', async () => {
    const impostor = new SoftAuthenticator(modelKey(aaguids.trusted));

    const result = await signUp(impostor, 'packed-full');

    expect(result.status).toBe(403);
    expect(result.body.code).toBe('policy_denied');
    expect(await lastEvent('Credential Registration Failed')).toMatchObject({
      reason: 'attestation_untrusted',
      credential: { aaguid: aaguids.trusted, authenticatorName: 'Latchkey Model A', attestationTrusted: false },
    });
  });

  it.each(['none', 'packed-self'] as const)('refuses %s attestation (attestation_untrusted)', async (attestation) => {
    const result = await signUp(new SoftAuthenticator({ ...modelKey(aaguids.trusted), attestationAuthority: authorities.trusted }), attestation);

    expect(result.status).toBe(403);
    expect((await lastEvent('Credential Registration Failed'))?.reason).toBe('attestation_untrusted');
  });

  it('refuses a model FIDO metadata reports revoked, even with a good chain (authenticator_revoked)', async () => {
    const result = await signUp(new SoftAuthenticator({ ...modelKey(aaguids.revoked), attestationAuthority: authorities.revoked }), 'packed-full');

    expect(result.status).toBe(403);
    expect(result.body.code).toBe('policy_denied');
    expect(await lastEvent('Credential Registration Failed')).toMatchObject({ reason: 'authenticator_revoked', credential: { aaguid: aaguids.revoked } });
  });

  it('enrols a FIDO U2F key found by its attestation key identifier, and indexes it by that model', async () => {
    const result = await signUp(u2fKey, 'fido-u2f');

    expect(result.status).toBe(201);
    expect(result.body.credential).toMatchObject({ aaguid: '00000000-0000-0000-0000-000000000000', authenticatorName: 'Latchkey U2F Key', attestation: { format: 'fido-u2f', trusted: true } });
    const item = await stage.documentClient.send(new GetCommand({ TableName: stage.tableName, Key: keys.credential(result.body.user.id, result.body.credential.id) }));
    expect(item.Item?.gsi3pk).toBe(`MODEL#KEYID#${u2fKey.attestationKeyIdentifier()}`);
  });
});

describe('a model revoked after its keys were enrolled', () => {
  it('flags every enrolled key of the model with one event per key, and refuses them at sign-in while enforcement is on', async () => {
    // Prepare: two users enrol model C; one user enrols model A
    const first = new SoftAuthenticator({ ...modelKey(aaguids.laterRevoked), attestationAuthority: authorities.laterRevoked });
    const second = new SoftAuthenticator({ ...modelKey(aaguids.laterRevoked), attestationAuthority: authorities.laterRevoked });
    const unaffected = new SoftAuthenticator({ ...modelKey(aaguids.trusted), attestationAuthority: authorities.trusted });
    const enrolled = [await signUp(first, 'packed-full'), await signUp(second, 'packed-full'), await signUp(unaffected, 'packed-full')];
    expect(enrolled.map((result) => result.status)).toEqual([201, 201, 201]);
    expect((await signIn(first)).status).toBe(200);

    // Act: the next BLOB reports model C revoked
    await writeBlob(mdsPayload({ no: 2, entries: entries({ laterRevoked: true }) }));
    const refresh = await stage.refreshMetadata();

    // Assess
    expect(refresh).toMatchObject({ outcome: 'updated', blobNumber: 2, flaggedCredentials: 2 });
    const changes = (await outboxEvents(stage)).filter((event) => event.detailType === 'Authenticator Status Changed');
    expect(changes.map((event) => event.detail.credential.id).sort()).toEqual([enrolled[0]?.body.credential.id, enrolled[1]?.body.credential.id].sort());
    for (const change of changes) {
      expect(() => detailSchemas['Authenticator Status Changed'].parse(change.detail)).not.toThrow();
      expect(change.detail).toMatchObject({
        actor: { type: 'system', principal: 'metadata-refresh' },
        credential: { aaguid: aaguids.laterRevoked, authenticatorName: 'Latchkey Model C' },
        authenticatorStatus: { after: 'REVOKED', effectiveDate: '2025-04-01', metadataBlobNumber: 2 },
      });
    }
    const refused = await signIn(first);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('policy_denied');
    expect(await lastEvent('Sign-In Failed')).toMatchObject({ reason: 'authenticator_revoked', credential: { id: enrolled[0]?.body.credential.id } });
    expect((await signIn(unaffected)).status).toBe(200);
  });

  it('flags nothing twice: the same BLOB again is unchanged and emits no event', async () => {
    const before = (await outboxEvents(stage)).filter((event) => event.detailType === 'Authenticator Status Changed').length;

    const refresh = await stage.refreshMetadata();

    expect(refresh).toMatchObject({ outcome: 'unchanged', blobNumber: 2, flaggedCredentials: 0 });
    expect((await outboxEvents(stage)).filter((event) => event.detailType === 'Authenticator Status Changed')).toHaveLength(before);
  });
});

describe('with enforceAttestation off', () => {
  it('lets flagged keys and revoked models in, still recording trust and status, and refuses them again once it is back on', async () => {
    // Prepare
    await setEnforcement(false);
    const revokedModel = new SoftAuthenticator({ ...modelKey(aaguids.revoked), attestationAuthority: authorities.revoked });
    const passkey = new SoftAuthenticator({ origin: stage.url });

    try {
      // Act
      const revokedEnrolment = await signUp(revokedModel, 'packed-full');
      const noneEnrolment = await signUp(passkey, 'none');

      // Assess
      expect(revokedEnrolment.status).toBe(201);
      expect(revokedEnrolment.body.credential).toMatchObject({ authenticatorName: 'Latchkey Model B', attestation: { trusted: true } });
      expect(noneEnrolment.status).toBe(201);
      expect(noneEnrolment.body.credential.attestation).toEqual({ format: 'none', trusted: false });
      const stored = await stage.documentClient.send(
        new GetCommand({ TableName: stage.tableName, Key: keys.credential(revokedEnrolment.body.user.id, revokedEnrolment.body.credential.id) }),
      );
      expect(stored.Item?.authenticatorStatus).toBe('REVOKED');
      expect((await signIn(revokedModel)).status).toBe(200);

      await setEnforcement(true);
      expect((await signIn(revokedModel)).status).toBe(403);
      expect((await signIn(passkey)).status).toBe(200);
    } finally {
      await setEnforcement(true);
    }
  });
});

describe('refused BLOBs and the admin operations', () => {
  const adminRequest = (context = { requestId: 'admin-test', stage: 'local', client: { ip: '127.0.0.1', userAgent: 'vitest' } }): HttpRequest => ({
    body: undefined,
    headers: {},
    pathParameters: {},
    query: {},
    principal: 'arn:aws:iam::000000000000:user/test-admin',
    context,
    bearerToken: () => undefined,
  });

  it('refuses a stale BLOB and an older one, keeps BLOB 2 in use, and reports it all on GET /v1/admin/metadata', async () => {
    // Prepare
    const { metadataAdminOperations } = await import('../../shared/runtime/metadata-admin.ts');
    await writeBlob(mdsPayload({ no: 3, nextUpdate: '2021-01-01', entries: [] }));

    // Act
    const stale = await metadataAdminOperations['POST /v1/admin/metadata/refresh'](adminRequest());
    await writeBlob(mdsPayload({ no: 1, entries: entries() }));
    const older = await stage.refreshMetadata();
    const status = await metadataAdminOperations['GET /v1/admin/metadata'](adminRequest());

    // Assess
    expect(stale).toMatchObject({ status: 200, body: { outcome: 'refused', reason: 'stale', blobNumber: 3 } });
    expect(older).toMatchObject({ outcome: 'refused', reason: 'not_newer' });
    expect(status.body).toMatchObject({
      enabled: true,
      source: join(directory, 'blob.jwt'),
      blobNumber: 2,
      entryCount: 4,
      compromisedModelCount: 2,
      stale: false,
      lastRefresh: { outcome: 'refused', reason: 'not_newer' },
    });
    const revoked = new SoftAuthenticator({ ...modelKey(aaguids.revoked), attestationAuthority: authorities.revoked });
    expect((await signUp(revoked, 'packed-full')).status).toBe(403);
  });

  it('refuses a BLOB signed through another root', async () => {
    const impostor = await createMdsPki({ name: 'Impostor' });
    writeFileSync(join(directory, 'blob.jwt'), await signMdsBlob(mdsPayload({ no: 9, entries: [] }), impostor));

    expect(await stage.refreshMetadata()).toMatchObject({ outcome: 'refused', reason: 'chain_untrusted' });
  });
});
