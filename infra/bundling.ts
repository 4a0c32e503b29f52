import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';
import { OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BackgroundFunctionName, FunctionName } from '../shared/routes.ts';

/**
 * How every Latchkey function is bundled: the one definition that both the CDK construct
 * (via NodejsFunction) and a benchmark (via esbuild directly) use, so they measure and ship
 * the same bytes.
 *
 * - ESM for Node.js 22, minified and tree-shaken.
 * - The AWS SDK v3 is bundled, not taken from the runtime: tree-shaking keeps only the
 *   clients and commands we use, the version is the one we tested (package-lock), and cold
 *   start loads one file instead of resolving the runtime's full SDK from disk.
 * - `module` before `main` so packages that ship ESM are tree-shaken as ESM.
 * - A `require` made with createRequire, because some CommonJS dependencies call `require`
 *   for Node built-ins, which an ESM bundle otherwise lacks.
 * - Linked source maps without sources content (smaller; the code is in the repository) and
 *   `--enable-source-maps` (set by the function construct) for readable stack traces.
 */
export const functionBundling = {
  format: 'esm',
  platform: 'node',
  target: 'node22',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  banner:
    "import { createRequire as __latchkeyCreateRequire } from 'node:module'; const require = __latchkeyCreateRequire(import.meta.url);",
  /** Nothing is external: the SDK and every dependency go into the bundle. */
  external: [] as string[],
  /** NodejsFunction names its ESM output index.mjs; a direct build uses the same name. */
  outputFileName: 'index.mjs',
} as const;

/** The file that exports `handler` for a function. */
export const functionEntry = (name: FunctionName | BackgroundFunctionName): string =>
  fileURLToPath(new URL(`../functions/${name}/handler.ts`, import.meta.url));

/** The repository root: where package-lock.json and tsconfig.json live. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** `functionBundling` for CDK's NodejsFunction. */
export const nodejsBundlingOptions: BundlingOptions = {
  format: OutputFormat.ESM,
  target: functionBundling.target,
  minify: functionBundling.minify,
  sourceMap: functionBundling.sourcemap,
  sourceMapMode: SourceMapMode.DEFAULT,
  sourcesContent: functionBundling.sourcesContent,
  mainFields: [...functionBundling.mainFields],
  banner: functionBundling.banner,
  externalModules: [...functionBundling.external],
};

/** `functionBundling` for esbuild's build API, writing `<outdir>/index.mjs` (+ `.map`). */
export const esbuildOptionsFor = (name: FunctionName | BackgroundFunctionName, outdir: string): BuildOptions => ({
  entryPoints: [functionEntry(name)],
  outfile: `${outdir}/${functionBundling.outputFileName}`,
  bundle: true,
  format: functionBundling.format,
  platform: functionBundling.platform,
  target: functionBundling.target,
  minify: functionBundling.minify,
  sourcemap: functionBundling.sourcemap,
  sourcesContent: functionBundling.sourcesContent,
  mainFields: [...functionBundling.mainFields],
  banner: { js: functionBundling.banner },
  external: [...functionBundling.external],
  absWorkingDir: projectRoot,
});
