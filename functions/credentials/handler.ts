import { UnauthorizedError } from '../../shared/errors.ts';
import { createHttpHandler, parseWith, type HttpRequest } from '../../shared/http/create-handler.ts';
import {
  credentialIdParameter,
  deleteCredential,
  listCredentials,
  renameCredential,
  renameCredentialRequest,
} from '../../shared/use-cases/manage-credentials.ts';
import { allowedOrigins, stage, tokenSettings } from '../../shared/runtime/settings.ts';
import { credentials, users } from '../../shared/runtime/storage.ts';
import { policy } from '../../shared/runtime/policy.ts';
import { signer } from '../../shared/runtime/keys.ts';
import { systemClock as clock } from '../../shared/runtime/clock.ts';

const deps = { credentials, users, policy, signer, clock, tokenSettings };

const requireBearer = (request: HttpRequest): string => {
  const token = request.bearerToken();
  if (token === undefined) throw new UnauthorizedError('Sign in first: send "Authorization: Bearer <access token>".', { reason: 'token_invalid' });
  return token;
};

/** Credentials function: a signed-in user lists, names and removes their own keys. */
export const handler = createHttpHandler(
  {
    'GET /v1/credentials': async (request) => ({
      status: 200,
      body: await listCredentials({ bearerToken: requireBearer(request) }, deps),
    }),
    'PATCH /v1/credentials/{credentialId}': async (request) => ({
      status: 200,
      body: await renameCredential(
        {
          bearerToken: requireBearer(request),
          credentialId: parseWith(credentialIdParameter, request.pathParameters.credentialId),
          request: parseWith(renameCredentialRequest, request.body),
          context: request.context,
        },
        deps,
      ),
    }),
    'DELETE /v1/credentials/{credentialId}': async (request) => {
      await deleteCredential(
        {
          bearerToken: requireBearer(request),
          credentialId: parseWith(credentialIdParameter, request.pathParameters.credentialId),
          context: request.context,
        },
        deps,
      );
      return { status: 204 };
    },
  },
  { stage, allowedOrigins, clock },
);
