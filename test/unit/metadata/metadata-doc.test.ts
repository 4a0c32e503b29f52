import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detailSchemas, eventSource } from '../../../shared/events/catalog.ts';

/** docs/metadata.md's event example is what the events documentation will show: it must stay valid. */
const markdown = readFileSync(resolve(dirname(fileURLToPath(import.meta.url)), '../../../docs/metadata.md'), 'utf8');
const jsonBlocks = [...markdown.matchAll(/```json\n([\s\S]*?)\n```/g)].map((match) => JSON.parse(match[1] ?? '') as Record<string, unknown>);

describe('docs/metadata.md', () => {
  it('shows a valid Authenticator Status Changed event', () => {
    const example = jsonBlocks.find((block) => block['detail-type'] === 'Authenticator Status Changed' && 'detail' in block);

    expect(example?.source).toBe(eventSource);
    expect(() => detailSchemas['Authenticator Status Changed'].parse(example?.detail)).not.toThrow();
  });
});
