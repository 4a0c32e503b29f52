import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { esbuildOptionsFor, functionBundling, projectRoot } from '../../infra/bundling.ts';
import { backgroundFunctionNames, functionNames } from '../../shared/routes.ts';
import { environmentVariables } from '../../shared/runtime/variables.ts';
import { synthesizeStage, synthesisTimeout, type SynthesizedStage } from './synthesize-stage.ts';
import { createTestRootPem } from './test-root-certificate.ts';

type Resources = Record<string, { Properties: Record<string, unknown> }>;

/**
 * The one test that runs real bundling (the others skip it for speed): CDK's NodejsFunction
 * with the shared options must produce a loadable ESM bundle per function, byte for byte the
 * bundle a direct esbuild build with the same options produces.
 */
describe('function bundling', () => {
  let synthesized: SynthesizedStage;
  const bundleDirectoryOf = (name: string): string => {
    const functions = synthesized.statelessTemplate.findResources('AWS::Lambda::Function', {
      Properties: { FunctionName: `latchkey-dev-${name}` },
    }) as Resources;
    // The code asset is staged in the cloud assembly as asset.<hash>, uploaded as <hash>.zip.
    const s3Key = (Object.values(functions)[0]?.Properties.Code as { S3Key?: unknown } | undefined)?.S3Key;
    if (typeof s3Key !== 'string') throw new Error(`No bundled asset for ${name}`);
    return join(synthesized.app.outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
  };

  let rootPem: string;
  beforeAll(async () => {
    // With an MDS root, so the metadata functions' cold start below parses one.
    rootPem = await createTestRootPem();
    synthesized = synthesizeStage('dev', { bundle: true, override: { fidoMetadataRootCertificate: rootPem } });
  }, synthesisTimeout);

  it.each([...functionNames, ...backgroundFunctionNames])('bundles %s as minified ESM with a linked source map', (name) => {
    // Prepare
    const directory = bundleDirectoryOf(name);
    const bundle = join(directory, functionBundling.outputFileName);

    // Act
    const source = readFileSync(bundle, 'utf8');
    const syntaxCheck = spawnSync(process.execPath, ['--check', bundle], { encoding: 'utf8' });

    // Assess
    expect(source.startsWith(functionBundling.banner)).toBe(true);
    expect(source).toContain('//# sourceMappingURL=index.mjs.map');
    expect(existsSync(`${bundle}.map`)).toBe(true);
    expect(existsSync(join(directory, 'index.js'))).toBe(false);
    expect(syntaxCheck.status, syntaxCheck.stderr).toBe(0);
  });

  it('produces the same bytes as esbuild run directly with the shared options', { timeout: synthesisTimeout }, async () => {
    // Prepare
    const outdir = mkdtempSync(join(tmpdir(), 'latchkey-bundle-'));

    // Act
    await build({ ...esbuildOptionsFor('jwks', outdir), logLevel: 'silent' });

    // Assess
    const direct = readFileSync(join(outdir, functionBundling.outputFileName), 'utf8');
    const viaCdk = readFileSync(join(bundleDirectoryOf('jwks'), functionBundling.outputFileName), 'utf8');
    expect(direct).toBe(viaCdk);
  });

  it('exports a handler that serves the JWKS from the bundle alone', { timeout: synthesisTimeout }, () => {
    // The bundled jwks function, configured as a cold start would be, answers a real API Gateway event.
    const bundle = join(bundleDirectoryOf('jwks'), functionBundling.outputFileName);
    const keyDirectory = mkdtempSync(join(tmpdir(), 'latchkey-bundle-keys-'));
    const event = { httpMethod: 'GET', resource: '/.well-known/jwks.json', path: '/.well-known/jwks.json', headers: {}, requestContext: { requestId: 'probe', identity: { sourceIp: '127.0.0.1' } } };
    const probe = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const m = await import(${JSON.stringify(bundle)}); const r = await m.handler(${JSON.stringify(event)}, { awsRequestId: 'probe', functionName: 'jwks' }); console.log(r.statusCode, JSON.parse(r.body).keys.length);`,
      ],
      {
        encoding: 'utf8',
        env: {
          ...process.env,
          NODE_OPTIONS: '--enable-source-maps',
          STAGE: 'bundle-probe',
          ALLOWED_ORIGINS: 'http://localhost:3000',
          KEY_SOURCE: 'local',
          LOCAL_KEY_DIRECTORY: keyDirectory,
          POWERTOOLS_METRICS_DISABLED: 'true',
          POWERTOOLS_TRACE_ENABLED: 'false',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
        },
      },
    );
    rmSync(keyDirectory, { recursive: true, force: true });
    expect(probe.stdout.trim(), probe.stderr).toBe('200 1');
  });

  it.each(['metadata-refresh', 'admin'])(
    'starts the %s bundle with exactly the environment the stack gives it, MDS root included',
    { timeout: synthesisTimeout },
    (name) => {
      // Prepare: the function's variables from the template, CloudFormation references replaced by stand-ins.
      const functions = synthesized.statelessTemplate.findResources('AWS::Lambda::Function', {
        Properties: { FunctionName: `latchkey-dev-${name}` },
      }) as Resources;
      const variables = (Object.values(functions)[0]?.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      const standIns: Record<string, string> = {
        [environmentVariables.tableName]: 'latchkey-dev',
        [environmentVariables.tokenIssuer]: 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev',
      };
      const environment = Object.fromEntries(
        Object.entries(variables).map(([variable, value]) => [
          variable,
          typeof value === 'string' ? value : (standIns[variable] ?? 'arn:aws:kms:eu-west-1:111111111111:key/00000000-0000-0000-0000-000000000000'),
        ]),
      );
      expect(environment[environmentVariables.mdsRootCertificate]).toBe(rootPem);
      const bundle = join(bundleDirectoryOf(name), functionBundling.outputFileName);

      // Act: a cold start (module initialisation) only; invoking would reach AWS.
      const probe = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(bundle)}); console.log(typeof m.handler);`], {
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          ...environment,
          AWS_REGION: 'eu-west-1',
          POWERTOOLS_METRICS_DISABLED: 'true',
          POWERTOOLS_TRACE_ENABLED: 'false',
          POWERTOOLS_LOG_LEVEL: 'SILENT',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        },
      });

      // Assess
      expect(probe.stdout.trim(), probe.stderr).toBe('function');
    },
  );

  describe('with the dependencies the handlers use', () => {
    // CommonJS packages among them (the X-Ray SDK under the Powertools tracer) call require()
    // for Node built-ins; an ESM bundle has none unless the banner creates one. This bundles
    // them with the shared options and runs the result.
    const probe = `
      import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
      import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
      import { KMSClient, SignCommand } from '@aws-sdk/client-kms';
      import { Logger } from '@aws-lambda-powertools/logger';
      import { Metrics } from '@aws-lambda-powertools/metrics';
      import { Tracer } from '@aws-lambda-powertools/tracer';
      import middy from '@middy/core';
      const logger = new Logger();
      const tracer = new Tracer();
      const metrics = new Metrics();
      const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
      const kms = new KMSClient({});
      export const handler = middy(async () => {
        logger.debug('probe');
        return [GetCommand, SignCommand, documents.send, kms.send, tracer.getSegment, metrics.addMetric]
          .map((value) => typeof value)
          .join();
      });
    `;
    const bundleAndRun = async (overrides: Parameters<typeof build>[0]) => {
      const outdir = mkdtempSync(join(tmpdir(), 'latchkey-probe-'));
      const { entryPoints: _unused, ...options } = esbuildOptionsFor('jwks', outdir);
      await build({
        ...options,
        stdin: { contents: probe, resolveDir: projectRoot, loader: 'ts', sourcefile: 'probe.ts' },
        logLevel: 'silent',
        ...overrides,
      });
      const bundle = join(outdir, functionBundling.outputFileName);
      return spawnSync(
        process.execPath,
        ['--input-type=module', '-e', `const m = await import(${JSON.stringify(bundle)}); console.log(await m.handler({}, {}));`],
        {
          encoding: 'utf8',
          env: {
            ...process.env,
            AWS_REGION: 'eu-west-1',
            POWERTOOLS_TRACE_ENABLED: 'false',
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          },
        },
      );
    };

    it('load and run from the ESM bundle', { timeout: synthesisTimeout }, async () => {
      const result = await bundleAndRun({});
      expect(result.stdout.trim(), result.stderr).toBe('function,function,function,function,function,function');
    });

    it('would fail without the createRequire banner', { timeout: synthesisTimeout }, async () => {
      const result = await bundleAndRun({ banner: {} });
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('Dynamic require of');
    });
  });
});
