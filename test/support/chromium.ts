import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

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
