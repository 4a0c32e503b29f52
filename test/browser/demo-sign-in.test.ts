import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../support/chromium.ts';
import { startTestStage, type TestStage } from '../support/local-stage.ts';
import {
  expectAlert,
  expectStatus,
  expectView,
  openPortal,
  plugInKey,
  screenshot,
  signOut,
  type StoredCredential,
  type VirtualKey,
} from './support/portal.ts';

/**
 * Kestrel Hub's sign-in page when things go right in the username field (passkey autofill)
 * and when they do not: the person refuses the PIN prompt, walks away (Cancel), or has no key
 * with them. Each failure says what to do next.
 */
const runnable = chromiumAvailable();

let stage: TestStage;
let browser: Browser;
let page: Page;
let key: VirtualKey;
let marieCredentials: StoredCredential[];

beforeAll(async () => {
  if (!runnable) return;
  [stage, browser] = await Promise.all([startTestStage(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await stage?.close();
});

const signInWithKey = () => page.getByRole('button', { name: 'Sign in with a security key' }).click();

describe.skipIf(!runnable)('Kestrel Hub: signing in', () => {
  it('Marie signs up, then signs out', async () => {
    ({ page, key } = await openPortal(browser, stage, '/#/sign-up'));
    await page.getByRole('textbox', { name: 'Username' }).fill('marie');
    await page.getByRole('textbox', { name: 'Your name' }).fill('Marie Curie');
    await page.getByRole('button', { name: 'Create account with a security key' }).click();
    await expectView(page, 'Welcome, Marie Curie');
    marieCredentials = await key.credentials();
    expect(marieCredentials).toHaveLength(1);
    await signOut(page);
  });

  it('offers her passkey in the username field (autofill) and signs her in with it', async () => {
    // Her laptop's platform authenticator holds the same passkey. The sign-in page starts a
    // conditional (autofill) request as it appears, tied to the username field. A real browser
    // then lists the passkey under the field and waits for her to pick it; Chrome's virtual
    // authenticator picks it at once, so the test sees only the outcome: signed in, without
    // pressing any button, through signInWithAutofill.
    const laptop = await browser.newContext({ viewport: { width: 1100, height: 760 }, locale: 'en-GB', timezoneId: 'UTC' });
    const laptopPage = await laptop.newPage();
    const passkey = await plugInKey(laptopPage, { transport: 'internal' });
    await passkey.addCredentials(marieCredentials);
    await laptopPage.goto(`${stage.url}/#/sign-in`);

    await expectView(laptopPage, 'Welcome, Marie Curie');
    await expectStatus(laptopPage, /Signed in as marie with a passkey from autofill/);
    await screenshot(laptopPage, 'autofill-signed-in');
    // Keep the two copies of the passkey in step (signature counter), as syncing would.
    marieCredentials = await passkey.credentials();
    await key.removeCredentials();
    await key.addCredentials(marieCredentials);
    await laptop.close();
  });

  it('focusing the username field offers the passkey again, once an earlier offer has ended', async () => {
    const { page: other, key: passkey } = await openPortal(browser, stage, '/#/sign-in', { transport: 'internal' });
    const username = other.getByRole('textbox', { name: 'Username' });
    const hint = other.locator('#sign-in-username-hint');
    expect(await username.getAttribute('autocomplete')).toBe('username webauthn');
    // The offer made as the page appeared found no passkey on this device and ended …
    await expect.poll(() => hint.textContent()).toBe('Type your username and continue; you will be asked for your key.');
    // … then her passkey arrives (synced), and she selects the field and starts typing.
    await passkey.addCredentials(marieCredentials);
    await username.focus();
    await other.keyboard.type('mar');

    await expectView(other, 'Welcome, Marie Curie');
    await expectStatus(other, /Signed in as marie with a passkey from autofill/);
    marieCredentials = await passkey.credentials();
    await key.removeCredentials();
    await key.addCredentials(marieCredentials);
    await other.context().close();
  });

  it('when she refuses the PIN or fingerprint prompt: cancelled, try again', async () => {
    await key.setUserVerified(false);
    await signInWithKey();

    await expectAlert(page, /You were not signed in: the request was cancelled or timed out/);
    await expectAlert(page, /Error code: cancelled/);
    await screenshot(page, 'error-cancelled');
    await expectView(page, 'Sign in to Kestrel Hub');

    await key.setUserVerified(true);
    await signInWithKey();
    await expectView(page, 'Welcome, Marie Curie');
    await signOut(page);
  });

  it('when she does not touch the key: the page waits, and Cancel stops it', async () => {
    await key.setTouched(false);
    await signInWithKey();

    const busy = page.locator('#busy');
    await busy.waitFor();
    expect(await busy.textContent()).toContain('Touch your security key when it blinks…');
    expect(await page.getByRole('button', { name: 'Sign in with a security key' }).isDisabled()).toBe(true);
    await screenshot(page, 'waiting-for-key');
    await page.getByRole('button', { name: 'Cancel' }).click();

    await expectStatus(page, /Sign-in cancelled/);
    expect(await busy.isHidden()).toBe(true);
    expect(await page.getByRole('button', { name: 'Sign in with a security key' }).isEnabled()).toBe(true);
    await key.setTouched(true);
  });

  it('when her key is not there: not enrolled, use another key', async () => {
    await key.removeCredentials();
    await page.getByRole('textbox', { name: 'Username' }).fill('marie');
    await page.getByRole('button', { name: 'Continue with username' }).click();

    await expectAlert(page, /the key you used is not enrolled for this account. Try again, or use another key/);
    await screenshot(page, 'error-key-absent');
    await key.addCredentials(marieCredentials);
  });

  it('an empty username is caught on the field, before any key prompt', async () => {
    await page.getByRole('textbox', { name: 'Username' }).fill('');
    await page.getByRole('button', { name: 'Continue with username' }).click();

    const field = page.getByRole('textbox', { name: 'Username' });
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#sign-in-username-error').textContent()).toBe('Enter your username, or use “Sign in with a security key”.');
    expect(await field.evaluate((input) => input === document.activeElement)).toBe(true);
  });
});
