import type { Clock } from '../ports.ts';
import type { MetadataBlobSource, MetadataStore } from '../metadata/ports.ts';
import type { MetadataRefreshResult } from '../metadata/refresh-result.ts';
import { isBlobStale } from '../metadata/verify-metadata-blob.ts';

/** `GET /v1/admin/metadata`: which BLOB is in use, whether it is current, how the last refresh went. */
export interface MetadataStatusView {
  /** False when no BLOB source is configured: names come from the curated list only, nothing is trusted. */
  enabled: boolean;
  /** The BLOB's URL or file. */
  source?: string | undefined;
  blobNumber?: number | undefined;
  nextUpdate?: string | undefined;
  entryCount: number;
  /** Models the stored BLOB reports compromised. */
  compromisedModelCount: number;
  updatedAt?: string | undefined;
  /** The stored BLOB's nextUpdate has passed: refreshes keep failing (see lastRefresh). */
  stale: boolean;
  lastRefresh?: MetadataRefreshResult | undefined;
}

export const getMetadataStatus = async (deps: { store: MetadataStore; clock: Clock; source?: MetadataBlobSource | undefined }): Promise<MetadataStatusView> => {
  const status = await deps.store.status();
  return {
    enabled: deps.source !== undefined,
    source: deps.source?.location,
    blobNumber: status?.blobNumber,
    nextUpdate: status?.nextUpdate,
    entryCount: status?.entryCount ?? 0,
    compromisedModelCount: status?.compromisedModels.length ?? 0,
    updatedAt: status?.updatedAt,
    stale: status?.nextUpdate !== undefined && isBlobStale(status.nextUpdate, new Date(deps.clock.now())),
    lastRefresh: status?.lastRefresh,
  };
};
