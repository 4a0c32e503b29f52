import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { chromiumAvailable, launchChromium } from '../support/chromium.ts';
import { startTestStage, type TestStage } from '../support/local-stage.ts';
import { issueEnrollmentCode, type IssuedCode } from './support/enrollment-code.ts';
import { expectAlert, expectStatus, expectView, openPortal, screenshot, signOut, type VirtualKey } from './support/portal.ts';

/**
 * First enrolment with an administrator's code ("I have a code from my administrator"), as in
 * Entra's Temporary Access Pass: Grace exists, has no key, and has a one-time code. A wrong code
 * is refused on the field; a cancelled ceremony does not use the code up; a completed one does.
 */
const runnable = chromiumAvailable();

let stage: TestStage;
let browser: Browser;
let page: Page;
let key: VirtualKey;
let issued: IssuedCode;

beforeAll(async () => {
  if (!runnable) return;
  [stage, browser] = await Promise.all([startTestStage(), launchChromium()]);
  issued = await issueEnrollmentCode(stage, { username: 'grace', displayName: 'Grace Hopper' });
});
afterAll(async () => {
  await browser?.close();
  await stage?.close();
});

const codeField = () => page.getByRole('textbox', { name: 'Enrollment code' });
const submit = () => page.getByRole('button', { name: 'Set up my security key' }).click();

describe.skipIf(!runnable)('Kestrel Hub: first key with an enrollment code', () => {
  it('finds the code entry from the sign-in page and checks the field is filled', async () => {
    ({ page, key } = await openPortal(browser, stage));
    await page.getByRole('link', { name: 'I have a code from my administrator' }).click();
    await expectView(page, 'Set up your first security key');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('enrol-title');
    expect(await codeField().getAttribute('autocomplete')).toBe('one-time-code');

    await submit();

    expect(await codeField().getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#enrol-code-error').textContent()).toBe('Enter the enrollment code from your administrator.');
    expect(await codeField().evaluate((input) => input === document.activeElement)).toBe(true);
  });

  it('refuses a wrong code on the field, before any key is touched', async () => {
    await codeField().fill('WRNG-CODE-0000-0000');
    await submit();

    await expect.poll(() => page.locator('#enrol-code-error').textContent()).toMatch(/not valid or has expired. Check it for typing mistakes/);
    expect(await codeField().getAttribute('aria-invalid')).toBe('true');
    expect(await key.credentials()).toHaveLength(0);
    await screenshot(page, 'error-bad-code');
  });

  it('a cancelled key prompt leaves the code valid', async () => {
    await key.setUserVerified(false);
    await codeField().fill(issued.code);
    await submit();

    await expectAlert(page, /No key was set up: the request was cancelled or timed out/);
    await key.setUserVerified(true);
    // Chrome's virtual authenticator keeps a credential from a refused ceremony: wipe it, as a
    // real key would never have made it.
    await key.removeCredentials();
  });

  it('enrols her first key with the code — typed any way — and signs her in', async () => {
    // People type codes in lower case and with spaces; the service normalises them.
    await codeField().fill(issued.code.toLowerCase().replaceAll('-', ' '));
    await page.getByRole('textbox', { name: 'Name for this key' }).fill('Work key');
    await screenshot(page, 'enrol-code');
    await submit();

    await expectView(page, 'Welcome, Grace Hopper');
    await expectStatus(page, /Welcome, Grace Hopper! “Work key” is set up and you are signed in./);
    await page.getByRole('link', { name: 'Security keys', exact: true }).click();
    await expect.poll(() => page.locator('#key-list .key-name').allTextContents()).toEqual(['Work key']);
  });

  it('the code is used up', async () => {
    await signOut(page);
    await page.getByRole('link', { name: 'I have a code from my administrator' }).click();
    await codeField().fill(issued.code);
    await submit();

    await expect.poll(() => page.locator('#enrol-code-error').textContent()).toMatch(/not valid or has expired/);
  });

  it('and her key signs her in', async () => {
    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await page.getByRole('textbox', { name: 'Username' }).fill('grace');
    await page.getByRole('button', { name: 'Continue with username' }).click();

    await expectView(page, 'Welcome, Grace Hopper');
  });
});
