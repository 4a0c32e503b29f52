import * as z from '../zod.ts';
import { detailSchemas, detailTypes, eventSource, type DetailType } from './catalog.ts';

/** `Sign-In Succeeded` → `sign-in-succeeded`: the schema file's name for a detail-type. */
export const detailTypeSlug = (detailType: DetailType): string => detailType.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/**
 * The whole EventBridge event of one detail-type, as a rule or consumer sees it. Loose at
 * the top level: EventBridge adds `version`, `account`, `region` and `resources`, which the
 * local events file leaves out.
 */
export const publishedEventSchema = <T extends DetailType>(detailType: T) =>
  z.looseObject({
    id: z.string(),
    source: z.literal(eventSource),
    'detail-type': z.literal(detailType),
    time: z.iso.datetime({ offset: true }),
    detail: detailSchemas[detailType],
  });

/** The JSON Schema (draft 2020-12) of one detail-type's event, generated from the catalog. */
export const eventJsonSchema = (detailType: DetailType): Record<string, unknown> => {
  const { $schema, ...schema } = z.toJSONSchema(publishedEventSchema(detailType), { target: 'draft-2020-12' });
  return {
    $schema,
    $id: `urn:latchkey:events:${detailTypeSlug(detailType)}:1`,
    title: `Latchkey ${detailType}`,
    description: `EventBridge event with source "${eventSource}" and detail-type "${detailType}" (detail schemaVersion 1). Generated from shared/events/catalog.ts; do not edit.`,
    ...schema,
  };
};

/** Every schema file `scripts/generate-event-schemas.ts` writes: file name → content. */
export const eventSchemaFiles = (): Map<string, string> =>
  new Map(detailTypes.map((detailType) => [`${detailTypeSlug(detailType)}.schema.json`, `${JSON.stringify(eventJsonSchema(detailType), null, 2)}\n`]));
