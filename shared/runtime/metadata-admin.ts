import { createMetadataAdminOperations } from '../http/metadata-admin-operations.ts';
import { getMetadataStatus } from '../use-cases/get-metadata-status.ts';
import { refreshMetadata } from '../use-cases/refresh-metadata.ts';
import { metadataRefreshDeps } from './metadata-refresh.ts';

/**
 * `GET /v1/admin/metadata` and `POST /v1/admin/metadata/refresh`, wired to the stage's store
 * and BLOB source: spread into the admin handler's operation table. The admin function then
 * needs the metadata-refresh function's environment and outbound HTTPS (docs/metadata.md).
 */
export const metadataAdminOperations = createMetadataAdminOperations({
  status: () => getMetadataStatus({ store: metadataRefreshDeps.store, clock: metadataRefreshDeps.clock, source: metadataRefreshDeps.source }),
  refresh: ({ context, principal }) => refreshMetadata({ context, actor: { type: 'admin', ...(principal ? { principal } : {}) } }, metadataRefreshDeps),
});
