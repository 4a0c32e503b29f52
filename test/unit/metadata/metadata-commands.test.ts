import { describe, expect, it } from 'vitest';
import { registerMetadataCommands, type AdminApi, type CommandGroup } from '../../../cli/metadata-commands.ts';

/** Records commands as commander would, so a test can run their actions. */
const fakeProgram = () => {
  const actions = new Map<string, (options: { json?: boolean }) => Promise<void>>();
  const group = (path: string): CommandGroup => {
    const self: CommandGroup = {
      command: (name) => group(path ? `${path} ${name}` : name),
      description: () => self,
      option: () => self,
      action: (handler) => {
        actions.set(path, handler);
        return self;
      },
    };
    return self;
  };
  return { program: group(''), actions };
};

const run = async (command: string, answer: { status: number; body: unknown }, options: { json?: boolean } = {}) => {
  const { program, actions } = fakeProgram();
  const printed: string[] = [];
  const requests: string[] = [];
  let exitCode = 0;
  const api: AdminApi = {
    request: async (method, path) => {
      requests.push(`${method} ${path}`);
      return answer;
    },
  };
  registerMetadataCommands(program, { api: () => api, print: (text) => printed.push(text), setExitCode: (code) => (exitCode = code) });
  await actions.get(command)?.(options);
  return { printed: printed.join('\n'), requests, exitCode };
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
    await expect(run('metadata status', { status: 403, body: { code: 'unauthorized' } })).rejects.toThrow(/answered 403/);
  });
});
