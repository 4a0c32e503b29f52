import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { relayAuditEvents } from '../use-cases/relay-audit-events.ts';
import type { EventPublisher } from '../ports.ts';
import { logger, metrics, tracer } from '../http/observability.ts';

/**
 * The audit relay's Lambda handler over a publisher: the Lambda entry wires EventBridge, the
 * local stream poller wires the events file, and both run this same chain. Records it could
 * not publish come back as batchItemFailures (ReportBatchItemFailures), so Lambda retries
 * from them, bisects, and finally parks them in the dead-letter queue.
 */
export const createAuditRelayHandler = ({ publisher }: { publisher: EventPublisher }) =>
  middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      const result = await relayAuditEvents({ records: event.Records }, { publisher });
      const poison = result.failures.filter((failure) => failure.poison);
      metrics.addMetric('AuditEventsPublished', MetricUnit.Count, result.published);
      metrics.addMetric('AuditEventsFailed', MetricUnit.Count, result.failures.length - poison.length);
      metrics.addMetric('AuditEventsPoison', MetricUnit.Count, poison.length);
      for (const { sequenceNumber, eventId, detailType, errorCode, errorMessage, poison: isPoison } of result.failures) {
        // The detail stays out of the log: the event itself is in the table until its TTL.
        const fields = { sequenceNumber, eventId, detailType, errorCode, errorMessage };
        if (isPoison) logger.error('Audit event cannot be published', fields);
        else logger.warn('Audit event not published yet', fields);
      }
      logger.debug('Relayed audit events', { published: result.published, ignored: result.ignored, failed: result.failures.length });
      return { batchItemFailures: result.failures.map(({ sequenceNumber }) => ({ itemIdentifier: sequenceNumber })) };
    });

export type AuditRelayHandler = ReturnType<typeof createAuditRelayHandler>;
