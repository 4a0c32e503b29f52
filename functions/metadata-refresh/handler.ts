import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Context } from 'aws-lambda';
import { logger, metrics, tracer } from '../../shared/http/observability.ts';
import type { MetadataRefreshResult } from '../../shared/metadata/refresh-result.ts';
import { refreshMetadata } from '../../shared/use-cases/refresh-metadata.ts';
import { metadataRefreshDeps, stage } from '../../shared/runtime/metadata-refresh.ts';

/** A refused or unreachable BLOB fails the invocation, so the function's error alarm fires. */
export class MetadataRefreshFailedError extends Error {
  override readonly name = 'MetadataRefreshFailedError';
  constructor(readonly result: MetadataRefreshResult) {
    super(`${result.outcome}${result.reason ? ` (${result.reason})` : ''}: ${result.detail}`);
  }
}

/**
 * Metadata refresh function: run daily by EventBridge Scheduler (any event is ignored), and
 * locally once at stage start. Downloads and verifies the FIDO MDS3 BLOB, stores it when newer,
 * flags keys of compromised models.
 */
export const handler = middy<unknown, MetadataRefreshResult>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer, { captureResponse: false }))
  .use(logMetrics(metrics))
  .handler(async (_event: unknown, context: Context) => {
    const result = await refreshMetadata(
      {
        context: { requestId: context.awsRequestId, stage, client: { ip: 'internal', userAgent: 'latchkey-metadata-refresh' } },
        actor: { type: 'system', principal: 'metadata-refresh' },
      },
      metadataRefreshDeps,
    );
    metrics.addMetric('MetadataFlaggedCredentials', MetricUnit.Count, result.flaggedCredentials);
    metrics.addMetric(`MetadataRefresh_${result.outcome}`, MetricUnit.Count, 1);
    for (const warning of result.warnings) logger.warn('Metadata refresh warning', { warning });
    if (result.outcome === 'refused' || result.outcome === 'unavailable') {
      logger.error('Metadata refresh did not take the BLOB; the stored entries stay in use', { result });
      throw new MetadataRefreshFailedError(result);
    }
    logger.info('Metadata refresh', { result });
    return result;
  });
