import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SoftAuthenticator } from '../support/soft-authenticator.ts';
import { outboxEvents, startTestStage, type TestStage } from '../support/local-stage.ts';
import { runAdminCli } from '../../cli/program.ts';

/** The admin CLI against the local stage: the pilot rollout of docs/admin.md, from the CLI alone. */
let stage: TestStage;
let files: string;
const yubiKey = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const otherKey = 'ee882879-721c-4913-9775-3dfcce97072a';

beforeAll(async () => {
  stage = await startTestStage();
  files = mkdtempSync(join(tmpdir(), 'latchkey-cli-'));
});
afterAll(async () => {
  await stage?.close();
});

const cli = async (...argv: string[]) => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runAdminCli(argv, {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    env: { LATCHKEY_URL: stage.url, LOCAL_ADMIN_TOKEN: stage.adminToken },
  });
  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
};
const cliJson = async (...argv: string[]) => {
  const result = await cli('--json', ...argv);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
};

const policyFile = (name: string, settings: Record<string, unknown>) => {
  const path = join(files, name);
  writeFileSync(path, JSON.stringify(settings));
  return path;
};

/** What the user does with the code the admin gave them: register a key at the web page. */
const enrolWithCode = async (code: string, authenticator: SoftAuthenticator) => {
  const options = await stage.call('POST', '/v1/registration/options', { body: { enrollmentCode: code } });
  if (options.status !== 200) return options.status;
  return (await stage.call('POST', '/v1/registration/verify', { body: { response: authenticator.register(options.body.options) } })).status;
};
const signIn = async (authenticator: SoftAuthenticator) => {
  const options = await stage.call('POST', '/v1/authentication/options', { body: {} });
  return (await stage.call('POST', '/v1/authentication/verify', { body: { response: authenticator.authenticate(options.body.options) } })).status;
};

describe('a pilot rollout with the CLI alone', () => {
  it('creates users, issues codes, restricts key models, checks impact and widens the target to everyone', async () => {
    // 1. Start with nobody but the pilot group targeted, and no self sign-up.
    const pilotOnly = policyFile('pilot.json', { includeGroups: ['fido-pilot'], allowSelfSignUp: false });
    expect((await cli('policy', 'set', pilotOnly, '--merge')).code).toBe(0);
    expect(await cliJson('policy', 'get')).toMatchObject({ includeGroups: ['fido-pilot'], allowSelfSignUp: false });

    // 2. Create the pilot users and one who is not in the pilot yet.
    const ada = await cliJson('users', 'create', 'ada', '--display-name', 'Ada Lovelace', '--group', 'fido-pilot', '--group', 'engineering');
    expect(ada).toMatchObject({ username: 'ada', groups: ['fido-pilot', 'engineering'] });
    await cliJson('users', 'create', 'grace', '--group', 'fido-pilot');
    await cliJson('users', 'create', 'linus', '--group', 'engineering');

    // 3. Issue codes; the pilot users register their keys with them.
    const adaKey = new SoftAuthenticator({ origin: stage.url, aaguid: yubiKey });
    const graceKey = new SoftAuthenticator({ origin: stage.url, aaguid: otherKey });
    const linusKey = new SoftAuthenticator({ origin: stage.url, aaguid: yubiKey });
    expect(await enrolWithCode((await cliJson('codes', 'issue', 'ada')).code, adaKey)).toBe(201);
    expect(await enrolWithCode((await cliJson('codes', 'issue', 'grace', '--lifetime', '8h')).code, graceKey)).toBe(201);
    // Linus is not targeted yet: his code is refused until the policy includes him.
    const linusCode = (await cliJson('codes', 'issue', 'linus', '--multi-use', '--lifetime', '7d')).code;
    expect(await enrolWithCode(linusCode, linusKey)).toBe(403);

    // 4. Restrict key models to YubiKeys: the report puts Grace first (newly locked out; Linus is out already), and set refuses.
    const yubiKeysOnly = policyFile('yubikeys.json', { keyRestrictions: { enforced: true, enforcementType: 'allow', aaguids: [yubiKey] } });
    const impact = await cliJson('policy', 'impact', yubiKeysOnly, '--merge');
    expect(impact.lockedOut).toMatchObject({ users: 2, newlyLockedOutUsers: 1 });
    expect(impact.affectedUsers.users[0]).toMatchObject({ user: { username: 'grace' }, credentials: [{ aaguid: otherKey, reason: 'aaguid_restricted' }] });
    const refused = await cli('policy', 'set', yubiKeysOnly, '--merge');
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('Not applied: 1 users would be newly locked out');
    expect(refused.stderr).toContain('grace');
    expect((await cliJson('policy', 'get')).keyRestrictions.enforced).toBe(false);

    // Grace's key goes; she gets a YubiKey with a new code; now nobody is locked out and set applies.
    const [graceCredential] = await cliJson('keys', 'list', 'grace');
    expect((await cli('keys', 'delete', '--', 'grace', graceCredential.id)).code).toBe(0);
    expect(await enrolWithCode((await cliJson('codes', 'issue', 'grace')).code, new SoftAuthenticator({ origin: stage.url, aaguid: yubiKey }))).toBe(201);
    const applied = await cli('policy', 'set', yubiKeysOnly, '--merge');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('Policy updated.');
    expect(await signIn(adaKey)).toBe(200);

    // 5. Widen the target to everyone: the report shows no lock-out, the change applies, Linus enrols.
    const everyone = policyFile('everyone.json', { includeGroups: ['*'] });
    const widening = await cli('policy', 'impact', everyone, '--merge');
    expect(widening.code).toBe(0);
    expect(widening.stdout).toContain('0 of 3 enabled users would be locked out (0 newly)');
    expect((await cli('policy', 'set', everyone, '--merge')).code).toBe(0);
    expect(await enrolWithCode(linusCode, linusKey)).toBe(201);
    expect(await signIn(linusKey)).toBe(200);
  });
});

describe('commands', () => {
  it('shows users and keys as readable tables', async () => {
    await cliJson('users', 'create', 'table-user', '--group', 'staff');
    const found = await cli('users', 'find', 'TABLE-USER');
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/│ username\s+│ table-user\s+│/);
    expect(found.stdout).toMatch(/│ groups\s+│ staff\s+│/);
    expect((await cli('keys', 'list', 'table-user')).stdout).toBe('No keys.\n');
    expect((await cli('policy', 'get')).stdout).toMatch(/│ keyRestrictions\.enforcementType\s+│/);
  });

  it('is named in the audit events of what it does', async () => {
    await cliJson('users', 'create', 'audited-user');
    const created = (await outboxEvents(stage)).filter((event) => event.detailType === 'User Created').at(-1)?.detail;
    expect(created).toMatchObject({ actor: { type: 'admin', principal: 'local-admin' }, client: { userAgent: expect.stringMatching(/^latchkey-admin\/\d+\.\d+\.\d+ node\//) } });
  });

  it('disables and enables a user, and changes their groups', async () => {
    await cliJson('users', 'create', 'toggle-user', '--group', 'staff');
    expect(await cliJson('users', 'disable', 'toggle-user')).toMatchObject({ disabled: true });
    expect(await cliJson('users', 'enable', 'toggle-user')).toMatchObject({ disabled: false });
    expect(await cliJson('users', 'update', 'toggle-user', '--add-group', 'pilot', '--remove-group', 'staff')).toMatchObject({ groups: ['pilot'] });
    const user = await cliJson('users', 'update', 'toggle-user', '--groups', 'a,b', '--display-name', 'Toggle');
    expect(user).toMatchObject({ groups: ['a', 'b'], displayName: 'Toggle' });
    // Ids are base64url and may start with "-": they go after "--".
    expect(await cliJson('users', 'get', '--', user.id)).toMatchObject({ username: 'toggle-user' });
    expect((await cli('users', 'delete', 'toggle-user')).code).toBe(2);
    expect((await cli('users', 'delete', '--id', '--yes', '--', user.id)).code).toBe(0);
    expect((await cli('users', 'find', 'toggle-user')).code).toBe(1);
  });

  it('shows the API\'s problem detail and exits 1 when the API refuses', async () => {
    const missing = await cli('users', 'find', 'nobody-by-that-name');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('Error: No user with that username. (HTTP 404, not_found)\n');

    await cliJson('users', 'create', 'short-code');
    const tooShort = await cli('codes', 'issue', 'short-code', '--lifetime', '5m');
    expect(tooShort.code).toBe(1);
    expect(tooShort.stderr).toContain('lifetimeSeconds');
    expect(tooShort.stderr).toContain('HTTP 400, invalid_request');

    const invalid = await cli('policy', 'set', policyFile('invalid.json', { enabled: 'yes' }), '--merge');
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('enabled');
  });

  it('exits 2 on a usage mistake, a missing token, or an unreadable file', async () => {
    expect((await cli('users', 'frobnicate')).code).toBe(2);
    expect((await cli('codes', 'issue', 'x', '--lifetime', 'soon')).code).toBe(2);
    expect((await cli('policy', 'set', join(files, 'missing.json'))).code).toBe(2);
    expect((await cli('policy', 'set', policyFile('array.json', [] as never))).code).toBe(2);
    const noToken = await runAdminCli(['policy', 'get'], { stdout: () => undefined, stderr: () => undefined, env: { LATCHKEY_URL: stage.url } });
    expect(noToken).toBe(2);
  });

  it('exits 1 with a clear message when the stage is not running, and on a wrong token', async () => {
    const stderr: string[] = [];
    const code = await runAdminCli(['policy', 'get'], { stdout: () => undefined, stderr: (text) => stderr.push(text), env: { LATCHKEY_URL: 'http://127.0.0.1:9', LOCAL_ADMIN_TOKEN: 'x' } });
    expect(code).toBe(1);
    expect(stderr.join('')).toContain('Could not reach http://127.0.0.1:9');

    const wrongToken = await runAdminCli(['policy', 'get', '--token', 'wrong'], { stdout: () => undefined, stderr: (text) => stderr.push(text), env: { LATCHKEY_URL: stage.url } });
    expect(wrongToken).toBe(1);
    expect(stderr.join('')).toContain('HTTP 401');
  });

  it('runs as `npm run admin` does: tsx cli/admin.ts in a child process', async () => {
    const result = await promisify(execFile)('npx', ['tsx', 'cli/admin.ts', '--json', 'policy', 'get'], {
      env: { ...process.env, LATCHKEY_URL: stage.url, LOCAL_ADMIN_TOKEN: stage.adminToken },
    });
    expect(JSON.parse(result.stdout)).toMatchObject({ enabled: true, includeGroups: expect.any(Array) });

    const failed = await promisify(execFile)('npx', ['tsx', 'cli/admin.ts', 'users', 'find', 'nobody-by-that-name'], {
      env: { ...process.env, LATCHKEY_URL: stage.url, LOCAL_ADMIN_TOKEN: stage.adminToken },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stderr: expect.stringContaining('No user with that username') });
  });
});
