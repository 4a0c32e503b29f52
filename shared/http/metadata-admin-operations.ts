import type { Operation } from './create-handler.ts';
import type { RequestContext } from '../domain/types.ts';
import type { MetadataStatusView } from '../use-cases/get-metadata-status.ts';
import type { MetadataRefreshResult } from '../metadata/refresh-result.ts';
import type { RouteKey } from '../routes.ts';

export interface MetadataAdminDeps {
  status(): Promise<MetadataStatusView>;
  refresh(request: { context: RequestContext; principal?: string | undefined }): Promise<MetadataRefreshResult>;
}

/**
 * The admin API's metadata routes, keyed by route key, for the admin handler's operation
 * table: `createHttpHandler({ ...otherOperations, ...metadataAdminOperations }, settings)` with
 * `metadataAdminOperations` from shared/runtime/metadata-admin.ts.
 * A refresh that refuses the BLOB still answers 200: the result says what happened.
 */
export const createMetadataAdminOperations = (deps: MetadataAdminDeps): Record<MetadataAdminRouteKey, Operation> => ({
  'GET /v1/admin/metadata': async () => ({ status: 200, body: await deps.status() }),
  'POST /v1/admin/metadata/refresh': async (request) => ({ status: 200, body: await deps.refresh({ context: request.context, principal: request.principal }) }),
});

export type MetadataAdminRouteKey = Extract<RouteKey, 'GET /v1/admin/metadata' | 'POST /v1/admin/metadata/refresh'>;
