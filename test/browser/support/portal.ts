import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { TestStage } from '../../support/local-stage.ts';

/**
 * Drives the demo app (Kestrel Hub) the way a person does: a browser context per person, a
 * virtual authenticator standing in for their security key, and screenshots for docs/web.md.
 */

export const screenshotDirectory = fileURLToPath(new URL('../../../docs/screenshots/', import.meta.url));

/** A credential as the CDP WebAuthn domain exports it (private key included). */
export interface StoredCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId?: string;
  privateKey: string;
  userHandle?: string;
  signCount: number;
}

/** A virtual FIDO2 authenticator on one page: a USB security key, or (`internal`) a platform passkey. */
export interface VirtualKey {
  readonly id: string;
  credentials(): Promise<StoredCredential[]>;
  /** Copies credentials onto this authenticator: the same key plugged into another browser. */
  addCredentials(credentials: StoredCredential[]): Promise<void>;
  removeCredentials(): Promise<void>;
  /** false: the PIN or fingerprint check fails, as when the person refuses or cancels it. */
  setUserVerified(verified: boolean): Promise<void>;
  /** false: nobody touches the key, so a ceremony waits until it is cancelled or times out. */
  setTouched(touched: boolean): Promise<void>;
  unplug(): Promise<void>;
}

const sessions = new WeakMap<Page, Promise<CDPSession>>();
const cdpOf = (page: Page) => {
  let session = sessions.get(page);
  if (!session) {
    session = page
      .context()
      .newCDPSession(page)
      .then(async (cdp) => {
        await cdp.send('WebAuthn.enable', { enableUI: false });
        return cdp;
      });
    sessions.set(page, session);
  }
  return session;
};

export const plugInKey = async (page: Page, options: { transport?: 'usb' | 'internal' } = {}): Promise<VirtualKey> => {
  const cdp = await cdpOf(page);
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: options.transport ?? 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    id: authenticatorId,
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    addCredentials: async (credentials) => {
      for (const credential of credentials) await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
    },
    removeCredentials: async () => {
      await cdp.send('WebAuthn.clearCredentials', { authenticatorId });
    },
    setUserVerified: async (isUserVerified) => {
      await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified });
    },
    setTouched: async (enabled) => {
      await cdp.send('WebAuthn.setAutomaticPresenceSimulation', { authenticatorId, enabled });
    },
    unplug: async () => {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    },
  };
};

/**
 * A fresh browser context on the portal (its own memory, so its own session) with a key
 * plugged in before the page loads, as a person's key is.
 */
export const openPortal = async (
  browser: Browser,
  stage: TestStage,
  path = '/',
  options: { transport?: 'usb' | 'internal' } = {},
): Promise<{ page: Page; key: VirtualKey }> => {
  const context = await browser.newContext({
    viewport: { width: 1100, height: 760 },
    locale: 'en-GB',
    timezoneId: 'UTC',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => {
    throw new Error(`The demo app threw: ${error.message}`);
  });
  const key = await plugInKey(page, options);
  await page.goto(`${stage.url}${path}`);
  return { page, key };
};

/** Saves the screen for docs/web.md (docs/screenshots/<name>.png). */
export const screenshot = async (page: Page, name: string) => {
  mkdirSync(screenshotDirectory, { recursive: true });
  await page.screenshot({ path: `${screenshotDirectory}${name}.png`, animations: 'disabled', caret: 'hide' });
};

/** The heading of the view on screen (each view's h1 gets focus when it is shown). */
export const expectView = async (page: Page, heading: string | RegExp) => {
  await expect.poll(() => page.locator('main h1:visible').textContent(), { timeout: 15_000 }).toMatch(heading);
};

export const statusText = (page: Page) => page.locator('#status').textContent();
export const alertText = (page: Page) => page.locator('#alert').textContent();

/** Waits for the polite status (or the alert) to say something matching. */
export const expectStatus = (page: Page, text: RegExp) => expect.poll(() => statusText(page), { timeout: 15_000 }).toMatch(text);
export const expectAlert = (page: Page, text: RegExp) => expect.poll(() => alertText(page), { timeout: 15_000 }).toMatch(text);

export const signOut = async (page: Page) => {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectView(page, 'Sign in to Kestrel Hub');
};

/**
 * Moves the server's clock forward (the stage runs in this process): a sign-in becomes older
 * than the policy's step-up age without waiting minutes. Returns the undo.
 */
export const advanceServerClock = (milliseconds: number): (() => void) => {
  const realNow = Date.now;
  Date.now = () => realNow() + milliseconds;
  return () => {
    Date.now = realNow;
  };
};
