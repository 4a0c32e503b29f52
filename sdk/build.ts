import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

/**
 * Builds @latchkey/web with esbuild:
 * - `dist/latchkey.js`: the package entry, ESM, @simplewebauthn/browser left as an import so an
 *   app's bundler shares and tree-shakes it;
 * - `dist/latchkey.bundle.js`: everything in one minified ESM file, for a `<script type="module">`
 *   with no bundler (the demo app uses the same bundle, built in memory by the local stage);
 * - `dist/types/`: declarations from `tsc --emitDeclarationOnly`.
 */
export const sdkDirectory = dirname(fileURLToPath(import.meta.url));
const entry = join(sdkDirectory, 'src', 'index.ts');
const distDirectory = join(sdkDirectory, 'dist');

export interface BundleOptions {
  /** Include @simplewebauthn/browser (true) or leave it as an import (false). */
  standalone: boolean;
  minify: boolean;
  sourcemap?: 'inline' | 'external' | false;
  outfile?: string;
}

/** One esbuild run; returns the JavaScript when no outfile is given. */
export const bundleSdk = async (options: BundleOptions): Promise<string> => {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022', 'chrome109', 'firefox115', 'safari16'],
    minify: options.minify,
    sourcemap: options.sourcemap ?? false,
    external: options.standalone ? [] : ['@simplewebauthn/browser'],
    legalComments: 'eof',
    write: options.outfile !== undefined,
    ...(options.outfile ? { outfile: options.outfile } : {}),
    logLevel: 'silent',
  });
  return result.outputFiles?.[0]?.text ?? '';
};

/** Declarations point at `.js` files, as published packages do, whatever the sources import. */
const rewriteDeclarationImports = (directory: string) => {
  for (const name of readdirSync(directory)) {
    if (!name.endsWith('.d.ts')) continue;
    const file = join(directory, name);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1.js$2'));
  }
};

export const buildSdk = async (): Promise<void> => {
  rmSync(distDirectory, { recursive: true, force: true });
  await bundleSdk({ standalone: false, minify: false, sourcemap: 'external', outfile: join(distDirectory, 'latchkey.js') });
  await bundleSdk({ standalone: true, minify: true, sourcemap: 'external', outfile: join(distDirectory, 'latchkey.bundle.js') });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const declarations = spawnSync(process.execPath, [tsc, '-p', join(sdkDirectory, 'tsconfig.json')], { encoding: 'utf8' });
  if (declarations.status !== 0) throw new Error(`tsc could not emit the SDK's declarations:\n${declarations.stdout}${declarations.stderr}`);
  rewriteDeclarationImports(join(distDirectory, 'types'));
};

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const started = Date.now();
  await buildSdk();
  console.log(`Built sdk/dist (latchkey.js, latchkey.bundle.js, types/) in ${Date.now() - started} ms`);
}
