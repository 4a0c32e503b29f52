import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../support/chromium.ts';
import { startTestStage, type TestStage } from '../support/local-stage.ts';
import {
  advanceServerClock,
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
 * Kestrel Hub, story by story, through its UI only: self sign-up, the protected page fed by the
 * example API, naming and renaming keys, signing out and in (usernameless and with a username),
 * a key enrolled twice, a second key behind a step-up, and removing a key for good.
 * The tests run in order and share one person (Ada) and her browser.
 */
const runnable = chromiumAvailable();

let stage: TestStage;
let browser: Browser;
let page: Page;
let blueKey: VirtualKey;
let blueCredentials: StoredCredential[];
let spareKey: VirtualKey;

beforeAll(async () => {
  if (!runnable) return;
  [stage, browser] = await Promise.all([startTestStage(), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await stage?.close();
});

const keyItem = (name: string) => page.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });
const keyNames = () => page.locator('#key-list .key-name').allTextContents();

describe.skipIf(!runnable)('Kestrel Hub: sign up, keys and step-up', () => {
  it('signs up with a security key and shows the protected page, with data the example API verified', async () => {
    ({ page, key: blueKey } = await openPortal(browser, stage));
    await expectView(page, 'Sign in to Kestrel Hub');
    await screenshot(page, 'sign-in');

    await page.getByRole('link', { name: 'New here? Create an account' }).click();
    await expectView(page, 'Create your Kestrel account');
    await page.getByRole('textbox', { name: 'Username' }).fill('ada');
    await page.getByRole('textbox', { name: 'Your name' }).fill('Ada Lovelace');
    await page.getByRole('textbox', { name: 'Name for this key' }).fill('Blue YubiKey');
    await screenshot(page, 'sign-up');
    await page.getByRole('button', { name: 'Create account with a security key' }).click();

    await expectView(page, 'Welcome, Ada Lovelace');
    await expectStatus(page, /Your account is ready and “Blue YubiKey” can sign in/);
    await expect.poll(() => page.locator('#profile').getAttribute('aria-busy')).toBeNull();
    expect(await page.locator('#profile-username').textContent()).toBe('ada');
    expect(await page.locator('#profile-team').textContent()).not.toBe('…');
    expect(await page.locator('#profile-method').textContent()).toBe('Security key or passkey with PIN or biometric (multi-factor)');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('home-title');
    expect(await page.getByRole('navigation', { name: 'Main' }).textContent()).toContain('Signed in as ada');
    await screenshot(page, 'home');
  });

  it('lists the key with its model and last use, and renames it from the keyboard', async () => {
    await page.getByRole('link', { name: 'Security keys', exact: true }).click();
    await expectView(page, 'Security keys');
    await expect.poll(keyNames).toEqual(['Blue YubiKey']);
    const item = keyItem('Blue YubiKey');
    // The service names the model from its AAGUID (the curated list knows Chromium's virtual key).
    expect(await item.locator('.key-model').textContent()).toBe('Model: Chromium virtual authenticator');
    expect(await item.locator('.key-usage').textContent()).toMatch(/^Added \d+ \w+ \d{4} · Not used to sign in yet · used for this session$/);

    // Escape abandons a rename and gives focus back to its button.
    await item.getByRole('button', { name: 'Rename Blue YubiKey' }).click();
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Rename Blue YubiKey');

    await page.keyboard.press('Enter');
    const field = page.getByRole('textbox', { name: 'New name for Blue YubiKey' });
    expect(await field.evaluate((input) => input === document.activeElement)).toBe(true);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type('Blue YubiKey (desk)');
    await screenshot(page, 'rename-key');
    await page.keyboard.press('Enter');

    await expectStatus(page, /Renamed the key to “Blue YubiKey \(desk\)”/);
    expect(await keyNames()).toEqual(['Blue YubiKey (desk)']);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Rename Blue YubiKey (desk)');
  });

  it('signs out, sends a visit to a protected page to sign-in, and signs in usernameless back to it', async () => {
    await signOut(page);
    await expectStatus(page, /You are signed out/);
    expect(await page.getByRole('navigation', { name: 'Main' }).isHidden()).toBe(true);

    await page.goto(`${stage.url}/#/keys`);
    await expectView(page, 'Sign in to Kestrel Hub');
    await expectStatus(page, /Sign in to continue/);

    await page.getByRole('button', { name: 'Sign in with a security key' }).click();
    await expectView(page, 'Security keys');
    await expectStatus(page, /Signed in as ada with your security key/);
    await expect.poll(() => keyItem('Blue YubiKey (desk)').locator('.key-usage').textContent()).toMatch(/Last used just now/);
  });

  it('signs in with a username, in any letter case', async () => {
    await signOut(page);
    await page.getByRole('textbox', { name: 'Username' }).fill('ADA');
    await page.getByRole('textbox', { name: 'Username' }).press('Enter');

    await expectView(page, 'Welcome, Ada Lovelace');
    await expectStatus(page, /Signed in as ada with your security key/);
  });

  it('refuses to enrol the same key twice, and says to use another', async () => {
    await page.getByRole('link', { name: 'Security keys', exact: true }).click();
    await expectView(page, 'Security keys');
    await page.getByRole('button', { name: 'Add a security key' }).click();

    await expectAlert(page, /This security key is already enrolled on your account. Use a different key./);
    await expectAlert(page, /Error code: already_enrolled/);
    await screenshot(page, 'error-already-enrolled');
    expect(await keyNames()).toEqual(['Blue YubiKey (desk)']);
  });

  it('adds a second key after confirming it is Ada, once her sign-in is older than the step-up age', async () => {
    const restore = advanceServerClock(6 * 60_000);
    try {
      await page.getByRole('textbox', { name: 'Name for the new key' }).fill('Spare key');
      await page.getByRole('button', { name: 'Add a security key' }).click();

      const dialog = page.getByRole('dialog', { name: 'Confirm it is you' });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain('Adding a key needs a recent sign-in');
      await screenshot(page, 'reauthenticate');
      await dialog.getByRole('button', { name: 'Confirm with my security key' }).click();
      await expect.poll(() => dialog.textContent()).toContain('Now insert the new key you want to add');
      await screenshot(page, 'reauthenticate-new-key');

      // Ada unplugs her blue key and plugs in the spare one.
      blueCredentials = await blueKey.credentials();
      await blueKey.unplug();
      spareKey = await plugInKey(page);
      await dialog.getByRole('button', { name: 'Continue' }).click();

      await expectStatus(page, /Added “Spare key”. It can sign in to your account now./);
      expect(await keyNames()).toEqual(expect.arrayContaining(['Blue YubiKey (desk)', 'Spare key']));
      expect(await keyNames()).toHaveLength(2);
      expect(await dialog.isHidden()).toBe(true);
      await screenshot(page, 'keys');
    } finally {
      restore();
    }
  });

  it('removes a key after a confirmation, and the removed key can no longer sign in', async () => {
    await keyItem('Spare key').getByRole('button', { name: 'Remove Spare key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Remove “Spare key”?' });
    await dialog.waitFor();
    await screenshot(page, 'remove-key');
    await dialog.getByRole('button', { name: 'Remove key' }).click();

    await expectStatus(page, /Removed “Spare key”. It can no longer sign in./);
    expect(await keyNames()).toEqual(['Blue YubiKey (desk)']);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('keys-title');

    // The spare key still holds its credential; the service no longer knows it.
    await signOut(page);
    await page.getByRole('button', { name: 'Sign in with a security key' }).click();
    await expectAlert(page, /This key could not be verified. If it was removed from your account it can no longer sign in — use another key./);
    await expectAlert(page, /Error code: verification_failed/);
    await screenshot(page, 'error-key-removed');

    // Her blue key still works.
    await spareKey.unplug();
    blueKey = await plugInKey(page);
    await blueKey.addCredentials(blueCredentials);
    await page.getByRole('button', { name: 'Sign in with a security key' }).click();
    await expectView(page, 'Welcome, Ada Lovelace');
  });
});

describe.skipIf(!runnable)('the example API', () => {
  it('answers only to a valid access token', async () => {
    const missing = await stage.call('GET', '/example-api/profile');
    const forged = await stage.call('GET', '/example-api/profile', { token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln' });

    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(forged.status).toBe(401);
    expect(forged.body.detail).toBe('The access token is not valid or has expired.');
  });
});
