import { currentStatusReport, isCompromisingStatus } from './authenticator-status.ts';
import { metadataBlobEntrySchema, type MetadataBlobEntry } from './metadata-blob-payload.ts';

/**
 * What Latchkey keeps of one MDS entry, per authenticator model: enough to judge an
 * attestation, refuse a compromised model and name the key. A model is found by its AAGUID
 * (FIDO2) or, for FIDO U2F keys (AAGUID zero), by the key identifier of its attestation
 * certificate.
 */
export interface AuthenticatorMetadata {
  /** `AAGUID#<uuid>` or `KEYID#<hex>`: see modelKeys. */
  modelKey: string;
  aaguid?: string | undefined;
  description: string;
  /** A `data:` URL, when MDS has one. */
  icon?: string | undefined;
  /** Base64 DER trust anchors of this model's attestation certificates. */
  attestationRootCertificates: string[];
  attestationTypes: string[];
  /** The current status (latest status report), e.g. FIDO_CERTIFIED_L1 or REVOKED. */
  status: string;
  statusEffectiveDate?: string | undefined;
  /** The `no` of the BLOB this came from. */
  blobNumber: number;
}

/** How a model is addressed; lower case, so lookups do not depend on how MDS or a key spells it. */
export const modelKeys = {
  aaguid: (aaguid: string) => `AAGUID#${aaguid.toLowerCase()}`,
  keyIdentifier: (keyIdentifier: string) => `KEYID#${keyIdentifier.toLowerCase()}`,
} as const;

export const zeroAaguid = '00000000-0000-0000-0000-000000000000';

/** The model key of a registered key: its AAGUID, or its U2F attestation key identifier; none for AAGUID zero. */
export const modelKeyOf = (key: { aaguid: string; attestationKeyIdentifier?: string | undefined }): string | undefined => {
  if (key.attestationKeyIdentifier) return modelKeys.keyIdentifier(key.attestationKeyIdentifier);
  if (key.aaguid && key.aaguid !== zeroAaguid) return modelKeys.aaguid(key.aaguid);
  return undefined;
};

export const isCompromised = (metadata: Pick<AuthenticatorMetadata, 'status'> | undefined): boolean => isCompromisingStatus(metadata?.status);

/**
 * One stored record per way the entry's model can be looked up (its AAGUID, each U2F key
 * identifier). Entries for UAF authenticators only (AAID, no AAGUID or key identifier) yield none.
 */
export const toAuthenticatorMetadata = (entry: MetadataBlobEntry, blobNumber: number): AuthenticatorMetadata[] => {
  const statement = entry.metadataStatement;
  const aaguid = (entry.aaguid ?? statement?.aaguid)?.toLowerCase();
  const keyIdentifiers = [...new Set([...(entry.attestationCertificateKeyIdentifiers ?? []), ...(statement?.attestationCertificateKeyIdentifiers ?? [])].map((id) => id.toLowerCase()))];
  const current = currentStatusReport(entry.statusReports);
  const shared = {
    aaguid,
    description: statement?.friendlyNames?.['en-US'] ?? statement?.description ?? 'Unnamed authenticator',
    icon: statement?.icon,
    attestationRootCertificates: statement?.attestationRootCertificates ?? [],
    attestationTypes: statement?.attestationTypes ?? [],
    status: current?.status ?? 'NOT_FIDO_CERTIFIED',
    statusEffectiveDate: current?.effectiveDate,
    blobNumber,
  };
  return [
    ...(aaguid && aaguid !== zeroAaguid ? [{ modelKey: modelKeys.aaguid(aaguid), ...shared }] : []),
    ...keyIdentifiers.map((keyIdentifier) => ({ modelKey: modelKeys.keyIdentifier(keyIdentifier), ...shared })),
  ];
};

/** Parses each BLOB entry on its own: a malformed entry is skipped and named in the warnings. */
export const parseBlobEntries = (entries: readonly unknown[], blobNumber: number): { metadata: AuthenticatorMetadata[]; warnings: string[] } => {
  const metadata: AuthenticatorMetadata[] = [];
  const warnings: string[] = [];
  entries.forEach((raw, index) => {
    const parsed = metadataBlobEntrySchema.safeParse(raw);
    if (!parsed.success) {
      warnings.push(`Entry ${index} skipped: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? 'is malformed'}`.trim());
      return;
    }
    metadata.push(...toAuthenticatorMetadata(parsed.data, blobNumber));
  });
  // The same model twice (a vendor listing an AAGUID in two entries): the later entry wins.
  const byKey = new Map(metadata.map((record) => [record.modelKey, record]));
  return { metadata: [...byKey.values()], warnings };
};
