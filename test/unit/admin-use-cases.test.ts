import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createMemoryPorts, MemoryDatabase, memoryClock } from '../../shared/adapters/memory/memory-ports.ts';
import { createLocalSecretHasher } from '../../shared/adapters/local/local-keys.ts';
import { basePolicy } from '../../shared/domain/policy.ts';
import type { RequestContext, StoredCredential } from '../../shared/domain/types.ts';
import { ConflictError, NotFoundError, PolicyDeniedError } from '../../shared/errors.ts';
import { enrollmentCodePurpose, normalizeEnrollmentCode } from '../../shared/use-cases/enrollment-code.ts';
import { createUser, deleteUser, findUserByUsername, updateUser } from '../../shared/use-cases/admin/manage-users.ts';
import { issueEnrollmentCode } from '../../shared/use-cases/admin/issue-enrollment-code.ts';
import { updatePolicy } from '../../shared/use-cases/admin/manage-policy.ts';
import { assessPolicyImpact } from '../../shared/use-cases/admin/assess-policy-impact.ts';

/** The admin use cases on the in-memory ports (storage itself is tested on DynamoDB Local). */
const context: RequestContext = { requestId: 'req-1', stage: 'test', client: { ip: '127.0.0.1', userAgent: 'vitest' } };
const caller = { principal: 'arn:aws:iam::123456789012:user/admin', context };

const setup = () => {
  const db = new MemoryDatabase();
  const clock = memoryClock();
  const ports = createMemoryPorts(db);
  const hasher = createLocalSecretHasher(randomBytes(32));
  return { db, clock, hasher, deps: { ...ports, clock, hasher } };
};

const keyOf = (userId: string, id: string, overrides: Partial<StoredCredential> = {}): StoredCredential => ({
  id,
  userId,
  publicKey: '',
  algorithm: -7,
  counter: 0,
  transports: ['usb'],
  aaguid: '00000000-0000-0000-0000-000000000000',
  backupEligible: false,
  backedUp: false,
  userVerified: true,
  attestationFormat: 'none',
  attestationTrusted: false,
  nickname: 'Security key',
  createdAt: '2026-11-23T09:00:00.000Z',
  ...overrides,
});

describe('users', () => {
  it('creates a user once per username, whatever its case, with User Created by the admin', async () => {
    const { db, deps } = setup();

    const user = await createUser({ ...caller, request: { username: 'Ada', groups: ['pilot'] } }, deps);

    expect(user).toMatchObject({ username: 'Ada', displayName: 'Ada', groups: ['pilot'], disabled: false });
    expect(db.events.at(-1)).toMatchObject({ detailType: 'User Created', detail: { actor: { type: 'admin', principal: caller.principal }, how: 'admin' } });
    await expect(createUser({ ...caller, request: { username: 'ADA' } }, deps)).rejects.toBeInstanceOf(ConflictError);
    expect(await findUserByUsername({ username: 'ada' }, deps)).toEqual(user);
  });

  it('records only the fields that changed, and nothing when nothing did', async () => {
    const { db, deps } = setup();
    const user = await createUser({ ...caller, request: { username: 'grace', groups: ['staff'] } }, deps);
    const eventsBefore = db.events.length;

    await updateUser({ ...caller, userId: user.id, request: { groups: ['staff'], disabled: false } }, deps);
    expect(db.events).toHaveLength(eventsBefore);

    const updated = await updateUser({ ...caller, userId: user.id, request: { groups: ['staff', 'pilot'], disabled: true } }, deps);
    expect(updated).toMatchObject({ groups: ['staff', 'pilot'], disabled: true });
    expect(db.events.at(-1)?.detail).toMatchObject({
      changes: { groups: { before: ['staff'], after: ['staff', 'pilot'] }, disabled: { before: false, after: true } },
    });
    await expect(updateUser({ ...caller, userId: 'nobody', request: { disabled: true } }, deps)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('deletes a user with their keys and codes, one Credential Deleted each, then User Deleted', async () => {
    const { db, deps } = setup();
    const user = await createUser({ ...caller, request: { username: 'linus' } }, deps);
    for (const id of ['k1', 'k2']) db.credentials.set(id, keyOf(user.id, id));
    db.users.get(user.id)!.credentialCount = 2;
    await issueEnrollmentCode({ ...caller, userId: user.id, request: {} }, deps);

    await deleteUser({ ...caller, userId: user.id }, deps);

    expect(db.users.size).toBe(0);
    expect(db.credentials.size).toBe(0);
    expect(db.enrollmentCodes.size).toBe(0);
    expect(db.events.slice(-3).map((event) => event.detailType)).toEqual(['Credential Deleted', 'Credential Deleted', 'User Deleted']);
    await expect(deleteUser({ ...caller, userId: user.id }, deps)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('enrollment codes', () => {
  it('stores only the keyed hash of the normalised code, and audits the issue without it', async () => {
    const { db, deps, hasher, clock } = setup();
    const user = await createUser({ ...caller, request: { username: 'ada' } }, deps);

    const issued = await issueEnrollmentCode({ ...caller, userId: user.id, request: { lifetimeSeconds: 600, oneTime: false } }, deps);

    expect(issued.code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
    expect(issued.expiresAt).toBe(new Date(clock.now() + 600_000).toISOString());
    const [stored] = db.enrollmentCodes.values();
    expect(stored).toEqual({ codeHash: await hasher.hash(enrollmentCodePurpose, normalizeEnrollmentCode(issued.code)), userId: user.id, expiresAt: clock.now() + 600_000, oneTime: false, createdAt: expect.any(String) });
    expect(JSON.stringify(db.events)).not.toContain(issued.code.replaceAll('-', ''));
    expect(db.events.at(-1)).toMatchObject({ detailType: 'Enrollment Code Issued', detail: { user: { id: user.id } } });
  });

  it('issues different codes every time', async () => {
    const { deps } = setup();
    const user = await createUser({ ...caller, request: { username: 'ada' } }, deps);
    const codes = new Set<string>();
    for (let index = 0; index < 50; index += 1) codes.add((await issueEnrollmentCode({ ...caller, userId: user.id, request: {} }, deps)).code);
    expect(codes.size).toBe(50);
  });

  it('refuses a disabled user', async () => {
    const { deps } = setup();
    const user = await createUser({ ...caller, request: { username: 'ada' } }, deps);
    await updateUser({ ...caller, userId: user.id, request: { disabled: true } }, deps);
    await expect(issueEnrollmentCode({ ...caller, userId: user.id, request: {} }, deps)).rejects.toBeInstanceOf(PolicyDeniedError);
  });

  it.each([
    ['R0EP-Y0VB-4A9J-9FAP', 'r0ep y0vb 4a9j 9fap'],
    ['R0EP-Y0VB-4A9J-9FAP', 'ROEP-YOVB-4A9J-9FAP'],
    ['1JK1-0000-1111-ZZZZ', 'iJKl-oooo-IiLl-zzzz'],
  ])('normalises %s typed as %s to the same value', (issued, typed) => {
    expect(normalizeEnrollmentCode(typed)).toBe(normalizeEnrollmentCode(issued));
  });
});

describe('policy', () => {
  it('refuses a replacement when another admin changed the policy since it was read', async () => {
    const { db, deps } = setup();
    const racing = {
      ...deps,
      policies: {
        read: async () => {
          const read = await deps.policies.read();
          db.policyVersion += 1; // another admin's change lands between the read and the write
          return read;
        },
        replace: deps.policies.replace,
      },
    };
    await expect(updatePolicy({ ...caller, policy: { ...basePolicy, enabled: false } }, racing)).rejects.toBeInstanceOf(ConflictError);
    expect(db.policy.enabled).toBe(true);
  });

  it('assesses impact on the in-memory directory like on DynamoDB', async () => {
    const { db, deps } = setup();
    const pilot = await createUser({ ...caller, request: { username: 'pilot-user', groups: ['pilot'] } }, deps);
    const other = await createUser({ ...caller, request: { username: 'other-user', groups: ['staff'] } }, deps);
    db.credentials.set('p1', keyOf(pilot.id, 'p1'));
    db.credentials.set('o1', keyOf(other.id, 'o1', { backupEligible: true }));

    const report = await assessPolicyImpact({ proposed: { ...basePolicy, allowSyncedPasskeys: false }, limit: 10 }, deps);

    expect(report.lockedOut).toEqual({ users: 1, credentials: 1, newlyLockedOutUsers: 1, newlyRefusedCredentials: 1 });
    expect(report.affectedUsers.users).toEqual([
      expect.objectContaining({ user: expect.objectContaining({ username: 'other-user' }), credentials: [expect.objectContaining({ id: 'o1', reason: 'synced_passkey_not_allowed' })] }),
    ]);
  });
});
