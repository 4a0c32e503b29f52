import { z } from 'zod';

/**
 * Latchkey's authentication-method policy: Entra ID's FIDO2 policy plus what it lacks.
 * This schema is the one source for the policy's shape, its validation and its defaults;
 * a stage overrides defaults with a partial policy (infra/stages, or the local stage).
 */
export const aaguidSchema = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'an AAGUID in UUID form')
  .transform((value) => value.toLowerCase());

export const keyRestrictionsSchema = z.strictObject({
  enforced: z.boolean(),
  enforcementType: z.enum(['allow', 'block']),
  aaguids: z.array(aaguidSchema).max(500),
});

/** A group name as policies and users name it: compared exactly, case included. */
export const groupNameSchema = z.string().min(1).max(128);
const groupName = groupNameSchema;

export const policySchema = z.strictObject({
  enabled: z.boolean(),
  includeGroups: z.array(groupName).max(100),
  excludeGroups: z.array(groupName).max(100),
  allowSelfServiceSetup: z.boolean(),
  allowSelfSignUp: z.boolean(),
  enforceAttestation: z.boolean(),
  attestation: z.enum(['none', 'direct', 'enterprise']),
  keyRestrictions: keyRestrictionsSchema,
  allowSyncedPasskeys: z.boolean(),
  userVerification: z.enum(['required', 'preferred']),
  residentKey: z.enum(['required', 'preferred', 'discouraged']),
  counterRegression: z.enum(['reject', 'flag']),
  maxCredentialsPerUser: z.number().int().min(1).max(100),
  stepUpMaxAgeSeconds: z.number().int().min(30).max(86_400),
  registrationTimeoutSeconds: z.number().int().min(30).max(600),
  signInTimeoutSeconds: z.number().int().min(30).max(600),
  accessTokenLifetimeSeconds: z.number().int().min(60).max(86_400),
});

export type Policy = z.infer<typeof policySchema>;
export type PolicyOverrides = Partial<Policy>;

/** Defaults for every stage unless the stage config says otherwise (API.md). */
export const basePolicy: Policy = {
  enabled: true,
  includeGroups: ['*'],
  excludeGroups: [],
  allowSelfServiceSetup: true,
  allowSelfSignUp: false,
  enforceAttestation: false,
  attestation: 'none',
  keyRestrictions: { enforced: false, enforcementType: 'block', aaguids: [] },
  allowSyncedPasskeys: true,
  userVerification: 'required',
  residentKey: 'preferred',
  counterRegression: 'reject',
  maxCredentialsPerUser: 20,
  stepUpMaxAgeSeconds: 300,
  registrationTimeoutSeconds: 300,
  signInTimeoutSeconds: 300,
  accessTokenLifetimeSeconds: 900,
};

/** The local stage's defaults (API.md, "Local stage"). */
export const localPolicyOverrides: PolicyOverrides = {
  allowSelfSignUp: true,
  attestation: 'direct',
  enforceAttestation: false,
  userVerification: 'required',
  residentKey: 'required',
};

/** Ensure a stage's overrides produce a valid whole policy; throws a ZodError naming the bad field. */
export const resolvePolicyDefaults = (overrides: PolicyOverrides = {}): Policy =>
  policySchema.parse({ ...basePolicy, ...overrides });
