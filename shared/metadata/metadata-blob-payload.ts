import * as z from '../zod.ts';

/**
 * The payload of the FIDO MDS3 metadata BLOB (FIDO Metadata Service v3.0 §3.1.6
 * MetadataBLOBPayload, §3.1.1 MetadataBLOBPayloadEntry, and the Metadata Statement fields
 * Latchkey uses). Unknown members are ignored: MDS adds fields between versions.
 */

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const keyIdentifier = /^[0-9a-f]{40}$/i;

export const statusReportSchema = z.object({
  status: z.string().check(z.minLength(1)),
  effectiveDate: z.optional(z.string()),
  /** Base64 (not base64url) DER of a certificate the status concerns. */
  certificate: z.optional(z.string()),
  url: z.optional(z.string()),
});

export const metadataStatementSchema = z.object({
  description: z.string().check(z.minLength(1)),
  aaguid: z.optional(z.string().check(z.regex(uuid))),
  attestationCertificateKeyIdentifiers: z.optional(z.array(z.string().check(z.regex(keyIdentifier)))),
  /** Base64 (not base64url) DER certificates: the trust anchors of this model's attestations. */
  attestationRootCertificates: z._default(z.array(z.string().check(z.minLength(1))), []),
  attestationTypes: z._default(z.array(z.string()), []),
  /** A `data:` URL (PNG). */
  icon: z.optional(z.string().check(z.startsWith('data:'))),
  friendlyNames: z.optional(z.record(z.string(), z.string())),
});

export const metadataBlobEntrySchema = z.object({
  /** UAF authenticators only; Latchkey skips entries that have nothing else. */
  aaid: z.optional(z.string()),
  aaguid: z.optional(z.string().check(z.regex(uuid))),
  attestationCertificateKeyIdentifiers: z.optional(z.array(z.string().check(z.regex(keyIdentifier)))),
  metadataStatement: z.optional(metadataStatementSchema),
  statusReports: z.array(statusReportSchema),
  timeOfLastStatusChange: z.optional(z.string()),
});
export type MetadataBlobEntry = z.infer<typeof metadataBlobEntrySchema>;

/** Entries are parsed one by one (metadataBlobEntrySchema) so one odd entry does not cost the rest. */
export const metadataBlobPayloadSchema = z.object({
  legalHeader: z.optional(z.string()),
  /** The BLOB's serial number: each new BLOB has a greater one (§3.1.6). */
  no: z.int().check(z.nonnegative()),
  /** YYYY-MM-DD: a newer BLOB will be available at the latest on this date (§3.1.6). */
  nextUpdate: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/)),
  entries: z.array(z.unknown()),
});
export type MetadataBlobPayload = z.infer<typeof metadataBlobPayloadSchema>;
