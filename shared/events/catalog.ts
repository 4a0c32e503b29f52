import * as z from '../zod.ts';

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
  userId: z.optional(z.string()),
  principal: z.optional(z.string()),
});

export const clientSchema = z.strictObject({
  ip: z.string(),
  userAgent: z.string(),
  origin: z.optional(z.string()),
});

export const eventUserSchema = z.strictObject({ id: z.string(), username: z.string() });

export const eventCredentialSchema = z.strictObject({
  id: z.string(),
  aaguid: z.string(),
  authenticatorName: z.optional(z.string()),
  nickname: z.optional(z.string()),
  userVerified: z.boolean(),
  backupEligible: z.boolean(),
  backedUp: z.boolean(),
  transports: z.array(z.string()),
  attestationFormat: z.optional(z.string()),
  attestationTrusted: z.optional(z.boolean()),
});

export type EventUser = z.infer<typeof eventUserSchema>;
export type EventCredential = z.infer<typeof eventCredentialSchema>;

const changeSchema = z.strictObject({ before: z.unknown(), after: z.unknown() });

/** A key's model changed status in FIDO metadata (docs/metadata.md): what it was, what it is, from which BLOB. */
export const authenticatorStatusChangeSchema = z.strictObject({
  before: z.optional(z.string()),
  after: z.string(),
  /** The status report's effectiveDate (YYYY-MM-DD), when MDS gives one. */
  effectiveDate: z.optional(z.string()),
  /** The `no` of the MDS BLOB that reported it. */
  metadataBlobNumber: z.int(),
});

export const envelopeSchema = z.strictObject({
  schemaVersion: z.literal(1),
  /** ULID: unique and sortable. Consumers de-duplicate on it. */
  eventId: z.string().check(z.regex(/^[0-9A-HJKMNP-TV-Z]{26}$/)),
  occurredAt: isoDateTime,
  stage: z.string(),
  requestId: z.string(),
  actor: actorSchema,
  client: clientSchema,
  outcome: z.enum(['success', 'failure']),
  reason: z.optional(z.enum(failureReasons)),
  user: z.optional(eventUserSchema),
  credential: z.optional(eventCredentialSchema),
  policy: z.optional(z.strictObject({ before: z.unknown(), after: z.unknown() })),
  how: z.optional(z.enum(['selfService', 'enrollmentCode', 'selfSignUp', 'admin'])),
  changes: z.optional(z.record(z.string(), changeSchema)),
  counter: z.optional(z.strictObject({ stored: z.int(), received: z.int() })),
  authenticatorStatus: z.optional(authenticatorStatusChangeSchema),
});
export type EventDetail = z.infer<typeof envelopeSchema>;

const success = { outcome: z.literal('success') };
const failure = { outcome: z.literal('failure'), reason: z.enum(failureReasons) };

/** Each detail-type narrows the envelope: which fields it always carries. */
export const detailSchemas = {
  'User Created': z.extend(envelopeSchema, { ...success, user: eventUserSchema, how: z.enum(['selfSignUp', 'admin']) }),
  'User Updated': z.extend(envelopeSchema, { ...success, user: eventUserSchema, changes: z.record(z.string(), changeSchema) }),
  /** An admin deleted the user (each of their keys has its own Credential Deleted). Added with the admin API. */
  'User Deleted': z.extend(envelopeSchema, { ...success, user: eventUserSchema }),
  'Enrollment Code Issued': z.extend(envelopeSchema, { ...success, user: eventUserSchema }),
  'Credential Registered': z.extend(envelopeSchema, {
    ...success,
    user: eventUserSchema,
    credential: eventCredentialSchema,
    how: z.enum(['selfService', 'enrollmentCode', 'selfSignUp']),
  }),
  'Credential Registration Failed': z.extend(envelopeSchema, { ...failure }),
  'Credential Renamed': z.extend(envelopeSchema, {
    ...success,
    user: eventUserSchema,
    credential: eventCredentialSchema,
    changes: z.record(z.string(), changeSchema),
  }),
  'Credential Deleted': z.extend(envelopeSchema, { ...success, user: eventUserSchema, credential: eventCredentialSchema }),
  'Sign-In Succeeded': z.extend(envelopeSchema, { ...success, user: eventUserSchema, credential: eventCredentialSchema }),
  'Sign-In Failed': z.extend(envelopeSchema, { ...failure }),
  'Credential Clone Suspected': z.extend(envelopeSchema, {
    outcome: z.enum(['success', 'failure']),
    reason: z.literal('counter_regression'),
    user: eventUserSchema,
    credential: eventCredentialSchema,
    counter: z.strictObject({ stored: z.int(), received: z.int() }),
  }),
  'Policy Updated': z.extend(envelopeSchema, {
    ...success,
    policy: z.strictObject({ before: z.unknown(), after: z.unknown() }),
  }),
  'Authenticator Status Changed': z.extend(envelopeSchema, {
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
