import type * as z from '../zod.ts';
import type { Clock } from '../ports.ts';
import type { RequestContext } from '../domain/types.ts';
import type { actorSchema } from '../events/catalog.ts';
import { buildEvent, eventCredential } from '../events/build-event.ts';
import { isCompromised, parseBlobEntries, type AuthenticatorMetadata } from '../metadata/authenticator-metadata.ts';
import type { AuthenticatorModelIndex, MetadataBlobSource, MetadataStore } from '../metadata/ports.ts';
import type { MetadataRefreshResult } from '../metadata/refresh-result.ts';
import { isBlobStale, MetadataBlobError, verifyMetadataBlob, type MetadataBlobTrust } from '../metadata/verify-metadata-blob.ts';

export interface RefreshMetadataDeps {
  /** Where the BLOB comes from; undefined when none is configured (the refresh reports `disabled`). */
  source?: MetadataBlobSource | undefined;
  trust: MetadataBlobTrust;
  store: MetadataStore;
  models: AuthenticatorModelIndex;
  clock: Clock;
}

export interface RefreshMetadataInput {
  context: RequestContext;
  /** Who asked: the schedule (`system`) or an admin. */
  actor: z.infer<typeof actorSchema>;
}

/**
 * Downloads and verifies the MDS3 BLOB (docs/metadata.md), stores its entries when it is newer
 * and current, and flags every enrolled key of a model it reports compromised, with an
 * `Authenticator Status Changed` event per key in the same transaction as the flag. The flag
 * pass runs after every refresh, whatever the BLOB's fate, over the stored compromised models:
 * a key enrolled or a flag missed since the last run is caught on the next.
 */
export const refreshMetadata = async (input: RefreshMetadataInput, deps: RefreshMetadataDeps): Promise<MetadataRefreshResult> => {
  const at = new Date(deps.clock.now());
  const base = { at: at.toISOString(), flaggedCredentials: 0, warnings: [] as string[] };

  // Ensure there is somewhere to get a BLOB from
  if (!deps.source) {
    const result: MetadataRefreshResult = {
      ...base,
      outcome: 'disabled',
      detail: 'No FIDO MDS BLOB source is configured (LOCAL_MDS_BLOB, or MDS_ROOT_CERTIFICATE in AWS); names come from the curated list only.',
    };
    await deps.store.recordRefresh(result);
    return result;
  }

  const stored = await deps.store.status();
  // The BLOB was not taken: the stored entries stay in use and their compromised models are re-checked.
  const keepStored = async (result: Omit<MetadataRefreshResult, 'flaggedCredentials'>): Promise<MetadataRefreshResult> => {
    const models = await Promise.all((stored?.compromisedModels ?? []).map((modelKey) => deps.store.find(modelKey)));
    const flaggedCredentials = await flagKeysOfCompromisedModels(models.filter((model) => model !== undefined), input, deps);
    const complete = { ...result, flaggedCredentials };
    await deps.store.recordRefresh(complete);
    return complete;
  };

  let blob: string;
  try {
    blob = await deps.source.fetchBlob();
  } catch (cause) {
    return keepStored({ ...base, outcome: 'unavailable', detail: `The BLOB could not be fetched from ${deps.source.location}: ${messageOf(cause)}` });
  }

  let verified: Awaited<ReturnType<typeof verifyMetadataBlob>>;
  try {
    verified = await verifyMetadataBlob(blob, deps.trust, at);
  } catch (cause) {
    if (!(cause instanceof MetadataBlobError)) throw cause;
    return keepStored({ ...base, outcome: 'refused', reason: cause.failure, detail: cause.message });
  }
  const { no, nextUpdate } = verified.payload;
  const about = { blobNumber: no, nextUpdate, warnings: verified.warnings };

  // MDS3 §3.2 step 6 (nextUpdate) and step 7 (no): only a current BLOB newer than the stored one is taken.
  if (isBlobStale(nextUpdate, at)) {
    return keepStored({ ...base, ...about, outcome: 'refused', reason: 'stale', detail: `BLOB ${no} is out of date: its nextUpdate ${nextUpdate} has passed.` });
  }
  if (stored?.blobNumber !== undefined && no < stored.blobNumber) {
    return keepStored({ ...base, ...about, outcome: 'refused', reason: 'not_newer', detail: `BLOB ${no} is older than the stored BLOB ${stored.blobNumber}.` });
  }
  if (stored?.blobNumber === no) {
    return keepStored({ ...base, ...about, outcome: 'unchanged', detail: `BLOB ${no} is the one already stored.` });
  }

  const { metadata, warnings } = parseBlobEntries(verified.payload.entries, no);
  await deps.store.replaceEntries(metadata);
  const compromised = metadata.filter(isCompromised);
  const flaggedCredentials = await flagKeysOfCompromisedModels(compromised, input, deps);
  const result: MetadataRefreshResult = {
    ...base,
    ...about,
    outcome: 'updated',
    entryCount: metadata.length,
    flaggedCredentials,
    warnings: [...verified.warnings, ...warnings],
    detail: `Stored BLOB ${no}: ${metadata.length} models, ${compromised.length} reported compromised; ${flaggedCredentials} enrolled keys newly flagged.`,
  };
  // Recorded last: if anything above fails, the next refresh takes this BLOB again.
  await deps.store.recordBlob(
    { blobNumber: no, nextUpdate, entryCount: metadata.length, updatedAt: at.toISOString(), compromisedModels: compromised.map((model) => model.modelKey) },
    result,
  );
  return result;
};

/** Flags each enrolled key of each model whose status it does not carry yet; returns how many changed. */
const flagKeysOfCompromisedModels = async (models: AuthenticatorMetadata[], input: RefreshMetadataInput, deps: RefreshMetadataDeps): Promise<number> => {
  let flagged = 0;
  for (const model of models) {
    const candidates = (await deps.models.findCredentials(model.modelKey)).filter((key) => key.authenticatorStatus !== model.status);
    if (candidates.length === 0) continue;
    for (const { credential, username } of await deps.models.loadCredentials(candidates)) {
      if (credential.authenticatorStatus === model.status) continue;
      const event = buildEvent(
        'Authenticator Status Changed',
        {
          actor: input.actor,
          outcome: 'success',
          user: { id: credential.userId, username },
          credential: eventCredential({ ...credential, authenticatorName: credential.authenticatorName ?? model.description }),
          authenticatorStatus: {
            ...(credential.authenticatorStatus ? { before: credential.authenticatorStatus } : {}),
            after: model.status,
            ...(model.statusEffectiveDate ? { effectiveDate: model.statusEffectiveDate } : {}),
            metadataBlobNumber: model.blobNumber,
          },
        },
        input.context,
        deps.clock,
      );
      if (await deps.models.flagCredential({ userId: credential.userId, credentialId: credential.id, status: model.status, events: [event] })) flagged += 1;
    }
  }
  return flagged;
};

const messageOf = (error: unknown): string =>
  error instanceof Error ? [error.message, error.cause instanceof Error ? error.cause.message : undefined].filter(Boolean).join(': ') : String(error);
