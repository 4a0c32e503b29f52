import type { AuditEvent } from '../events/catalog.ts';
import type { StoredCredential } from '../domain/types.ts';
import type { AuthenticatorMetadata } from './authenticator-metadata.ts';
import type { MetadataRefreshResult } from './refresh-result.ts';

/**
 * Ports of the FIDO Metadata Service feature. Each has a DynamoDB or HTTPS adapter and an
 * in-memory or file one (shared/adapters/…); use cases take them as arguments.
 */

/** Where the MDS3 BLOB (a JWT) comes from: HTTPS in AWS, a file on one machine. */
export interface MetadataBlobSource {
  /** For logs and the admin status: the URL or the file path. */
  readonly location: string;
  /** The BLOB as downloaded; throws MetadataSourceUnavailableError when it cannot be had. */
  fetchBlob(): Promise<string>;
}

/** Certificate revocation lists named by certificates' CRL distribution points (RFC 5280 §4.2.1.13). */
export interface CrlFetcher {
  /** The DER (or PEM) CRL at the URL; throws when it cannot be fetched. */
  fetch(url: string): Promise<Uint8Array>;
}

/** The read side the attestation function uses, through a per-container cache. */
export interface AuthenticatorMetadataSource {
  find(modelKey: string): Promise<AuthenticatorMetadata | undefined>;
}

/** What the last good BLOB was, and how the last refresh went. */
export interface MetadataStatus {
  blobNumber?: number | undefined;
  nextUpdate?: string | undefined;
  entryCount?: number | undefined;
  /** When the stored entries were last replaced (ISO 8601). */
  updatedAt?: string | undefined;
  /** Model keys whose current status is compromising: re-checked on every refresh. */
  compromisedModels: string[];
  lastRefresh?: MetadataRefreshResult | undefined;
}

export interface MetadataStore extends AuthenticatorMetadataSource {
  status(): Promise<MetadataStatus | undefined>;
  /** Writes every entry of a new BLOB and removes stored entries it no longer has. */
  replaceEntries(entries: AuthenticatorMetadata[]): Promise<{ written: number; removed: number }>;
  /** A new BLOB was stored: its number, dates and compromised models, and the refresh result. */
  recordBlob(status: Required<Pick<MetadataStatus, 'blobNumber' | 'nextUpdate' | 'entryCount' | 'updatedAt' | 'compromisedModels'>>, result: MetadataRefreshResult): Promise<void>;
  /** Any other outcome: only the refresh result changes. */
  recordRefresh(result: MetadataRefreshResult): Promise<void>;
}

/** A key as the model index lists it. */
export interface ModelCredential {
  userId: string;
  credentialId: string;
  authenticatorStatus?: string | undefined;
}

/** Keys by authenticator model (the `byAuthenticatorModel` index), and flagging them. */
export interface AuthenticatorModelIndex {
  findCredentials(modelKey: string): Promise<ModelCredential[]>;
  /** The credentials (without public keys) and their owners' usernames, for the events. */
  loadCredentials(keys: ModelCredential[]): Promise<{ credential: StoredCredential; username: string }[]>;
  /**
   * Sets the key's authenticatorStatus and writes the events in one transaction, unless the
   * key is gone or already has that status; returns whether it changed the key.
   */
  flagCredential(input: { userId: string; credentialId: string; status: string; events: AuditEvent[] }): Promise<boolean>;
}
