import { describe, expect, it } from 'vitest';
import { exitCodes, runAdminCli } from '../../../cli/program.ts';

/** Runs `npm run admin -- <command>` against a fake admin API that gives one answer. */
const run = async (command: string, answer: { status: number; body: unknown }, options: { json?: boolean } = {}) => {
  const printed: string[] = [];
  const errors: string[] = [];
  const requests: string[] = [];
  const fakeFetch = (async (url: URL | string, init?: RequestInit) => {
    requests.push(`${init?.method ?? 'GET'} ${new URL(String(url)).pathname}`);
    return new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json' } });
  }) as typeof fetch;
  const exitCode = await runAdminCli([...command.split(' '), ...(options.json ? ['--json'] : [])], {
    stdout: (text) => printed.push(text),
    stderr: (text) => errors.push(text),
    env: { LATCHKEY_URL: 'http://localhost:3999', LOCAL_ADMIN_TOKEN: 'test-token' },
    connection: { fetch: fakeFetch },
  });
  return { printed: printed.join(''), errors: errors.join(''), requests, exitCode };
};

const refreshed = { outcome: 'updated', detail: 'Stored BLOB 42: 3 models', at: '2026-11-23T09:00:00.000Z', blobNumber: 42, flaggedCredentials: 2, warnings: [] };

describe('admin CLI: metadata commands', () => {
  it('metadata status prints the BLOB number, next update, entries and the last refresh', async () => {
    const { printed, requests, exitCode } = await run('metadata status', {
      status: 200,
      body: { enabled: true, source: 'https://mds3.fidoalliance.org/', blobNumber: 42, nextUpdate: '2026-12-01', entryCount: 3, compromisedModelCount: 1, stale: false, lastRefresh: refreshed },
    });

    expect(requests).toEqual(['GET /v1/admin/metadata']);
    expect(printed).toContain('BLOB number     42');
    expect(printed).toContain('next update     2026-12-01');
    expect(printed).toContain('entries         3 (1 models reported compromised)');
    expect(printed).toContain('updated at 2026-11-23T09:00:00.000Z');
    expect(exitCode).toBe(0);
  });

  it('metadata status says plainly when MDS is off, and exits 1 when the BLOB is stale', async () => {
    expect((await run('metadata status', { status: 200, body: { enabled: false, entryCount: 0, compromisedModelCount: 0, stale: false } })).printed).toMatch(/FIDO MDS is off/);
    const stale = await run('metadata status', { status: 200, body: { enabled: true, blobNumber: 1, nextUpdate: '2020-01-01', entryCount: 1, compromisedModelCount: 0, stale: true } });
    expect(stale.printed).toContain('STALE');
    expect(stale.exitCode).toBe(1);
  });

  it('metadata refresh posts, prints the outcome, and exits 1 when the BLOB was refused', async () => {
    const ok = await run('metadata refresh', { status: 200, body: refreshed });
    const refused = await run('metadata refresh', { status: 200, body: { ...refreshed, outcome: 'refused', reason: 'signature_invalid', detail: 'bad signature', flaggedCredentials: 0 } });

    expect(ok.requests).toEqual(['POST /v1/admin/metadata/refresh']);
    expect(ok.printed).toContain('keys newly flagged: 2');
    expect(ok.exitCode).toBe(0);
    expect(refused.printed).toMatch(/^refused \(signature_invalid\)/);
    expect(refused.exitCode).toBe(1);
  });

  it('prints JSON with --json, and fails with the API answer when it is not a status', async () => {
    expect(JSON.parse((await run('metadata refresh', { status: 200, body: refreshed }, { json: true })).printed)).toMatchObject({ blobNumber: 42 });
    const refusedByApi = await run('metadata status', { status: 403, body: { type: 'urn:latchkey:problem:unauthorized', title: 'Unauthorized', status: 403, detail: 'Not an admin.', code: 'unauthorized' } });
    expect(refusedByApi.exitCode).toBe(exitCodes.failed);
    expect(refusedByApi.errors).toContain('Not an admin.');
  });
});
