import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { esbuildOptionsFor, functionBundling } from '../infra/bundling.ts';
import { backgroundFunctionNames, functionNames } from '../shared/routes.ts';

/**
 * Per function: the minified bundle's size and its cold module initialisation time (median
 * over fresh processes), against a baseline bundle that only creates a DocumentClient — built
 * with the same options the CDK construct ships (infra/bundling.ts).
 */
export interface BundleResult {
  name: string;
  bytes: number;
  initMs: number;
}

const baselineEntry = fileURLToPath(new URL('./baseline/handler.ts', import.meta.url));

/** The environment a function reads at cold start, as the stack sets it (values are inert here). */
const coldStartEnvironment = (keyDirectory: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  STAGE: 'bench',
  TABLE_NAME: 'latchkey-bench',
  RP_ID: 'localhost',
  RP_NAME: 'Latchkey',
  ALLOWED_ORIGINS: 'http://localhost:3000',
  TOKEN_ISSUER: 'http://localhost:3000',
  TOKEN_AUDIENCE: 'latchkey',
  KEY_SOURCE: 'local',
  LOCAL_KEY_DIRECTORY: keyDirectory,
  EVENT_BUS_NAME: 'latchkey-bench',
  POLICY_CACHE_SECONDS: '10',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  POWERTOOLS_SERVICE_NAME: 'latchkey',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_LOG_LEVEL: 'WARN',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
});

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Milliseconds to import the bundle in a fresh Node process (module evaluation, clients, keys). */
const initTime = (bundle: string, env: NodeJS.ProcessEnv): number => {
  const probe = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const started = performance.now(); const m = await import(${JSON.stringify(bundle)}); if (typeof m.handler !== 'function') throw new Error('no handler'); console.log(performance.now() - started);`,
    ],
    { encoding: 'utf8', env },
  );
  if (probe.status !== 0) throw new Error(`Importing ${bundle} failed: ${probe.stderr}`);
  return Number(probe.stdout.trim());
};

export const measureBundles = async (options: { processes?: number } = {}): Promise<{ baseline: BundleResult; functions: BundleResult[] }> => {
  const processes = options.processes ?? 15;
  const workDirectory = mkdtempSync(join(tmpdir(), 'latchkey-bundles-'));
  const env = coldStartEnvironment(join(workDirectory, 'keys'));
  try {
    const build_ = async (name: string, entry: string) => {
      const outdir = join(workDirectory, name);
      await build({ ...esbuildOptionsFor('jwks', outdir), entryPoints: [entry], logLevel: 'silent' });
      return { name, bundle: join(outdir, functionBundling.outputFileName) };
    };
    const built = [await build_('baseline (DocumentClient only)', baselineEntry)];
    for (const name of [...functionNames, ...backgroundFunctionNames]) {
      built.push(await build_(name, fileURLToPath(new URL(`../functions/${name}/handler.ts`, import.meta.url))));
    }
    // Samples are taken round-robin over the bundles, so drift on a busy machine falls on all alike.
    const samples = built.map(() => [] as number[]);
    for (let round = 0; round < processes; round++) {
      built.forEach(({ bundle }, index) => samples[index]!.push(initTime(bundle, env)));
    }
    const [baseline, ...functions] = built.map(({ name, bundle }, index) => ({ name, bytes: statSync(bundle).size, initMs: median(samples[index]!) }));
    return { baseline: baseline!, functions };
  } finally {
    rmSync(workDirectory, { recursive: true, force: true });
  }
};
