import * as z from '../zod.ts';
import type { RouteKey } from '../routes.ts';
import { policySchema } from '../domain/policy.ts';
import { transportSchema } from '../webauthn/response-schemas.ts';
import { startRegistrationRequest } from '../use-cases/start-registration.ts';
import { finishRegistrationRequest } from '../use-cases/finish-registration.ts';
import { startSignInRequest } from '../use-cases/start-sign-in.ts';
import { finishSignInRequest } from '../use-cases/finish-sign-in.ts';
import { renameCredentialRequest } from '../use-cases/manage-credentials.ts';
import { createUserRequest, updateUserRequest } from '../use-cases/admin/manage-users.ts';
import { issueEnrollmentCodeRequest } from '../use-cases/admin/issue-enrollment-code.ts';

/**
 * The HTTP contract per route, for the OpenAPI document (scripts/generate-openapi.ts →
 * docs/openapi.json). Request bodies are the very schemas the handlers validate with; response
 * shapes are declared here and held equal to the domain types by a type-level test. Keyed by
 * the route table's keys, so a route without a contract does not compile. Not imported by any
 * function: it exists for the document and the tests.
 */
export const userShape = z.strictObject({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  groups: z.array(z.string()),
  disabled: z.boolean(),
  createdAt: z.string(),
});

export const credentialShape = z.strictObject({
  id: z.string(),
  nickname: z.string(),
  aaguid: z.string(),
  authenticatorName: z.optional(z.string()),
  transports: z.array(transportSchema),
  createdAt: z.string(),
  lastUsedAt: z.optional(z.string()),
  backupEligible: z.boolean(),
  backedUp: z.boolean(),
  attestation: z.strictObject({ format: z.string(), trusted: z.boolean() }),
});

/** Admin listings also show keys flagged under `counterRegression: flag`. */
export const adminCredentialShape = z.extend(credentialShape, { cloneSuspected: z.optional(z.boolean()) });

const tokenFields = { accessToken: z.string(), tokenType: z.literal('Bearer'), expiresIn: z.number() };
const webauthnOptions = z.strictObject({ options: z.record(z.string(), z.unknown()) });

export const problemShape = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.number(),
  detail: z.string(),
  code: z.string(),
});

export interface RouteContract {
  summary: string;
  request?: z.ZodMiniType;
  status: number;
  response?: z.ZodMiniType;
}

export const apiContract = {
  'POST /v1/registration/options': {
    summary: 'Creation options for a new key: bearer token, enrollment code, or self sign-up',
    request: startRegistrationRequest,
    status: 200,
    response: webauthnOptions,
  },
  'POST /v1/registration/verify': {
    summary: 'Verify an attestation, store the key, sign the user in',
    request: finishRegistrationRequest,
    status: 201,
    response: z.strictObject({ credential: credentialShape, user: userShape, ...tokenFields }),
  },
  'POST /v1/authentication/options': {
    summary: 'Request options: usernameless, or username-first',
    request: startSignInRequest,
    status: 200,
    response: webauthnOptions,
  },
  'POST /v1/authentication/verify': {
    summary: 'Verify an assertion and issue an access token',
    request: finishSignInRequest,
    status: 200,
    response: z.strictObject({ ...tokenFields, user: userShape, credential: credentialShape }),
  },
  'GET /v1/credentials': { summary: "The caller's keys (bearer)", status: 200, response: z.strictObject({ credentials: z.array(credentialShape) }) },
  'PATCH /v1/credentials/{credentialId}': { summary: 'Rename one of your keys (bearer)', request: renameCredentialRequest, status: 200, response: credentialShape },
  'DELETE /v1/credentials/{credentialId}': { summary: 'Remove one of your keys (bearer, recent sign-in)', status: 204 },
  'GET /.well-known/jwks.json': {
    summary: 'Public keys that verify access tokens',
    status: 200,
    response: z.strictObject({ keys: z.array(z.strictObject({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string(), kid: z.string(), alg: z.literal('ES256'), use: z.literal('sig') })) }),
  },
  'GET /v1/admin/policy': { summary: 'The effective policy', status: 200, response: policySchema },
  'PUT /v1/admin/policy': { summary: 'Replace the policy (validated whole)', request: policySchema, status: 200, response: policySchema },
  'POST /v1/admin/policy/impact': { summary: 'Who and which keys a proposed policy would lock out', request: policySchema, status: 200 },
  'POST /v1/admin/users': { summary: 'Create a user', request: createUserRequest, status: 201, response: userShape },
  'GET /v1/admin/users': { summary: 'Find a user by username (?username=)', status: 200, response: userShape },
  'GET /v1/admin/users/{userId}': { summary: 'Get a user', status: 200, response: userShape },
  'PATCH /v1/admin/users/{userId}': { summary: 'Change display name, groups, disabled', request: updateUserRequest, status: 200, response: userShape },
  'DELETE /v1/admin/users/{userId}': { summary: 'Delete a user and all their keys', status: 204 },
  'POST /v1/admin/users/{userId}/enrollment-codes': {
    summary: 'Issue an enrollment code (shown once)',
    request: issueEnrollmentCodeRequest,
    status: 201,
    response: z.strictObject({ code: z.string(), expiresAt: z.string() }),
  },
  'GET /v1/admin/users/{userId}/credentials': { summary: "A user's keys", status: 200, response: z.strictObject({ credentials: z.array(adminCredentialShape) }) },
  'DELETE /v1/admin/users/{userId}/credentials/{credentialId}': { summary: "Delete one of a user's keys", status: 204 },
  'GET /v1/admin/metadata': { summary: 'FIDO MDS status', status: 200 },
  'POST /v1/admin/metadata/refresh': { summary: 'Refresh FIDO metadata now', status: 200 },
} satisfies Record<RouteKey, RouteContract>;
