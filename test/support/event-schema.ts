import { readFile } from 'node:fs/promises';
import { detailTypes, type DetailType, type PublishedEvent } from '../../shared/events/catalog.ts';
import { publishedEventSchema } from '../../shared/events/event-schemas.ts';

/** An event that breaks its detail-type's published schema (docs/events/*.schema.json). */
export class EventSchemaError extends Error {
  override readonly name = 'EventSchemaError';
}

const isDetailType = (value: unknown): value is DetailType => typeof value === 'string' && (detailTypes as string[]).includes(value);

/**
 * Checks an event against the schema of its detail-type — the same zod schema the JSON
 * Schema files are generated from — and returns it typed. Throws EventSchemaError saying
 * which field is wrong. Use it on every event a test sees.
 */
export const parsePublishedEvent = (value: unknown): PublishedEvent => {
  const detailType = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)['detail-type'] : undefined;
  // Ensure the event names a detail-type of the catalog before choosing its schema.
  if (!isDetailType(detailType)) {
    throw new EventSchemaError(`Expected detail-type to be one of ${detailTypes.join(', ')}; got ${JSON.stringify(detailType)}`);
  }
  const result = publishedEventSchema(detailType).safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`).join('; ');
    throw new EventSchemaError(`Event of detail-type "${detailType}" does not match its schema: ${issues}`);
  }
  return result.data as PublishedEvent;
};

/** Every event in a local events file (one JSON per line), each checked against its schema. */
export const readEventsFile = async (path: string): Promise<PublishedEvent[]> => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return parsePublishedEvent(JSON.parse(line));
      } catch (error) {
        throw new EventSchemaError(`${path} line ${index + 1}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    });
};
