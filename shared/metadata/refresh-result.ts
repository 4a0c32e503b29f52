import * as z from '../zod.ts';

/** How a metadata refresh ended; stored as the last refresh result and returned to admins. */
export type MetadataRefreshOutcome =
  /** A newer BLOB verified and its entries are stored. */
  | 'updated'
  /** The BLOB verified but is the one already stored (same `no`). */
  | 'unchanged'
  /** The BLOB was refused; the stored entries stay in use. */
  | 'refused'
  /** The BLOB could not be downloaded or read; the stored entries stay in use. */
  | 'unavailable'
  /** No BLOB source is configured (no LOCAL_MDS_BLOB, no MDS_ROOT_CERTIFICATE). */
  | 'disabled';

export type MetadataRefusalReason =
  | 'malformed'
  | 'signature_invalid'
  | 'chain_untrusted'
  | 'certificate_expired'
  | 'certificate_revoked'
  | 'crl_unavailable'
  /** `no` lower than the stored BLOB's: a rollback. */
  | 'not_newer'
  /** `nextUpdate` has passed: the BLOB is out of date. */
  | 'stale';

export interface MetadataRefreshResult {
  outcome: MetadataRefreshOutcome;
  reason?: MetadataRefusalReason | undefined;
  /** One sentence for the operator. */
  detail: string;
  /** ISO 8601. */
  at: string;
  blobNumber?: number | undefined;
  nextUpdate?: string | undefined;
  entryCount?: number | undefined;
  /** Keys newly flagged because their model is compromised. */
  flaggedCredentials: number;
  /** CRLs that could not be checked (where that is allowed), entries skipped. */
  warnings: string[];
}

/** Reads a stored or received refresh result back (DynamoDB item, admin API response). */
export const metadataRefreshResultSchema = z.object({
  outcome: z.enum(['updated', 'unchanged', 'refused', 'unavailable', 'disabled']),
  reason: z.optional(
    z.enum(['malformed', 'signature_invalid', 'chain_untrusted', 'certificate_expired', 'certificate_revoked', 'crl_unavailable', 'not_newer', 'stale']),
  ),
  detail: z.string(),
  at: z.string(),
  blobNumber: z.optional(z.number()),
  nextUpdate: z.optional(z.string()),
  entryCount: z.optional(z.number()),
  flaggedCredentials: z.number(),
  warnings: z.array(z.string()),
}) satisfies z.ZodMiniType<MetadataRefreshResult>;
