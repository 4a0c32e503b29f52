import type { Clock } from '../../ports.ts';
import type { AuthenticatorMetadata } from '../../metadata/authenticator-metadata.ts';
import type { AuthenticatorMetadataSource } from '../../metadata/ports.ts';

/**
 * Per-container cache in front of the stored metadata (MDS_CACHE_SECONDS): a registration
 * reads a model at most once per period, and models without an entry are remembered too.
 * A refreshed BLOB is seen by every container within the period.
 */
export const createCachedMetadataSource = (source: AuthenticatorMetadataSource, settings: { cacheSeconds: number }, clock: Clock): AuthenticatorMetadataSource => {
  const cache = new Map<string, { value: AuthenticatorMetadata | undefined; until: number }>();
  return {
    async find(modelKey) {
      const now = clock.now();
      const cached = cache.get(modelKey);
      if (cached && now < cached.until) return cached.value;
      const value = await source.find(modelKey);
      if (settings.cacheSeconds > 0) cache.set(modelKey, { value, until: now + settings.cacheSeconds * 1000 });
      return value;
    },
  };
};
