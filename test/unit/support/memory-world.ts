import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { basePolicy, type Policy } from '../../../shared/domain/policy.ts';
import type { RequestContext } from '../../../shared/domain/types.ts';
import { createMemoryPorts, MemoryDatabase, memoryClock } from '../../../shared/adapters/memory/memory-ports.ts';
import { createLocalSecretHasher, createLocalTokenSigner } from '../../../shared/adapters/local/local-keys.ts';
import { detailSchemas, type AuditEvent } from '../../../shared/events/catalog.ts';
import { enrollmentCodePurpose, normalizeEnrollmentCode } from '../../../shared/use-cases/enrollment-code.ts';
import { startRegistration, startRegistrationRequest } from '../../../shared/use-cases/start-registration.ts';
import { finishRegistration, finishRegistrationRequest } from '../../../shared/use-cases/finish-registration.ts';
import { startSignIn, startSignInRequest } from '../../../shared/use-cases/start-sign-in.ts';
import { finishSignIn, finishSignInRequest } from '../../../shared/use-cases/finish-sign-in.ts';
import type { RelyingPartySettings } from '../../../shared/webauthn/settings.ts';
import type { TokenSettings } from '../../../shared/tokens/access-token.ts';
import { SoftAuthenticator, type AssertionOverrides, type RegistrationOverrides } from '../../support/soft-authenticator.ts';

/**
 * The use cases wired to in-memory ports, a memory clock and real local keys: what a unit test
 * needs to run whole ceremonies and then look at the database and its outbox.
 */
export const origin = 'http://localhost:3000';
export const relyingParty: RelyingPartySettings = { rpId: 'localhost', rpName: 'Latchkey (unit)', origins: [origin] };
export const tokenSettings: TokenSettings = { issuer: 'https://api.latchkey.test', audience: 'latchkey' };
export const requestContext: RequestContext = {
  requestId: 'request-1',
  stage: 'unit',
  client: { ip: '203.0.113.7', userAgent: 'vitest', origin },
};

export type StartRegistrationBody = Parameters<typeof startRegistrationRequest.parse>[0];

export const createWorld = (policy: Partial<Policy> = {}) => {
  const db = new MemoryDatabase();
  db.policy = { ...basePolicy, allowSelfSignUp: true, ...policy };
  const clock = memoryClock();
  const secret = randomBytes(32);
  const hasher = createLocalSecretHasher(secret);
  const signer = createLocalTokenSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
  const deps = { ...createMemoryPorts(db), hasher, signer, clock, relyingParty, tokenSettings };

  const world = {
    db,
    clock,
    secret,
    hasher,
    signer,
    deps,
    newAuthenticator: (options: Partial<ConstructorParameters<typeof SoftAuthenticator>[0]> = {}) =>
      new SoftAuthenticator({ origin, algorithm: 'ES256', ...options }),

    registrationOptions: async (body: StartRegistrationBody, bearerToken?: string) =>
      (await startRegistration({ request: startRegistrationRequest.parse(body), bearerToken }, deps)).options,

    /** Parses the response as the attestation handler does, then verifies it. */
    verifyRegistration: (response: unknown, nickname?: string) =>
      finishRegistration(
        { request: finishRegistrationRequest.parse({ response, ...(nickname === undefined ? {} : { nickname }) }), context: requestContext },
        deps,
      ),

    signInOptions: async (username?: string) =>
      (await startSignIn({ request: startSignInRequest.parse(username === undefined ? {} : { username }) }, deps)).options,

    verifySignIn: (response: unknown) =>
      finishSignIn({ request: finishSignInRequest.parse({ response }), context: requestContext }, deps),

    /** Options, the authenticator's answer and verify: one registration ceremony. */
    register: async (
      authenticator: SoftAuthenticator,
      body: StartRegistrationBody,
      { bearerToken, overrides, nickname }: { bearerToken?: string; overrides?: RegistrationOverrides; nickname?: string } = {},
    ) => world.verifyRegistration(authenticator.register(await world.registrationOptions(body, bearerToken), overrides), nickname),

    signUp: (authenticator: SoftAuthenticator, username: string) => world.register(authenticator, { username }),

    signIn: async (authenticator: SoftAuthenticator, overrides: AssertionOverrides = {}, username?: string) =>
      world.verifySignIn(authenticator.authenticate(await world.signInOptions(username), overrides)),

    /** An admin-created user with no keys yet, as the admin API would store them. */
    addUser: (username: string, fields: { disabled?: boolean; groups?: string[] } = {}) => {
      const user = {
        id: randomBytes(32).toString('base64url'),
        username,
        displayName: username,
        groups: fields.groups ?? [],
        disabled: fields.disabled ?? false,
        createdAt: new Date(clock.now()).toISOString(),
        credentialCount: 0,
      };
      db.addUser(user);
      return user;
    },

    /** Stores an enrollment code as the admin API does: only its keyed hash. */
    issueEnrollmentCode: async (userId: string, code: string, { lifetimeMs = 3_600_000, oneTime = true } = {}) => {
      const codeHash = await hasher.hash(enrollmentCodePurpose, normalizeEnrollmentCode(code));
      db.enrollmentCodes.set(codeHash, { codeHash, userId, expiresAt: clock.now() + lifetimeMs, oneTime, createdAt: new Date(clock.now()).toISOString() });
      return codeHash;
    },

    eventsOfType: (detailType: AuditEvent['detailType']) => db.events.filter((event) => event.detailType === detailType),
  };
  return world;
};

export type World = ReturnType<typeof createWorld>;

/** Ensure every event the use cases produced matches its published schema (EVENTS.md). */
export const expectEventsToMatchCatalog = (events: AuditEvent[]) => {
  for (const event of events) {
    const result = detailSchemas[event.detailType].safeParse(event.detail);
    expect(result.success, `${event.detailType}: ${result.error?.message ?? ''}`).toBe(true);
  }
};

/** Ensure no secret or key material reached an event, wherever in the detail it might hide. */
export const expectEventsToOmit = (events: AuditEvent[], secrets: string[]) => {
  const serialized = JSON.stringify(events);
  for (const secret of secrets) {
    expect(secret.length, 'a secret to look for').toBeGreaterThan(7);
    expect(serialized).not.toContain(secret);
  }
};

/** Runs a promise expected to reject and returns what it rejected with, for precise assertions. */
export const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('Expected the promise to reject, but it resolved');
};
