import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../support/chromium.ts';
import { startTestStage, type TestStage } from '../support/local-stage.ts';
import { bundleSdk } from '../../sdk/build.ts';
import { plugInKey } from './support/portal.ts';

/**
 * The SDK in a web app on another origin than the stage, as docs/web.md sets it up: the app's
 * origin in the stage's allowed origins (ALLOWED_ORIGINS), the SDK's one-file bundle served by
 * the app. An origin the stage does not list gets a `network` error naming the likely cause.
 */
const runnable = chromiumAvailable();

let stage: TestStage;
let browser: Browser;
let app: Server;
let appOrigin: string;

beforeAll(async () => {
  if (!runnable) return;
  const bundle = await bundleSdk({ standalone: true, minify: true });
  app = createServer((request, response) => {
    if (request.url === '/latchkey.js') {
      response.writeHead(200, { 'content-type': 'text/javascript' });
      return response.end(bundle);
    }
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(
      '<!doctype html><title>Another app</title><input autocomplete="username webauthn">' +
        '<script type="module">import * as latchkey from "/latchkey.js"; window.latchkey = latchkey;</script>',
    );
  });
  await new Promise<void>((resolve) => app.listen(0, resolve));
  appOrigin = `http://localhost:${(app.address() as AddressInfo).port}`;
  [stage, browser] = await Promise.all([startTestStage({ extraOrigins: [appOrigin] }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await stage?.close();
  if (app) await new Promise((resolve) => app.close(resolve));
});

describe.skipIf(!runnable)('@latchkey/web from another origin', () => {
  it('signs up, signs in and manages keys against a stage that allows the origin', async () => {
    const page = await browser.newPage();
    await page.goto(`${appOrigin}/`);
    await page.waitForFunction(() => 'latchkey' in window);
    await plugInKey(page);

    const steps = await page.evaluate(async (baseUrl) => {
      const { createLatchkeyClient } = (window as any).latchkey;
      const client = createLatchkeyClient({ baseUrl });
      const { user } = await client.signUp({ username: 'lin', displayName: 'Lin Wei', nickname: 'Green key' });
      const session = await client.signIn();
      const keys = await client.listKeys();
      const renamed = await client.renameKey(keys[0].id, 'Green key (home)');
      return { user: user.username, signedIn: session.user.username, keys: keys.length, renamed: renamed.nickname };
    }, stage.url);

    expect(steps).toEqual({ user: 'lin', signedIn: 'lin', keys: 1, renamed: 'Green key (home)' });
    await page.close();
  });

  it('refuses an origin the stage does not list, and says where to look', async () => {
    const page = await browser.newPage();
    // Same app, other origin: 127.0.0.1 is not in the stage's allowed origins.
    await page.goto(appOrigin.replace('localhost', '127.0.0.1'));
    await page.waitForFunction(() => 'latchkey' in window);

    const error = await page.evaluate(async (baseUrl) => {
      const { createLatchkeyClient } = (window as any).latchkey;
      try {
        await createLatchkeyClient({ baseUrl }).signIn();
        return undefined;
      } catch (failure) {
        return { code: (failure as { code: string }).code, detail: (failure as { detail: string }).detail };
      }
    }, stage.url);

    expect(error?.code).toBe('network');
    expect(error?.detail).toMatch(/check that this page's origin is one of its allowed origins/);
    await page.close();
  });
});
