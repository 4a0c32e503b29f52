import * as z from '../zod.ts';
import type { $ZodError } from 'zod/v4/core';
import { keys } from '../storage/table.ts';
import { detailSchemas, detailTypes, type AuditEvent } from './catalog.ts';

/** An outbox item that does not hold a valid audit event: a poison record for the relay. */
export class OutboxItemParseError extends Error {
  override readonly name = 'OutboxItemParseError';
}

/** "detail.user.id: Invalid input" — where the item is wrong, never its values. */
const describeIssues = (error: $ZodError): string =>
  error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(item)'}: ${issue.message}`)
    .join('; ');

const outboxItemSchema = z.object({
  pk: z.string().check(z.startsWith(keys.outboxPrefix)),
  type: z.literal('outbox'),
  detailType: z.enum(detailTypes as [string, ...string[]]),
  detail: z.unknown(),
});

/**
 * Parses an unmarshalled outbox item into the audit event it carries, checking the detail
 * against its detail-type's catalog schema (the contract consumers rely on).
 */
export const parseOutboxItem = (item: Record<string, unknown>): AuditEvent => {
  const envelope = outboxItemSchema.safeParse(item);
  // Ensure the item is an outbox item naming a known detail-type.
  if (!envelope.success) throw new OutboxItemParseError(`Not an outbox item: ${describeIssues(envelope.error)}`);
  const detailType = envelope.data.detailType as keyof typeof detailSchemas;

  const detail = detailSchemas[detailType].safeParse(envelope.data.detail);
  // Ensure the detail is what its detail-type promises; a broken event is never published.
  if (!detail.success) {
    throw new OutboxItemParseError(`${envelope.data.pk} is not a valid "${detailType}" detail: ${describeIssues(detail.error)}`);
  }

  // Ensure the item is stored under its own eventId, so retries and de-duplication agree.
  const expectedKey = keys.outbox(detail.data.eventId).pk;
  if (envelope.data.pk !== expectedKey) {
    throw new OutboxItemParseError(`${envelope.data.pk} holds event ${detail.data.eventId}; expected key ${expectedKey}`);
  }
  return { detailType, detail: detail.data } as AuditEvent;
};
