import { createCachedMetadataSource } from '../adapters/metadata/cached-metadata-source.ts';
import { createHttpCrlFetcher } from '../adapters/metadata/http-crl-fetcher.ts';
import { createDynamoMetadataStore } from '../adapters/dynamodb/metadata-store.ts';
import type { RevocationChecking } from '../metadata/certificate-path.ts';
import { environmentVariables as names } from './variables.ts';
import { optionalInteger } from './environment.ts';
import { documentClient, tableName } from './storage.ts';
import { systemClock } from './clock.ts';

/**
 * FIDO metadata as the attestation function reads it: the stored entries through a
 * per-container cache (MDS_CACHE_SECONDS). It needs no MDS configuration and no download.
 */
export const metadataStore = createDynamoMetadataStore(documentClient, tableName);

export const metadataSource = createCachedMetadataSource(metadataStore, { cacheSeconds: optionalInteger(names.mdsCacheSeconds, 300) }, systemClock);

/**
 * CRLs named by attestation certificates are checked, but one that cannot be fetched does not
 * make a model unenrollable: vendors' CRL endpoints are often gone, and FIDO metadata reports a
 * compromised attestation key itself (ATTESTATION_KEY_COMPROMISE). docs/metadata.md.
 */
export const attestationRevocation: RevocationChecking = { crls: createHttpCrlFetcher(), whenUnavailable: 'warn' };
