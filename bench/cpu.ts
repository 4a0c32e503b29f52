import { createHash, createPublicKey, generateKeyPairSync, randomBytes, verify as verifySignature } from 'node:crypto';
import { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { decodeCredentialPublicKey } from '@simplewebauthn/server/helpers';
import { createMemoryPorts, MemoryDatabase } from '../shared/adapters/memory/memory-ports.ts';
import { createLocalSecretHasher, createLocalTokenSigner } from '../shared/adapters/local/local-keys.ts';
import { resolvePolicyDefaults, localPolicyOverrides } from '../shared/domain/policy.ts';
import { startRegistration } from '../shared/use-cases/start-registration.ts';
import { finishRegistration } from '../shared/use-cases/finish-registration.ts';
import { startSignIn } from '../shared/use-cases/start-sign-in.ts';
import { finishSignIn } from '../shared/use-cases/finish-sign-in.ts';
import { supportedAlgorithms } from '../shared/webauthn/settings.ts';
import { SoftAuthenticator } from '../test/support/soft-authenticator.ts';

/**
 * CPU per ceremony: the use cases with in-memory ports against the bare library call and the
 * bare signature verify they wrap, all measured in this run (issue 7, budget: ≤ 1.5× library).
 */
const origin = 'http://localhost:3000';
const context = { requestId: 'bench', stage: 'bench', client: { ip: '127.0.0.1', userAgent: 'bench' } };

export interface CpuResult {
  name: string;
  opsPerSecond: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

const createDeps = () => {
  const db = new MemoryDatabase();
  db.policy = resolvePolicyDefaults(localPolicyOverrides);
  return {
    db,
    deps: {
      ...createMemoryPorts(db),
      signer: createLocalTokenSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey),
      hasher: createLocalSecretHasher(randomBytes(32)),
      clock: { now: () => Date.now() },
      relyingParty: { rpId: 'localhost', rpName: 'Latchkey', origins: [origin] },
      tokenSettings: { issuer: origin, audience: 'latchkey' },
    },
  };
};

export const measureCpu = async (options: { rounds?: number; perRound?: number } = {}): Promise<CpuResult[]> => {
  const rounds = options.rounds ?? 7;
  const perRound = options.perRound ?? 200;
  const { db, deps } = createDeps();

  // Everything is prepared before anything is timed; rounds of each subject are interleaved
  // so that GC and CPU-frequency drift fall on all of them alike.
  const registrations = async () => {
    const prepared = [];
    for (let round = 0; round < rounds; round++) {
      const batch = [];
      for (let index = 0; index < perRound; index++) {
        const authenticator = new SoftAuthenticator({ origin, algorithm: 'ES256' });
        const { options } = await startRegistration({ request: { username: `bench-${round}-${index}-${randomBytes(3).toString('hex')}` }, bearerToken: undefined }, deps);
        batch.push({ challenge: options.challenge, response: authenticator.register(options), authenticator });
      }
      prepared.push(batch);
    }
    return prepared;
  };
  const registrationsForUseCase = await registrations();
  const registrationsForLibrary = await registrations();

  // One enrolled key signs every assertion, prepared in counter order.
  const signer = new SoftAuthenticator({ origin, algorithm: 'ES256' });
  const enrolment = await startRegistration({ request: { username: 'bench-signer' }, bearerToken: undefined }, deps);
  await finishRegistration({ request: { response: signer.register(enrolment.options) as never }, context }, deps);
  const credential = [...db.credentials.values()].find((stored) => stored.id === signer.credentials()[0]!.id)!;
  const publicKey = Buffer.from(credential.publicKey, 'base64url');
  const signIns = async () => {
    const prepared = [];
    for (let round = 0; round < rounds; round++) {
      const batch = [];
      for (let index = 0; index < perRound; index++) {
        const { options } = await startSignIn({ request: {} }, deps);
        batch.push({ challenge: options.challenge, response: signer.authenticate(options) });
      }
      prepared.push(batch);
    }
    return prepared;
  };
  const signInsForUseCase = await signIns();
  const signInsForLibrary = await signIns();
  const cose = decodeCredentialPublicKey(publicKey);
  const coordinate = (label: number) => Buffer.from((cose as Map<number, unknown>).get(label) as Uint8Array).toString('base64url');
  const spki = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: coordinate(-2), y: coordinate(-3) }, format: 'jwk' });
  const signatures = signInsForLibrary.map((batch) =>
    batch.map(({ response }) => ({
      data: Buffer.concat([
        Buffer.from(response.response.authenticatorData, 'base64url'),
        createHash('sha256').update(Buffer.from(response.response.clientDataJSON, 'base64url')).digest(),
      ]),
      signature: Buffer.from(response.response.signature, 'base64url'),
    })),
  );

  const subjects = [
    {
      name: 'finishSignIn (use case, in-memory ports)',
      inputs: signInsForUseCase,
      run: ({ response }: { response: unknown }) => finishSignIn({ request: { response: response as never }, context }, deps),
    },
    {
      name: 'verifyAuthenticationResponse (bare library)',
      inputs: signInsForLibrary,
      run: ({ response, challenge }: { response: any; challenge: string }) =>
        verifyAuthenticationResponse({ response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: 'localhost', credential: { id: credential.id, publicKey, counter: 0 } }),
    },
    {
      name: 'ECDSA P-256 verify (bare node:crypto)',
      inputs: signatures,
      run: ({ data, signature }: { data: Buffer; signature: Buffer }) => {
        if (!verifySignature('sha256', data, spki, signature)) throw new Error('signature did not verify');
      },
    },
    {
      name: 'finishRegistration (use case, in-memory ports)',
      inputs: registrationsForUseCase,
      run: ({ response }: { response: unknown }) => finishRegistration({ request: { response: response as never }, context }, deps),
    },
    {
      name: 'verifyRegistrationResponse (bare library)',
      inputs: registrationsForLibrary,
      run: ({ response, challenge }: { response: any; challenge: string }) =>
        verifyRegistrationResponse({ response, expectedChallenge: challenge, expectedOrigin: origin, expectedRPID: 'localhost', supportedAlgorithmIDs: supportedAlgorithms }),
    },
  ] as const;

  const rates = subjects.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (const [index, subject] of subjects.entries()) {
      const batch = subject.inputs[round] as never[];
      const started = performance.now();
      for (const input of batch) await (subject.run as (input: never) => unknown)(input);
      rates[index]!.push(batch.length / ((performance.now() - started) / 1000));
    }
  }
  // The first round warms the JIT and is not counted.
  return subjects.map((subject, index) => ({ name: subject.name, opsPerSecond: median(rates[index]!.slice(1)) }));
};
