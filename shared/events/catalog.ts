import { z } from 'zod';

/**
 * The audit event contract (../design/EVENTS.md), schemaVersion 1. These schemas are the one
 * source: TypeScript types are inferred from them and docs/events/*.schema.json is generated
 * from them (scripts/generate-event-schemas.ts). Changing a shape here is a public change.
 */
export const eventSource = 'latchkey';

export const failureReasons = [
  'challenge_unknown',
  'challenge_expired',
  'challenge_wrong_ceremony',
  'type_mismatch',
  'origin_mismatch',
  'rp_id_mismatch',
  'user_presence_missing',
  'user_verification_missing',
  'signature_invalid',
  'counter_regression',
  'backup_eligibility_changed',
  'credential_unknown',
  'credential_already_registered',
  'user_handle_mismatch',
  'user_mismatch',
  'user_unknown',
  'user_disabled',
  'username_taken',
  'policy_disabled',
  'user_not_targeted',
  'self_service_disabled',
  'self_sign_up_disabled',
  'credential_limit_reached',
  'aaguid_restricted',
  'attestation_untrusted',
  'authenticator_revoked',
  'synced_passkey_not_allowed',
  'algorithm_unsupported',
  'attestation_invalid',
  'enrollment_code_invalid',
  'token_invalid',
  'reauthentication_required',
  'malformed_response',
  'concurrent_update',
] as const;
export type FailureReason = (typeof failureReasons)[number];

const isoDateTime = z.iso.datetime({ offset: true });

export const actorSchema = z.strictObject({
  /** `system`: Latchkey itself, e.g. the scheduled metadata refresh (principal names the job). */
  type: z.enum(['user', 'admin', 'anonymous', 'system']),
  userId: z.string().optional(),
  principal: z.string().optional(),
});

export const clientSchema = z.strictObject({
  ip: z.string(),
  userAgent: z.string(),
  origin: z.string().optional(),
});

export const eventUserSchema = z.strictObject({ id: z.string(), username: z.string() });

export const eventCredentialSchema = z.strictObject({
  id: z.string(),
  aaguid: z.string(),
  authenticatorName: z.string().optional(),
  nickname: z.string().optional(),
  userVerified: z.boolean(),
  backupEligible: z.boolean(),
  backedUp: z.boolean(),
  transports: z.array(z.string()),
  attestationFormat: z.string().optional(),
  attestationTrusted: z.boolean().optional(),
});

export type EventUser = z.infer<typeof eventUserSchema>;
export type EventCredential = z.infer<typeof eventCredentialSchema>;

const changeSchema = z.strictObject({ before: z.unknown(), after: z.unknown() });

/** A key's model changed status in FIDO metadata (docs/metadata.md): what it was, what it is, from which BLOB. */
export const authenticatorStatusChangeSchema = z.strictObject({
  before: z.string().optional(),
  after: z.string(),
  /** The status report's effectiveDate (YYYY-MM-DD), when MDS gives one. */
  effectiveDate: z.string().optional(),
  /** The `no` of the MDS BLOB that reported it. */
  metadataBlobNumber: z.number().int(),
});

export const envelopeSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** ULID: unique and sortable. Consumers de-duplicate on it. */
  eventId: z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/),
  occurredAt: isoDateTime,
  stage: z.string(),
  requestId: z.string(),
  actor: actorSchema,
  client: clientSchema,
  outcome: z.enum(['success', 'failure']),
  reason: z.enum(failureReasons).optional(),
  user: eventUserSchema.optional(),
  credential: eventCredentialSchema.optional(),
  policy: z.strictObject({ before: z.unknown(), after: z.unknown() }).optional(),
  how: z.enum(['selfService', 'enrollmentCode', 'selfSignUp', 'admin']).optional(),
  changes: z.record(z.string(), changeSchema).optional(),
  counter: z.strictObject({ stored: z.number().int(), received: z.number().int() }).optional(),
  authenticatorStatus: authenticatorStatusChangeSchema.optional(),
});
export type EventDetail = z.infer<typeof envelopeSchema>;

const success = { outcome: z.literal('success') };
const failure = { outcome: z.literal('failure'), reason: z.enum(failureReasons) };

/** Each detail-type narrows the envelope: which fields it always carries. */
export const detailSchemas = {
  'User Created': envelopeSchema.extend({ ...success, user: eventUserSchema, how: z.enum(['selfSignUp', 'admin']) }),
  'User Updated': envelopeSchema.extend({ ...success, user: eventUserSchema, changes: z.record(z.string(), changeSchema) }),
  /** An admin deleted the user (each of their keys has its own Credential Deleted). Added with the admin API. */
  'User Deleted': envelopeSchema.extend({ ...success, user: eventUserSchema }),
  'Enrollment Code Issued': envelopeSchema.extend({ ...success, user: eventUserSchema }),
  'Credential Registered': envelopeSchema.extend({
    ...success,
    user: eventUserSchema,
    credential: eventCredentialSchema,
    how: z.enum(['selfService', 'enrollmentCode', 'selfSignUp']),
  }),
  'Credential Registration Failed': envelopeSchema.extend({ ...failure }),
  'Credential Renamed': envelopeSchema.extend({
    ...success,
    user: eventUserSchema,
    credential: eventCredentialSchema,
    changes: z.record(z.string(), changeSchema),
  }),
  'Credential Deleted': envelopeSchema.extend({ ...success, user: eventUserSchema, credential: eventCredentialSchema }),
  'Sign-In Succeeded': envelopeSchema.extend({ ...success, user: eventUserSchema, credential: eventCredentialSchema }),
  'Sign-In Failed': envelopeSchema.extend({ ...failure }),
  'Credential Clone Suspected': envelopeSchema.extend({
    outcome: z.enum(['success', 'failure']),
    reason: z.literal('counter_regression'),
    user: eventUserSchema,
    credential: eventCredentialSchema,
    counter: z.strictObject({ stored: z.number().int(), received: z.number().int() }),
  }),
  'Policy Updated': envelopeSchema.extend({
    ...success,
    policy: z.strictObject({ before: z.unknown(), after: z.unknown() }),
  }),
  'Authenticator Status Changed': envelopeSchema.extend({
    ...success,
    user: eventUserSchema,
    credential: eventCredentialSchema,
    authenticatorStatus: authenticatorStatusChangeSchema,
  }),
} as const;

export type DetailType = keyof typeof detailSchemas;
export const detailTypes = Object.keys(detailSchemas) as DetailType[];

export type DetailOf<T extends DetailType> = z.infer<(typeof detailSchemas)[T]>;

/** An audit event as the use cases produce it and the outbox stores it. */
export type AuditEvent = { [T in DetailType]: { detailType: T; detail: DetailOf<T> } }[DetailType];

/** The EventBridge event shape written locally (one JSON per line) and sent with PutEvents. */
export interface PublishedEvent {
  id: string;
  source: typeof eventSource;
  'detail-type': DetailType;
  time: string;
  detail: EventDetail;
}
