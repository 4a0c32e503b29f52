import type { AuthenticatorMetadata } from '../../metadata/authenticator-metadata.ts';
import { modelKeyOf } from '../../metadata/authenticator-metadata.ts';
import type { AuthenticatorModelIndex, MetadataStatus, MetadataStore } from '../../metadata/ports.ts';
import type { MemoryDatabase } from './memory-ports.ts';

/** In-memory FIDO metadata with the DynamoDB adapter's behaviour, for unit tests. */
export const createMemoryMetadataStore = (): MetadataStore & { entries: Map<string, AuthenticatorMetadata>; current: MetadataStatus | undefined } => {
  const entries = new Map<string, AuthenticatorMetadata>();
  const store = {
    entries,
    current: undefined as MetadataStatus | undefined,
    async find(modelKey: string) {
      const entry = entries.get(modelKey);
      return entry && structuredClone(entry);
    },
    async status() {
      return store.current && structuredClone(store.current);
    },
    async replaceEntries(next: AuthenticatorMetadata[]) {
      const keep = new Set(next.map((entry) => entry.modelKey));
      const removed = [...entries.keys()].filter((modelKey) => !keep.has(modelKey));
      for (const modelKey of removed) entries.delete(modelKey);
      for (const entry of next) entries.set(entry.modelKey, structuredClone(entry));
      return { written: next.length, removed: removed.length };
    },
    async recordBlob(status: Parameters<MetadataStore['recordBlob']>[0], result: Parameters<MetadataStore['recordBlob']>[1]) {
      store.current = structuredClone({ ...status, lastRefresh: result });
    },
    async recordRefresh(result: Parameters<MetadataStore['recordRefresh']>[0]) {
      store.current = structuredClone({ ...(store.current ?? { compromisedModels: [] }), lastRefresh: result });
    },
  };
  return store;
};

/** Keys by model over the in-memory database's credentials. */
export const createMemoryAuthenticatorModelIndex = (db: MemoryDatabase): AuthenticatorModelIndex => ({
  async findCredentials(modelKey) {
    return [...db.credentials.values()]
      .filter((credential) => modelKeyOf(credential) === modelKey)
      .map((credential) => ({ userId: credential.userId, credentialId: credential.id, authenticatorStatus: credential.authenticatorStatus }));
  },
  async loadCredentials(keys) {
    return keys.flatMap((key) => {
      const credential = db.credentials.get(key.credentialId);
      const user = db.users.get(key.userId);
      return credential && user ? [{ credential: structuredClone(credential), username: user.username }] : [];
    });
  },
  async flagCredential({ credentialId, status, events }) {
    const credential = db.credentials.get(credentialId);
    if (!credential || credential.authenticatorStatus === status) return false;
    credential.authenticatorStatus = status;
    db.events.push(...events);
    return true;
  },
});
