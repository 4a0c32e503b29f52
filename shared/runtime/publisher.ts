import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createEventBridgePublisher } from '../adapters/eventbridge/event-bridge-publisher.ts';
import { createFileEventPublisher } from '../adapters/local/file-event-publisher.ts';
import { tracer } from '../http/observability.ts';
import type { EventPublisher } from '../ports.ts';
import { optionalString, requiredString } from './environment.ts';
import { environmentVariables as names } from './variables.ts';

/**
 * The audit relay's publisher, chosen once at cold start: the events file when
 * LOCAL_EVENTS_FILE is set (one machine), otherwise EventBridge on EVENT_BUS_NAME.
 */
const localEventsFile = optionalString(names.localEventsFile, '');

export const publisher: EventPublisher =
  localEventsFile !== ''
    ? createFileEventPublisher(localEventsFile)
    : createEventBridgePublisher(tracer.captureAWSv3Client(new EventBridgeClient({})), {
        eventBusName: requiredString(names.eventBusName),
      });
