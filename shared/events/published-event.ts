import { createHash } from 'node:crypto';
import { eventSource, type AuditEvent, type PublishedEvent } from './catalog.ts';

/**
 * The EventBridge-style `id` of an event: a UUID derived from its eventId (RFC 9562 §5.8,
 * version 8), so every delivery of the same event carries the same id. Only the local
 * publisher can set it; EventBridge assigns its own on PutEvents, which is why consumers
 * de-duplicate on `detail.eventId`.
 */
export const publishedEventId = (eventId: string): string => {
  const bytes = createHash('sha256').update(`latchkey:event:${eventId}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** The EventBridge event for an audit event: `time` is when it happened, not when it was relayed. */
export const toPublishedEvent = (event: AuditEvent): PublishedEvent => ({
  id: publishedEventId(event.detail.eventId),
  source: eventSource,
  'detail-type': event.detailType,
  time: event.detail.occurredAt,
  detail: event.detail,
});
