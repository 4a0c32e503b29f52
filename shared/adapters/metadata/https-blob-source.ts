import type { MetadataBlobSource } from '../../metadata/ports.ts';

/** The BLOB can be several megabytes; anything far larger is not the MDS3 BLOB. */
const maximumBlobBytes = 50 * 1024 * 1024;

export class MetadataSourceUnavailableError extends Error {
  override readonly name = 'MetadataSourceUnavailableError';
}

/** Downloads the MDS3 BLOB (`https://mds3.fidoalliance.org/` by default) with a time limit. */
export const createHttpsBlobSource = (url: string, options: { timeoutMilliseconds?: number } = {}): MetadataBlobSource => ({
  location: url,
  async fetchBlob() {
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMilliseconds ?? 30_000), redirect: 'follow' });
    } catch (cause) {
      throw new MetadataSourceUnavailableError(`Could not reach ${url}`, { cause });
    }
    if (!response.ok) throw new MetadataSourceUnavailableError(`${url} answered ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > maximumBlobBytes) throw new MetadataSourceUnavailableError(`${url} sent ${declared} bytes, more than ${maximumBlobBytes}`);
    const text = await response.text();
    if (Buffer.byteLength(text) > maximumBlobBytes) throw new MetadataSourceUnavailableError(`${url} sent more than ${maximumBlobBytes} bytes`);
    return text;
  },
});
