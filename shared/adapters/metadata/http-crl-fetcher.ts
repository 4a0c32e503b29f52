import type { CrlFetcher } from '../../metadata/ports.ts';

/**
 * Fetches CRLs over HTTP(S) with a short time limit and keeps each one for a while per
 * container (CRLs are published for days; MDS CAs update theirs at most daily). Failures are
 * not cached: the next check tries again.
 */
export const createHttpCrlFetcher = (options: { timeoutMilliseconds?: number; cacheSeconds?: number; now?: () => number } = {}): CrlFetcher => {
  const cache = new Map<string, { bytes: Uint8Array; until: number }>();
  const now = options.now ?? Date.now;
  return {
    async fetch(url) {
      const cached = cache.get(url);
      if (cached && now() < cached.until) return cached.bytes;
      // Ensure only web URLs are fetched (a CRL distribution point may also name LDAP)
      if (!/^https?:\/\//i.test(url)) throw new Error(`Only http(s) CRL distribution points are fetched, not ${url}`);
      const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMilliseconds ?? 5_000) });
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
      const bytes = new Uint8Array(await response.arrayBuffer());
      cache.set(url, { bytes, until: now() + (options.cacheSeconds ?? 3_600) * 1000 });
      return bytes;
    },
  };
};
