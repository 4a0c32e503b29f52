import { readFile } from 'node:fs/promises';
import type { MetadataBlobSource } from '../../metadata/ports.ts';
import { MetadataSourceUnavailableError } from './https-blob-source.ts';

/** The local stage's BLOB (LOCAL_MDS_BLOB): read on every refresh, so replacing the file is picked up. */
export const createFileBlobSource = (path: string): MetadataBlobSource => ({
  location: path,
  async fetchBlob() {
    try {
      return await readFile(path, 'utf8');
    } catch (cause) {
      throw new MetadataSourceUnavailableError(`Could not read the BLOB file ${path}`, { cause });
    }
  },
});
