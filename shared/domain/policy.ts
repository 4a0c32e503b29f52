import * as z from '../zod.ts';

/**
 * Latchkey's authentication-method policy: Entra ID's FIDO2 policy plus what it lacks.
 * This schema is the one source for the policy's shape, its validation and its defaults;
 * a stage overrides defaults with a partial policy (infra/stages, or the local stage).
 */
export const aaguidSchema = z.pipe(
  z.string().check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, 'an AAGUID in UUID form')),
  z.transform((value: string) => value.toLowerCase()),
);

export const keyRestrictionsSchema = z.strictObject({
  enforced: z.boolean(),
  enforcementType: z.enum(['allow', 'block']),
  aaguids: z.array(aaguidSchema).check(z.maxLength(500)),
});

/** A group name as policies and users name it: compared exactly, case included. */
export const groupNameSchema = z.string().check(z.minLength(1), z.maxLength(128));
const groupName = groupNameSchema;

export const policySchema = z.strictObject({
  enabled: z.boolean(),
  includeGroups: z.array(groupName).check(z.maxLength(100)),
  excludeGroups: z.array(groupName).check(z.maxLength(100)),
  allowSelfServiceSetup: z.boolean(),
  allowSelfSignUp: z.boolean(),
  enforceAttestation: z.boolean(),
  attestation: z.enum(['none', 'direct', 'enterprise']),
  keyRestrictions: keyRestrictionsSchema,
  allowSyncedPasskeys: z.boolean(),
  userVerification: z.enum(['required', 'preferred']),
  residentKey: z.enum(['required', 'preferred', 'discouraged']),
  counterRegression: z.enum(['reject', 'flag']),
  maxCredentialsPerUser: z.int().check(z.gte(1), z.lte(100)),
  stepUpMaxAgeSeconds: z.int().check(z.gte(30), z.lte(86_400)),
  registrationTimeoutSeconds: z.int().check(z.gte(30), z.lte(600)),
  signInTimeoutSeconds: z.int().check(z.gte(30), z.lte(600)),
  accessTokenLifetimeSeconds: z.int().check(z.gte(60), z.lte(86_400)),
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

/** Ensure a stage's overrides produce a valid whole policy; throws a $ZodError naming the bad field. */
export const resolvePolicyDefaults = (overrides: PolicyOverrides = {}): Policy =>
  policySchema.parse({ ...basePolicy, ...overrides });
