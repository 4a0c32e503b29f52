import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detailTypes } from '../../../shared/events/catalog.ts';
import { detailTypeSlug, eventSchemaFiles } from '../../../shared/events/event-schemas.ts';

const schemaDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/events');

describe('event JSON Schemas in docs/events', () => {
  it('are exactly what scripts/generate-event-schemas.ts writes from the catalog (run it and commit if this fails)', () => {
    const expected = eventSchemaFiles();
    const committed = readdirSync(schemaDirectory).filter((name) => name.endsWith('.schema.json'));

    expect(committed.sort()).toEqual([...expected.keys()].sort());
    for (const [name, content] of expected) {
      expect(readFileSync(join(schemaDirectory, name), 'utf8'), `${name} is stale`).toBe(content);
    }
  });

  it('has one schema per detail-type, named after it', () => {
    expect(detailTypes.map(detailTypeSlug)).toEqual(expect.arrayContaining(['sign-in-succeeded', 'credential-clone-suspected', 'policy-updated']));
    expect(new Set(detailTypes.map(detailTypeSlug)).size).toBe(detailTypes.length);
  });

  it('pins source and detail-type and forbids unknown detail fields', () => {
    const schema = JSON.parse(eventSchemaFiles().get('sign-in-failed.schema.json') ?? '{}') as {
      properties: Record<string, { const?: string; additionalProperties?: boolean; required?: string[] }>;
    };

    expect(schema.properties.source?.const).toBe('latchkey');
    expect(schema.properties['detail-type']?.const).toBe('Sign-In Failed');
    expect(schema.properties.detail?.additionalProperties).toBe(false);
    expect(schema.properties.detail?.required).toEqual(expect.arrayContaining(['eventId', 'occurredAt', 'outcome', 'reason']));
  });
});
