import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventSchemaFiles } from '../shared/events/event-schemas.ts';

/**
 * Writes docs/events/<detail-type>.schema.json from the zod catalog, the one source of the
 * event contract. Run it after changing shared/events/catalog.ts and commit the result; a
 * unit test fails while the committed files differ from what this writes.
 */
const eventSchemaDirectory = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'events');

const main = () => {
  const files = eventSchemaFiles();
  mkdirSync(eventSchemaDirectory, { recursive: true });
  for (const name of readdirSync(eventSchemaDirectory)) {
    if (name.endsWith('.schema.json') && !files.has(name)) rmSync(join(eventSchemaDirectory, name));
  }
  for (const [name, content] of files) writeFileSync(join(eventSchemaDirectory, name), content);
  console.log(`Wrote ${files.size} event schemas to ${eventSchemaDirectory}`);
};

main();
