import { createHttpHandler } from '../../shared/http/create-handler.ts';
import { getJwks } from '../../shared/use-cases/get-jwks.ts';
import { signer } from '../../shared/runtime/keys.ts';
import { systemClock as clock } from '../../shared/runtime/clock.ts';
import { environmentVariables as names } from '../../shared/runtime/variables.ts';
import { requiredString, stringList } from '../../shared/runtime/environment.ts';

/** JWKS function: the public keys that verify access tokens. Needs no table and no WebAuthn settings. */
export const handler = createHttpHandler(
  { 'GET /.well-known/jwks.json': async () => ({
    status: 200,
    body: await getJwks({ signer }),
    // Verifiers may cache the key set briefly; rotation keeps old keys published for longer.
    headers: { 'cache-control': 'public, max-age=300' },
  }) },
  { stage: requiredString(names.stage), allowedOrigins: stringList(names.allowedOrigins), clock },
);
