import { z } from 'zod';

/**
 * The payload of the FIDO MDS3 metadata BLOB (FIDO Metadata Service v3.0 §3.1.6
 * MetadataBLOBPayload, §3.1.1 MetadataBLOBPayloadEntry, and the Metadata Statement fields
 * Latchkey uses). Unknown members are ignored: MDS adds fields between versions.
 */

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const keyIdentifier = /^[0-9a-f]{40}$/i;

export const statusReportSchema = z.object({
  status: z.string().min(1),
  effectiveDate: z.string().optional(),
  /** Base64 (not base64url) DER of a certificate the status concerns. */
  certificate: z.string().optional(),
  url: z.string().optional(),
});

export const metadataStatementSchema = z.object({
  description: z.string().min(1),
  aaguid: z.string().regex(uuid).optional(),
  attestationCertificateKeyIdentifiers: z.array(z.string().regex(keyIdentifier)).optional(),
  /** Base64 (not base64url) DER certificates: the trust anchors of this model's attestations. */
  attestationRootCertificates: z.array(z.string().min(1)).default([]),
  attestationTypes: z.array(z.string()).default([]),
  /** A `data:` URL (PNG). */
  icon: z.string().startsWith('data:').optional(),
  friendlyNames: z.record(z.string(), z.string()).optional(),
});

export const metadataBlobEntrySchema = z.object({
  /** UAF authenticators only; Latchkey skips entries that have nothing else. */
  aaid: z.string().optional(),
  aaguid: z.string().regex(uuid).optional(),
  attestationCertificateKeyIdentifiers: z.array(z.string().regex(keyIdentifier)).optional(),
  metadataStatement: metadataStatementSchema.optional(),
  statusReports: z.array(statusReportSchema),
  timeOfLastStatusChange: z.string().optional(),
});
export type MetadataBlobEntry = z.infer<typeof metadataBlobEntrySchema>;

/** Entries are parsed one by one (metadataBlobEntrySchema) so one odd entry does not cost the rest. */
export const metadataBlobPayloadSchema = z.object({
  legalHeader: z.string().optional(),
  /** The BLOB's serial number: each new BLOB has a greater one (§3.1.6). */
  no: z.number().int().nonnegative(),
  /** YYYY-MM-DD: a newer BLOB will be available at the latest on this date (§3.1.6). */
  nextUpdate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  entries: z.array(z.unknown()),
});
export type MetadataBlobPayload = z.infer<typeof metadataBlobPayloadSchema>;
