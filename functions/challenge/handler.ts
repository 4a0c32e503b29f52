import { createHttpHandler, parseWith } from '../../shared/http/create-handler.ts';
import { startRegistration, startRegistrationRequest } from '../../shared/use-cases/start-registration.ts';
import { startSignIn, startSignInRequest } from '../../shared/use-cases/start-sign-in.ts';
import { allowedOrigins, relyingParty, stage, tokenSettings } from '../../shared/runtime/settings.ts';
import { audit, challenges, credentials, enrollmentCodes, users } from '../../shared/runtime/storage.ts';
import { policy } from '../../shared/runtime/policy.ts';
import { hasher, signer } from '../../shared/runtime/keys.ts';
import { systemClock as clock } from '../../shared/runtime/clock.ts';

/** An absent body means `{}`; a JSON `null` is a body of the wrong type and goes to the schema (API.md: 400). */
const bodyOrEmpty = (body: unknown): unknown => (body === undefined ? {} : body);

/** Challenge function: registration and sign-in options. */
export const handler = createHttpHandler(
  {
    'POST /v1/registration/options': async (request) => ({
      status: 200,
      body: await startRegistration(
        { request: parseWith(startRegistrationRequest, bodyOrEmpty(request.body)), bearerToken: request.bearerToken() },
        { challenges, users, credentials, enrollmentCodes, policy, hasher, signer, clock, relyingParty, tokenSettings },
      ),
    }),
    'POST /v1/authentication/options': async (request) => ({
      status: 200,
      body: await startSignIn(
        { request: parseWith(startSignInRequest, bodyOrEmpty(request.body)) },
        { challenges, users, policy, hasher, clock, relyingParty },
      ),
    }),
  },
  { stage, allowedOrigins, clock, audit },
);
