import { createAuditRelayHandler } from '../../shared/relay/create-audit-relay-handler.ts';
import { publisher } from '../../shared/runtime/publisher.ts';

/** Audit relay: DynamoDB stream (outbox inserts) → EventBridge, with batch item failures. */
export const handler = createAuditRelayHandler({ publisher });
