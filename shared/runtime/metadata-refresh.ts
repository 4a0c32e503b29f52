import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createDynamoAuthenticatorModelIndex } from '../adapters/dynamodb/metadata-store.ts';
import { createFileBlobSource } from '../adapters/metadata/file-blob-source.ts';
import { createHttpsBlobSource } from '../adapters/metadata/https-blob-source.ts';
import { createHttpCrlFetcher } from '../adapters/metadata/http-crl-fetcher.ts';
import type { MetadataBlobSource } from '../metadata/ports.ts';
import type { RefreshMetadataDeps } from '../use-cases/refresh-metadata.ts';
import { environmentVariables as names } from './variables.ts';
import { ConfigurationError, optionalString, requiredString } from './environment.ts';
import { documentClient, tableName } from './storage.ts';
import { metadataStore } from './metadata.ts';
import { systemClock } from './clock.ts';

/**
 * What the metadata refresh (the scheduled function, and the admin refresh) needs, read once
 * at cold start. Where the BLOB comes from and what it is trusted through:
 *
 * - LOCAL_MDS_BLOB set (local stage): that file, trusted through the PEM file LOCAL_MDS_ROOT,
 *   which must then be set too.
 * - MDS_ROOT_CERTIFICATE set (AWS): MDS_BLOB_URL (default https://mds3.fidoalliance.org/),
 *   trusted through that PEM.
 * - Neither: no MDS. Refreshes report `disabled`; names come from the curated list only and no
 *   attestation is trusted.
 */
export const stage = requiredString(names.stage);

const defaultBlobUrl = 'https://mds3.fidoalliance.org/';
const localBlob = optionalString(names.localMdsBlob, '');
const localRoot = optionalString(names.localMdsRoot, '');
const rootPem = optionalString(names.mdsRootCertificate, '');

/** Every certificate in a PEM text, as DER; fails the container at start if one does not parse. */
const parseRootCertificates = (pem: string, origin: string): Uint8Array[] => {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new ConfigurationError(`${origin} holds no PEM certificate`);
  return blocks.map((block) => {
    try {
      return new Uint8Array(new X509Certificate(block).raw);
    } catch (cause) {
      throw new ConfigurationError(`${origin} holds a certificate that does not parse`, { cause });
    }
  });
};

const configure = (): { source: MetadataBlobSource | undefined; rootCertificates: Uint8Array[] } => {
  if (localBlob !== '') {
    if (localRoot === '') {
      throw new ConfigurationError(
        `${names.localMdsBlob} is set but ${names.localMdsRoot} is not: give the PEM file of the root the BLOB chains to (for the real FIDO MDS, GlobalSign Root CA - R3; see docs/metadata.md)`,
      );
    }
    let pem: string;
    try {
      pem = readFileSync(localRoot, 'utf8');
    } catch (cause) {
      throw new ConfigurationError(`${names.localMdsRoot} (${localRoot}) cannot be read`, { cause });
    }
    return { source: createFileBlobSource(localBlob), rootCertificates: parseRootCertificates(pem, names.localMdsRoot) };
  }
  if (rootPem !== '') {
    return {
      source: createHttpsBlobSource(optionalString(names.mdsBlobUrl, defaultBlobUrl)),
      rootCertificates: parseRootCertificates(rootPem, names.mdsRootCertificate),
    };
  }
  return { source: undefined, rootCertificates: [] };
};

const crlPolicy = optionalString(names.mdsCrlPolicy, 'require');
if (crlPolicy !== 'require' && crlPolicy !== 'warn') {
  throw new ConfigurationError(`${names.mdsCrlPolicy} must be "require" or "warn", got "${crlPolicy}"`);
}

const { source, rootCertificates } = configure();

export const metadataRefreshDeps: RefreshMetadataDeps = {
  source,
  trust: { rootCertificates, revocation: { crls: createHttpCrlFetcher(), whenUnavailable: crlPolicy === 'require' ? 'fail' : 'warn' } },
  store: metadataStore,
  models: createDynamoAuthenticatorModelIndex(documentClient, tableName),
  clock: systemClock,
};
