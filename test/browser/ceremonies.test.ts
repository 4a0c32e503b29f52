import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../support/chromium.ts';
import { plugInKey, type VirtualKey } from './support/portal.ts';
import { startTestStage, type TestStage } from '../support/local-stage.ts';

/**
 * The real client: Debian's Chromium with Chrome's virtual authenticator, talking to the local
 * stage through @simplewebauthn/browser as a web app would. (The demo app's own UI is tested
 * story by story in demo-app tests.)
 */
const runnable = chromiumAvailable();

let stage: TestStage;
let browser: Browser;

beforeAll(async () => {
  if (!runnable) return;
  stage = await startTestStage();
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await stage?.close();
});

/** The ids the virtual key holds, as the API shows them (CDP gives them in base64). */
const credentialIdsOf = async (key: VirtualKey) =>
  (await key.credentials()).map((credential) => Buffer.from(credential.credentialId, 'base64').toString('base64url'));

interface Outcome {
  status: number;
  body: any;
}

/** Runs one ceremony inside the page: options → navigator.credentials → verify. */
const ceremony = (page: Page, kind: 'register' | 'signIn', body: Record<string, unknown>, token?: string): Promise<Outcome> =>
  page.evaluate(
    async ({ kind, body, token }) => {
      const { startRegistration, startAuthentication } = (window as any).SimpleWebAuthnBrowser;
      const post = async (path: string, payload: unknown, bearer?: string) => {
        const response = await fetch(path, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
          body: JSON.stringify(payload),
        });
        return { status: response.status, body: await response.json() };
      };
      const base = kind === 'register' ? '/v1/registration' : '/v1/authentication';
      const options = await post(`${base}/options`, body, token);
      if (options.status !== 200) return options;
      try {
        const response = kind === 'register'
          ? await startRegistration({ optionsJSON: options.body.options })
          : await startAuthentication({ optionsJSON: options.body.options });
        return post(`${base}/verify`, { response });
      } catch (error) {
        return { status: 0, body: { name: (error as Error).name, message: (error as Error).message } };
      }
    },
    { kind, body, token },
  );

const api = (page: Page, method: string, path: string, token: string) =>
  page.evaluate(
    async ({ method, path, token }) => {
      const response = await fetch(path, { method, headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, body: response.status === 204 ? undefined : await response.json() };
    },
    { method, path, token },
  );

describe.skipIf(!runnable)('Chromium with a virtual security key', () => {
  it('enrols, signs in usernameless and username-first, adds a second key, deletes one, and the deleted key cannot sign in', async () => {
    const page = await browser.newPage();
    // A blank page on the stage's origin with only the library's UMD bundle: the demo app at /
    // runs its own ceremonies (passkey autofill) that must not race these.
    await page.route(`${stage.url}/`, (route) =>
      route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Latchkey</title><script src="/vendor/simplewebauthn-browser.js"></script>' }),
    );
    await page.goto(stage.url);
    const firstKey = await plugInKey(page);

    // Enrol (self sign-up): Chromium answers `direct` attestation with packed.
    const enrolled = await ceremony(page, 'register', { username: 'marie', displayName: 'Marie Curie' });
    expect(enrolled.status).toBe(201);
    expect(enrolled.body.user.username).toBe('marie');
    expect(enrolled.body.credential.attestation.format).toBe('packed');
    expect(enrolled.body.credential.aaguid).toBe('01020304-0506-0708-0102-030405060708');
    expect(await credentialIdsOf(firstKey)).toEqual([enrolled.body.credential.id]);

    // Usernameless: the user comes from the discoverable credential's userHandle.
    const usernameless = await ceremony(page, 'signIn', {});
    expect(usernameless.status).toBe(200);
    expect(usernameless.body.user.id).toBe(enrolled.body.user.id);
    expect(usernameless.body.credential.id).toBe(enrolled.body.credential.id);

    // Username-first.
    const usernameFirst = await ceremony(page, 'signIn', { username: 'Marie' });
    expect(usernameFirst.status).toBe(200);
    const token = usernameFirst.body.accessToken as string;

    // Add a second key while signed in: a second authenticator, the first one unplugged.
    await firstKey.unplug();
    const secondKey = await plugInKey(page);
    const added = await ceremony(page, 'register', {}, token);
    expect(added.status).toBe(201);
    expect(added.body.user.id).toBe(enrolled.body.user.id);
    const listed = await api(page, 'GET', '/v1/credentials', token);
    expect(listed.body.credentials.map((credential: { id: string }) => credential.id).sort()).toEqual(
      [enrolled.body.credential.id, added.body.credential.id].sort(),
    );

    // The second key signs in; then it is deleted and can no longer sign in.
    expect((await ceremony(page, 'signIn', {})).status).toBe(200);
    const deleted = await api(page, 'DELETE', `/v1/credentials/${added.body.credential.id}`, token);
    expect(deleted.status).toBe(204);
    const afterDelete = await ceremony(page, 'signIn', {});
    expect(afterDelete.status).toBe(400);
    expect(afterDelete.body.code).toBe('verification_failed');
    expect(await credentialIdsOf(secondKey)).toEqual([added.body.credential.id]);

    await page.close();
  });
});
