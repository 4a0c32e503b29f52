import { createHttpHandler, parseWith } from '../../shared/http/create-handler.ts';
import { finishRegistration, finishRegistrationRequest } from '../../shared/use-cases/finish-registration.ts';
import { allowedOrigins, relyingParty, stage, tokenSettings } from '../../shared/runtime/settings.ts';
import { audit, challenges, credentials, enrollmentCodes, users } from '../../shared/runtime/storage.ts';
import { policy } from '../../shared/runtime/policy.ts';
import { signer } from '../../shared/runtime/keys.ts';
import { systemClock as clock } from '../../shared/runtime/clock.ts';
import { attestationRevocation, metadataSource as metadata } from '../../shared/runtime/metadata.ts';

/** Attestation function: verifies a registration and stores the key. */
export const handler = createHttpHandler(
  {
    'POST /v1/registration/verify': async (request) => ({
      status: 201,
      body: await finishRegistration(
        { request: parseWith(finishRegistrationRequest, request.body), context: request.context },
        { challenges, users, credentials, enrollmentCodes, policy, signer, clock, relyingParty, tokenSettings, metadata, attestationRevocation },
      ),
    }),
  },
  { stage, allowedOrigins, clock, audit },
);
