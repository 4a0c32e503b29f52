import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detailTypes, type DetailType } from '../../../shared/events/catalog.ts';
import { eventJsonSchema } from '../../../shared/events/event-schemas.ts';
import { parsePublishedEvent } from '../../support/event-schema.ts';
import { assertNoSecrets } from '../../support/secret-scan.ts';

/** docs/events.md is read by security teams: its examples and rule patterns must stay true. */
const markdown = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/events.md'), 'utf8');
const jsonBlocks = [...markdown.matchAll(/```json\n([\s\S]*?)\n```/g)].map((match) => JSON.parse(match[1] ?? '') as Record<string, unknown>);
const examples = jsonBlocks.filter((block) => 'detail' in block && 'id' in block);
const patterns = jsonBlocks.filter((block) => !('id' in block));

interface SchemaNode {
  properties?: Record<string, SchemaNode>;
}

/** Ensure every field a pattern names exists in the schema of some detail-type (no typos). */
const unknownPaths = (pattern: Record<string, unknown>, schemas: SchemaNode[], path = ''): string[] =>
  Object.entries(pattern).flatMap(([name, value]) => {
    const children = schemas.flatMap((schema) => (schema.properties?.[name] ? [schema.properties[name]] : []));
    if (children.length === 0) return [`${path}${name}`];
    return Array.isArray(value) ? [] : unknownPaths(value as Record<string, unknown>, children, `${path}${name}.`);
  });

/** EventBridge matching for the literal-value patterns used in the doc. */
const matches = (pattern: Record<string, unknown>, event: unknown): boolean =>
  Object.entries(pattern).every(([name, expected]) => {
    const actual = (event as Record<string, unknown> | undefined)?.[name];
    if (!Array.isArray(expected)) return matches(expected as Record<string, unknown>, actual);
    return (Array.isArray(actual) ? actual : [actual]).some((value) => expected.includes(value));
  });

describe('docs/events.md', () => {
  it('shows one valid, secret-free example event per detail-type', () => {
    const shown = examples.map((example) => parsePublishedEvent(example)['detail-type']);

    expect([...shown].sort()).toEqual([...detailTypes].sort());
    for (const example of examples) assertNoSecrets(example);
  });

  it('has rule patterns that name only real fields and detail-types', () => {
    const schemas = detailTypes.map((detailType) => eventJsonSchema(detailType) as SchemaNode);

    expect(patterns.length).toBeGreaterThanOrEqual(6);
    for (const pattern of patterns) {
      expect(pattern.source).toEqual(['latchkey']);
      expect(unknownPaths(pattern, schemas)).toEqual([]);
      for (const detailType of (pattern['detail-type'] as string[] | undefined) ?? []) expect(detailTypes).toContain(detailType as DetailType);
    }
  });

  it('has rule patterns that select the events they describe', () => {
    const matched = (pattern: Record<string, unknown>) => examples.filter((example) => matches(pattern, example)).map((example) => example['detail-type']);

    expect(matched({ source: ['latchkey'] })).toHaveLength(detailTypes.length);
    const [, forUser, , clone, synced, admin] = patterns;
    expect(matched(forUser!)).toEqual(['Sign-In Failed']);
    expect(matched(clone!)).toEqual(['Credential Clone Suspected']);
    expect(matched(synced!)).toEqual([]);
    expect(matched(admin!)).toEqual(['User Created', 'User Updated', 'Enrollment Code Issued', 'Policy Updated']);
  });
});
