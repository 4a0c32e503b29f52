import { readFileSync, writeFileSync } from 'node:fs';
import { buildOpenApiDocument } from '../shared/http/openapi.ts';

/** Writes docs/openapi.json from the route table and the contract; commit the result. */
const packageJson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
const target = new URL('../docs/openapi.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(packageJson.version), null, 2)}\n`);
console.log(`Wrote ${target.pathname}`);
