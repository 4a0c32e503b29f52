import type { AuthenticatorMetadata } from './authenticator-metadata.ts';
import { findKnownAuthenticator } from './known-authenticators.ts';

/** What users see for a key's model: "FEITIAN BioPass FIDO2 Authenticator" rather than a UUID. */
export interface AuthenticatorDescription {
  name: string;
  /** A `data:` URL; only FIDO metadata carries icons. */
  icon?: string | undefined;
  source: 'mds' | 'curated';
}

/** FIDO metadata first, then the curated list; nothing for a model neither knows (AAGUID zero included). */
export const describeAuthenticator = (aaguid: string, metadata?: AuthenticatorMetadata): AuthenticatorDescription | undefined => {
  if (metadata) return { name: metadata.description, icon: metadata.icon, source: 'mds' };
  const known = findKnownAuthenticator(aaguid);
  return known ? { name: known.name, source: 'curated' } : undefined;
};
