import { parseSession } from './parse-response.ts';
import type { Session } from './types.ts';

/**
 * Where the client keeps the session (access token, user, key). Memory is the default: see
 * docs/web.md, "Token handling", for what each place costs.
 */
export interface TokenStore {
  load(): Session | undefined;
  save(session: Session | undefined): void;
}

/** The default: the token lives in a variable and dies with the page (reload = signed out). */
export const memoryTokenStore = (): TokenStore => {
  let current: Session | undefined;
  return {
    load: () => current,
    save: (session) => {
      current = session;
    },
  };
};

/**
 * Keeps the session in a Web Storage area (`sessionStorage`: per tab, survives reloads;
 * `localStorage`: every tab, survives restarts). Any script on the origin can read it, so use
 * it only with a strict Content-Security-Policy and no third-party scripts.
 */
export const webStorageTokenStore = (storage: Storage, key = 'latchkey.session'): TokenStore => ({
  load() {
    const text = storage.getItem(key);
    if (text === null) return undefined;
    try {
      const stored = JSON.parse(text) as Session;
      // Re-validate what was stored: another script, or an older SDK, may have written it.
      const session = parseSession({ ...stored, expiresIn: (stored.expiresAt - stored.signedInAt) / 1000 }, stored.signedInAt);
      return session;
    } catch {
      storage.removeItem(key);
      return undefined;
    }
  },
  save(session) {
    if (session) storage.setItem(key, JSON.stringify(session));
    else storage.removeItem(key);
  },
});
