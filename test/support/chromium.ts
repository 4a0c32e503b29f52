import { existsSync } from 'node:fs';
import { chromium, type Browser, type CDPSession, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether browser tests can run here. Under CI=true a missing Chromium is a failure, never a
 * skip: the browser is the real client of this service.
 */
export const chromiumAvailable = (): boolean => {
  if (existsSync(chromiumPath)) return true;
  if (process.env.CI === 'true') {
    throw new Error(`Chromium not found at ${chromiumPath}; CI must install it (apt-get install -y chromium).`);
  }
  console.warn(`Skipping browser tests: no Chromium at ${chromiumPath} (install Debian's chromium, or set CHROMIUM_PATH).`);
  return false;
};

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

export interface VirtualAuthenticator {
  id: string;
  cdp: CDPSession;
  remove(): Promise<void>;
  credentialIds(): Promise<string[]>;
}

/** Chrome's virtual authenticator (CDP WebAuthn domain): a CTAP2 USB security key with a PIN. */
export const addVirtualAuthenticator = async (page: Page): Promise<VirtualAuthenticator> => {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    id: authenticatorId,
    cdp,
    remove: async () => {
      await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
    },
    credentialIds: async () => {
      const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
      return credentials.map((credential) => Buffer.from(credential.credentialId, 'base64').toString('base64url'));
    },
  };
};
