import { createHttpHandler, parseWith } from '../../shared/http/create-handler.ts';
import { finishSignIn, finishSignInRequest } from '../../shared/use-cases/finish-sign-in.ts';
import { allowedOrigins, relyingParty, stage, tokenSettings } from '../../shared/runtime/settings.ts';
import { audit, challenges, credentials } from '../../shared/runtime/storage.ts';
import { policy } from '../../shared/runtime/policy.ts';
import { signer } from '../../shared/runtime/keys.ts';
import { systemClock as clock } from '../../shared/runtime/clock.ts';

/** Assertion function: verifies a sign-in and issues an access token. */
export const handler = createHttpHandler(
  {
    'POST /v1/authentication/verify': async (request) => ({
      status: 200,
      body: await finishSignIn(
        { request: parseWith(finishSignInRequest, request.body), context: request.context },
        { challenges, credentials, policy, audit, signer, clock, relyingParty, tokenSettings },
      ),
    }),
  },
  { stage, allowedOrigins, clock, audit },
);
