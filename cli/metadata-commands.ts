import { z } from 'zod';
import { metadataRefreshResultSchema, type MetadataRefreshResult } from '../shared/metadata/refresh-result.ts';
import type { MetadataStatusView } from '../shared/use-cases/get-metadata-status.ts';

/**
 * `npm run admin -- metadata status` and `metadata refresh`: the admin CLI's FIDO MDS commands.
 * Framework-free so the CLI registers them on its own commander program:
 *
 *   registerMetadataCommands(program, { api: () => adminApi, print: console.log, setExitCode: (code) => { process.exitCode = code; } });
 *
 * `api` is the CLI's signed admin API client (SigV4 in AWS, the local admin token locally).
 */

/** The admin API as the CLI calls it. */
export interface AdminApi {
  request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
}

/** The part of commander's `Command` these commands use. */
export interface CommandGroup {
  command(name: string): CommandGroup;
  description(text: string): CommandGroup;
  option(flags: string, description: string): CommandGroup;
  action(handler: (options: { json?: boolean }) => Promise<void>): CommandGroup;
}

export interface MetadataCommandDeps {
  api: () => AdminApi;
  print: (text: string) => void;
  setExitCode: (code: number) => void;
}

const statusViewSchema = z.object({
  enabled: z.boolean(),
  source: z.string().optional(),
  blobNumber: z.number().optional(),
  nextUpdate: z.string().optional(),
  entryCount: z.number(),
  compromisedModelCount: z.number(),
  updatedAt: z.string().optional(),
  stale: z.boolean(),
  lastRefresh: metadataRefreshResultSchema.optional(),
}) satisfies z.ZodType<MetadataStatusView>;

export const formatRefreshResult = (result: MetadataRefreshResult): string =>
  [
    `${result.outcome}${result.reason ? ` (${result.reason})` : ''} at ${result.at}: ${result.detail}`,
    ...(result.flaggedCredentials > 0 ? [`  keys newly flagged: ${result.flaggedCredentials}`] : []),
    ...result.warnings.map((warning) => `  warning: ${warning}`),
  ].join('\n');

export const formatMetadataStatus = (status: MetadataStatusView): string => {
  if (!status.enabled) {
    return 'FIDO MDS is off on this stage: no BLOB source is configured. No attestation is trusted; key names come from the curated list only.';
  }
  return [
    `source          ${status.source ?? '-'}`,
    `BLOB number     ${status.blobNumber ?? 'none stored yet'}`,
    `next update     ${status.nextUpdate ?? '-'}${status.stale ? '  (STALE: refreshes are failing)' : ''}`,
    `entries         ${status.entryCount} (${status.compromisedModelCount} models reported compromised)`,
    `stored at       ${status.updatedAt ?? '-'}`,
    `last refresh    ${status.lastRefresh ? formatRefreshResult(status.lastRefresh) : 'never'}`,
  ].join('\n');
};

const parseOrExplain = <T>(schema: z.ZodType<T>, response: { status: number; body: unknown }, what: string): T => {
  const parsed = schema.safeParse(response.body);
  if (response.status !== 200 || !parsed.success) {
    throw new Error(`The admin API answered ${response.status} to ${what}: ${JSON.stringify(response.body)}`);
  }
  return parsed.data;
};

export const registerMetadataCommands = (program: CommandGroup, deps: MetadataCommandDeps): void => {
  const metadata = program.command('metadata').description('FIDO Metadata Service: the BLOB in use, and refreshing it');
  metadata
    .command('status')
    .description('BLOB number, next update, entry count and the last refresh result')
    .option('--json', 'print the API response as JSON')
    .action(async (options) => {
      const status = parseOrExplain(statusViewSchema, await deps.api().request('GET', '/v1/admin/metadata'), 'GET /v1/admin/metadata');
      deps.print(options.json ? JSON.stringify(status, null, 2) : formatMetadataStatus(status));
      if (status.stale) deps.setExitCode(1);
    });
  metadata
    .command('refresh')
    .description('Download and verify the BLOB now, store it if newer, flag keys of compromised models')
    .option('--json', 'print the API response as JSON')
    .action(async (options) => {
      const result = parseOrExplain(metadataRefreshResultSchema, await deps.api().request('POST', '/v1/admin/metadata/refresh'), 'POST /v1/admin/metadata/refresh');
      deps.print(options.json ? JSON.stringify(result, null, 2) : formatRefreshResult(result));
      // A refused or unreachable BLOB is a failure a script should notice.
      if (result.outcome === 'refused' || result.outcome === 'unavailable') deps.setExitCode(1);
    });
};
