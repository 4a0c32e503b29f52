import { z } from 'zod';
import { metadataRefreshResultSchema, type MetadataRefreshResult } from '../shared/metadata/refresh-result.ts';
import type { MetadataStatusView } from '../shared/use-cases/get-metadata-status.ts';

/**
 * Parsing and wording of the admin CLI's FIDO MDS commands (`metadata status`, `metadata
 * refresh`, registered in cli/program.ts).
 */

export const metadataStatusSchema = z.object({
  enabled: z.boolean(),
  source: z.string().optional(),
  blobNumber: z.number().optional(),
  nextUpdate: z.string().optional(),
  entryCount: z.number(),
  compromisedModelCount: z.number(),
  updatedAt: z.string().optional(),
  stale: z.boolean(),
  lastRefresh: z.optional(metadataRefreshResultSchema),
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
