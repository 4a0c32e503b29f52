import { UnauthorizedError } from '../../shared/errors.ts';
import { policySchema } from '../../shared/domain/policy.ts';
import { createHttpHandler, parseWith, type HttpRequest, type HttpResult, type Operation } from '../../shared/http/create-handler.ts';
import type { AdminRequest } from '../../shared/use-cases/admin/admin-request.ts';
import { getPolicy, updatePolicy } from '../../shared/use-cases/admin/manage-policy.ts';
import { assessPolicyImpact, impactQuery } from '../../shared/use-cases/admin/assess-policy-impact.ts';
import * as users from '../../shared/use-cases/admin/manage-users.ts';
import { issueEnrollmentCode, issueEnrollmentCodeRequest } from '../../shared/use-cases/admin/issue-enrollment-code.ts';
import { deleteUserCredential, listUserCredentials } from '../../shared/use-cases/admin/manage-user-credentials.ts';
import { credentialIdParameter } from '../../shared/use-cases/manage-credentials.ts';
import { allowedOrigins, stage } from '../../shared/runtime/settings.ts';
import { credentials, directory, enrollmentCodes, users as userStore } from '../../shared/runtime/storage.ts';
import { policies } from '../../shared/runtime/policy.ts';
import { hasher } from '../../shared/runtime/keys.ts';
import { systemClock as clock } from '../../shared/runtime/clock.ts';
import { metadataAdminOperations } from '../../shared/runtime/metadata-admin.ts';

const deps = { policies, directory, users: userStore, credentials, enrollmentCodes, hasher, clock };

/** Runs an operation in the name of the caller API Gateway authorised; without one nothing is done. */
const asAdmin = (operation: (request: HttpRequest, caller: AdminRequest) => Promise<HttpResult>): Operation => async (request) => {
  if (!request.principal) throw new UnauthorizedError('Admin routes need an IAM-signed request.');
  return operation(request, { principal: request.principal, context: request.context });
};
const userId = (request: HttpRequest) => parseWith(users.userIdParameter, request.pathParameters.userId);

/** Admin function: policy, users, enrollment codes and users' keys (API.md, "Admin endpoints"). */
export const handler = createHttpHandler(
  {
    'GET /v1/admin/policy': asAdmin(async () => ({ status: 200, body: await getPolicy(deps) })),
    'PUT /v1/admin/policy': asAdmin(async (request, caller) => ({
      status: 200,
      body: await updatePolicy({ ...caller, policy: parseWith(policySchema, request.body) }, deps),
    })),
    'POST /v1/admin/policy/impact': asAdmin(async (request) => ({
      status: 200,
      body: await assessPolicyImpact({ proposed: parseWith(policySchema, request.body), ...parseWith(impactQuery, request.query) }, deps),
    })),
    'POST /v1/admin/users': asAdmin(async (request, caller) => ({
      status: 201,
      body: await users.createUser({ ...caller, request: parseWith(users.createUserRequest, request.body) }, deps),
    })),
    'GET /v1/admin/users': asAdmin(async (request) => ({ status: 200, body: await users.findUserByUsername({ username: users.usernameQuery(request.query) }, deps) })),
    'GET /v1/admin/users/{userId}': asAdmin(async (request) => ({ status: 200, body: await users.getUser({ userId: userId(request) }, deps) })),
    'PATCH /v1/admin/users/{userId}': asAdmin(async (request, caller) => ({
      status: 200,
      body: await users.updateUser({ ...caller, userId: userId(request), request: parseWith(users.updateUserRequest, request.body) }, deps),
    })),
    'DELETE /v1/admin/users/{userId}': asAdmin(async (request, caller) => {
      await users.deleteUser({ ...caller, userId: userId(request) }, deps);
      return { status: 204 };
    }),
    'POST /v1/admin/users/{userId}/enrollment-codes': asAdmin(async (request, caller) => ({
      status: 201,
      body: await issueEnrollmentCode({ ...caller, userId: userId(request), request: parseWith(issueEnrollmentCodeRequest, request.body ?? {}) }, deps),
    })),
    'GET /v1/admin/users/{userId}/credentials': asAdmin(async (request) => ({ status: 200, body: await listUserCredentials({ userId: userId(request) }, deps) })),
    'DELETE /v1/admin/users/{userId}/credentials/{credentialId}': asAdmin(async (request, caller) => {
      const credentialId = parseWith(credentialIdParameter, request.pathParameters.credentialId);
      await deleteUserCredential({ ...caller, userId: userId(request), credentialId }, deps);
      return { status: 204 };
    }),
    ...Object.fromEntries(Object.entries(metadataAdminOperations).map(([route, operation]) => [route, asAdmin((request) => operation(request))])),
  },
  { stage, allowedOrigins, clock },
);
