import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { bundleSdk } from '../../../sdk/build.ts';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** What an app's bundler keeps when it imports only `names` from the SDK. */
const bundleOfAppUsing = async (...names: string[]) => {
  const result = await build({
    stdin: { contents: `import { ${names.join(', ')} } from './sdk/src/index.ts'; console.log(${names.join(', ')});`, resolveDir: projectRoot, loader: 'ts' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    minify: true,
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]?.text ?? '';
};

describe('the SDK build', () => {
  it('is an ES module that imports @simplewebauthn/browser for the app bundler to share', async () => {
    const code = await bundleSdk({ standalone: false, minify: false });

    expect(code).toMatch(/from "@simplewebauthn\/browser"/);
    expect(code).toMatch(/export \{[^}]*createLatchkeyClient/);
    for (const name of ['LatchkeyError', 'isLatchkeyError', 'memoryTokenStore', 'webStorageTokenStore', 'isWebAuthnSupported', 'isAutofillSupported']) {
      expect(code).toContain(name);
    }
  });

  it('has a one-file bundle with no imports left, for pages without a bundler', async () => {
    const code = await bundleSdk({ standalone: true, minify: true });

    expect(code).not.toMatch(/from ?["']/);
    expect(code).toContain('navigator.credentials');
    expect(code.length).toBeLessThan(40_000);
  });

  it('tree-shakes: an app that only checks errors does not ship the ceremonies', async () => {
    const small = await bundleOfAppUsing('isLatchkeyError');
    const whole = await bundleOfAppUsing('createLatchkeyClient');

    expect(small).not.toContain('navigator.credentials');
    expect(small.length).toBeLessThan(1_000);
    expect(whole).toContain('navigator.credentials');
  });
});
