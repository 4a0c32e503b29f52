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
    page = await openPortal(browser, stage, '/#/sign-up');
    key = await plugInKey(page);
    await page.getByRole('textbox', { name: 'Username' }).fill('marie');
    await page.getByRole('textbox', { name: 'Your name' }).fill('Marie Curie');
    await page.getByRole('button', { name: 'Create account with a security key' }).click();
    await expectView(page, 'Welcome, Marie Curie');
    marieCredentials = await key.credentials();
    expect(marieCredentials).toHaveLength(1);
    await signOut(page);
  });

  it('offers her passkey in the username field (autofill) and signs her in with it', async () => {
    // A second browser whose platform authenticator holds Marie's passkey. Chrome's virtual
    // authenticator answers a conditional (autofill) request at once when it holds a passkey
    // for the site, and refuses it at once when it holds none; a real browser waits for the
    // person to pick the passkey from the username field's suggestions.
    const laptop = await openPortal(browser, stage);
    const passkey = await plugInKey(laptop, { transport: 'internal' });
    await expectView(laptop, 'Sign in to Kestrel Hub');
    await passkey.addCredentials(marieCredentials);

    const username = laptop.getByRole('textbox', { name: 'Username' });
    expect(await username.getAttribute('autocomplete')).toBe('username webauthn');
    await username.click();
    await laptop.keyboard.type('mar');

    await expectView(laptop, 'Welcome, Marie Curie');
    await expectStatus(laptop, /Signed in as marie with a passkey from autofill/);
    await screenshot(laptop, 'autofill-signed-in');
    // Keep the two copies of the passkey in step (signature counter), as syncing would.
    marieCredentials = await passkey.credentials();
    await key.removeCredentials();
    await key.addCredentials(marieCredentials);
    await laptop.context().close();
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
