import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptionsFor, functionEntry, projectRoot } from '../../infra/bundling.ts';
import { backgroundFunctionNames, functionNames } from '../../shared/routes.ts';

/**
 * What zod costs each Lambda bundle. Shared code builds its schemas with zod/mini through
 * shared/zod.ts: classic `zod` (`import { z } from 'zod'`) or a named `{ z }` import of mini
 * would put ~443 KiB of zod and every locale into each function again (docs/performance.md).
 * The bundles are built in memory with the options the CDK construct ships, all in one build.
 */
const everyFunction = [...functionNames, ...backgroundFunctionNames];
const zodBudgetBytes = 64 * 1024;

/** Bytes each zod file contributes to one function's bundle, keyed by its path inside the zod package. */
type ZodInputs = Map<string, number>;

const zodInputsOf = (output: Metafile['outputs'][string]): ZodInputs =>
  new Map(
    Object.entries(output.inputs).flatMap(([path, input]) => {
      const inZod = path.match(/node_modules\/zod\/(.*)$/);
      return inZod?.[1] ? [[inZod[1], input.bytesInOutput] as const] : [];
    }),
  );

describe('zod in the function bundles', () => {
  const bundles = new Map<string, ZodInputs>();

  beforeAll(async () => {
    const outdir = join(tmpdir(), 'latchkey-function-bundles');
    const { outfile: _oneFunctionOnly, ...options } = esbuildOptionsFor('assertion', outdir);
    const result = await build({ ...options, entryPoints: everyFunction.map(functionEntry), outdir, write: false, metafile: true, logLevel: 'silent' });
    for (const output of Object.values(result.metafile.outputs)) {
      if (!output.entryPoint) continue;
      const name = relative(join(projectRoot, 'functions'), join(projectRoot, output.entryPoint)).split('/')[0] ?? output.entryPoint;
      bundles.set(name, zodInputsOf(output));
    }
  });

  it('builds every function', () => {
    expect([...bundles.keys()].sort()).toEqual([...everyFunction].sort());
  });

  it.each(everyFunction)('%s has no classic zod API', (name) => {
    const classic = [...(bundles.get(name)?.keys() ?? [])].filter((path) => path.startsWith('v4/classic/'));

    expect(classic, 'a shared module imports from "zod"; import * as z from shared/zod.ts instead').toEqual([]);
  });

  it.each(everyFunction)('%s carries the English messages and no other locale', (name) => {
    const inputs = bundles.get(name) ?? new Map();
    const locales = [...inputs.keys()].filter((path) => path.startsWith('v4/locales/') && (inputs.get(path) ?? 0) > 0);

    // Every locale here means a `{ z }` import of the whole namespace; none means "Invalid input" in every 400.
    expect(locales).toEqual(['v4/locales/en.js']);
  });

  it.each(everyFunction)(`%s has at most ${zodBudgetBytes / 1024} KiB of zod`, (name) => {
    const zodBytes = [...(bundles.get(name)?.values() ?? [])].reduce((sum, bytes) => sum + bytes, 0);

    expect(zodBytes).toBeLessThanOrEqual(zodBudgetBytes);
  });
});
