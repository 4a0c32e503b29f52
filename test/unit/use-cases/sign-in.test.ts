import { describe, expect, it } from 'vitest';
import { PolicyDeniedError, VerificationFailedError } from '../../../shared/errors.ts';
import { verifyAccessToken } from '../../../shared/tokens/access-token.ts';
import {
  createWorld,
  expectEventsToMatchCatalog,
  expectEventsToOmit,
  rejectionOf,
  tokenSettings,
  type World,
} from '../support/memory-world.ts';
import type { Policy } from '../../../shared/domain/policy.ts';

/** A world with one signed-up user; events from the sign-up are cleared so tests see only their own. */
const worldWithUser = async (policy: Partial<Policy> = {}, authenticatorOptions: Parameters<World['newAuthenticator']>[0] = {}) => {
  const world = createWorld(policy);
  const authenticator = world.newAuthenticator(authenticatorOptions);
  const { user, credential } = await world.signUp(authenticator, 'linus');
  world.db.events.length = 0;
  return { world, authenticator, user, credential };
};

describe('a successful sign-in', () => {
  it('usernameless: issues a token for the key\'s owner, advances the counter and emits Sign-In Succeeded', async () => {
    // Prepare
    const { world, authenticator, user, credential } = await worldWithUser();
    world.clock.advance(42_000);
    const options = await world.signInOptions();
    const response = authenticator.authenticate(options);

    // Act
    const result = await world.verifySignIn(response);

    // Assess
    expect(options.allowCredentials).toEqual([]);
    expect(result.user).toMatchObject({ id: user.id, username: 'linus' });
    expect(result.credential).toMatchObject({ id: credential.id, lastUsedAt: new Date(world.clock.now()).toISOString() });
    expect(world.db.credentials.get(credential.id)).toMatchObject({ counter: 1, lastUsedAt: new Date(world.clock.now()).toISOString() });
    expect(world.db.credentials.get(credential.id)?.cloneSuspected).toBeFalsy();
    expect(world.db.challenges.size).toBe(0);

    const claims = await verifyAccessToken(result.accessToken, { signer: world.signer, clock: world.clock, settings: tokenSettings });
    expect(claims).toMatchObject({ sub: user.id, auth_time: Math.floor(world.clock.now() / 1000), amr: ['hwk', 'user', 'mfa'] });

    expect(world.db.events.map((event) => event.detailType)).toEqual(['Sign-In Succeeded']);
    expect(world.db.events[0]?.detail).toMatchObject({
      outcome: 'success',
      actor: { type: 'user', userId: user.id },
      user: { id: user.id, username: 'linus' },
      credential: { id: credential.id, userVerified: true },
    });
    expectEventsToMatchCatalog(world.db.events);
    expectEventsToOmit(world.db.events, [
      response.response.signature,
      response.response.authenticatorData,
      response.response.clientDataJSON,
      world.db.credentials.get(credential.id)?.publicKey ?? 'missing public key',
      result.accessToken,
    ]);
  });

  it('username-first: lists the user\'s keys and signs in with one of them', async () => {
    // Prepare
    const { world, authenticator, user, credential } = await worldWithUser();

    // Act
    const options = await world.signInOptions('LINUS');
    const result = await world.verifySignIn(authenticator.authenticate(options));

    // Assess
    expect(options.allowCredentials?.map((allowed) => allowed.id)).toEqual([credential.id]);
    expect(result.user.id).toBe(user.id);
  });

  it('without user verification under userVerification "preferred": no mfa in amr', async () => {
    // Prepare
    const { world, authenticator } = await worldWithUser({ userVerification: 'preferred' });

    // Act
    const result = await world.signIn(authenticator, { userVerified: false });

    // Assess
    const claims = await verifyAccessToken(result.accessToken, { signer: world.signer, clock: world.clock, settings: tokenSettings });
    expect(claims.amr).toEqual(['hwk', 'user']);
    expect(world.db.events[0]?.detail).toMatchObject({ credential: { userVerified: false } });
  });
});

describe('a signature counter that did not increase', () => {
  it('under counterRegression "flag": signs in, marks the key cloneSuspected and emits Clone Suspected (success) and Sign-In Succeeded', async () => {
    // Prepare
    const { world, authenticator, user, credential } = await worldWithUser({ counterRegression: 'flag' });
    await world.signIn(authenticator, { counter: 5 });
    world.db.events.length = 0;

    // Act
    const result = await world.signIn(authenticator, { counter: 3 });

    // Assess
    expect(result.user.id).toBe(user.id);
    expect(world.db.credentials.get(credential.id)).toMatchObject({ cloneSuspected: true, counter: 5 });
    expect(world.db.events.map((event) => event.detailType)).toEqual(['Credential Clone Suspected', 'Sign-In Succeeded']);
    expect(world.db.events[0]?.detail).toMatchObject({
      outcome: 'success',
      reason: 'counter_regression',
      counter: { stored: 5, received: 3 },
      user: { id: user.id },
      credential: { id: credential.id },
    });
    expectEventsToMatchCatalog(world.db.events);
  });

  it('under "flag": the suspicion stays on the key after later, normal sign-ins', async () => {
    // Prepare
    const { world, authenticator, credential } = await worldWithUser({ counterRegression: 'flag' });
    await world.signIn(authenticator, { counter: 5 });
    await world.signIn(authenticator, { counter: 5 });

    // Act
    await world.signIn(authenticator, { counter: 9 });

    // Assess
    expect(world.db.credentials.get(credential.id)).toMatchObject({ cloneSuspected: true, counter: 9 });
  });

  it('under counterRegression "reject": refuses, records Clone Suspected (failure) and leaves the counter', async () => {
    // Prepare
    const { world, authenticator, credential } = await worldWithUser({ counterRegression: 'reject' });
    await world.signIn(authenticator, { counter: 5 });
    world.db.events.length = 0;

    // Act
    const error = await rejectionOf(world.signIn(authenticator, { counter: 5 }));

    // Assess
    expect(error).toBeInstanceOf(VerificationFailedError);
    expect(error).toMatchObject({ reason: 'counter_regression' });
    expect(world.db.credentials.get(credential.id)).toMatchObject({ counter: 5 });
    expect(world.db.credentials.get(credential.id)?.cloneSuspected).toBeFalsy();
    expect(world.db.events.map((event) => event.detailType)).toEqual(['Credential Clone Suspected']);
    expect(world.db.events[0]?.detail).toMatchObject({ outcome: 'failure', counter: { stored: 5, received: 5 } });
  });

  it('is not suspected when an authenticator without a counter always reports 0', async () => {
    // Prepare
    const { world, authenticator, credential } = await worldWithUser({}, { counterMode: 'zero' });

    // Act
    await world.signIn(authenticator);
    await world.signIn(authenticator);

    // Assess
    expect(world.db.credentials.get(credential.id)).toMatchObject({ counter: 0 });
    expect(world.eventsOfType('Credential Clone Suspected')).toEqual([]);
  });
});

describe('a sign-in refused by policy', () => {
  it('with the policy turned off: PolicyDeniedError policy_disabled, no counter update, challenge used up', async () => {
    // Prepare
    const { world, authenticator, credential } = await worldWithUser();
    const options = await world.signInOptions();
    const response = authenticator.authenticate(options);
    world.db.policy = { ...world.db.policy, enabled: false };

    // Act
    const error = await rejectionOf(world.verifySignIn(response));

    // Assess
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect(error).toMatchObject({ reason: 'policy_disabled', subject: { credential: { id: credential.id } } });
    expect(world.db.credentials.get(credential.id)).toMatchObject({ counter: 0 });
    expect(world.db.credentials.get(credential.id)?.lastUsedAt).toBeUndefined();
    expect(world.db.challenges.size).toBe(0);
    expect(world.db.events).toEqual([]);
  });

  it('with the policy turned off: a bad signature is still a verification failure, not a policy refusal', async () => {
    // Prepare
    const { world, authenticator } = await worldWithUser();
    const response = authenticator.authenticate(await world.signInOptions(), { corruptSignature: true });
    world.db.policy = { ...world.db.policy, enabled: false };

    // Act
    const error = await rejectionOf(world.verifySignIn(response));

    // Assess
    expect(error).toBeInstanceOf(VerificationFailedError);
    expect(error).toMatchObject({ reason: 'signature_invalid' });
  });

  it('with the policy turned off: sign-in options are refused with policy_disabled', async () => {
    // Prepare
    const { world } = await worldWithUser();
    world.db.policy = { ...world.db.policy, enabled: false };

    // Act
    const error = await rejectionOf(world.signInOptions());

    // Assess
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect(error).toMatchObject({ reason: 'policy_disabled' });
    expect(world.db.challenges.size).toBe(0);
  });

  it('for a disabled user: PolicyDeniedError user_disabled, and nothing recorded as a success', async () => {
    // Prepare
    const { world, authenticator, user, credential } = await worldWithUser();
    world.db.users.get(user.id)!.disabled = true;

    // Act
    const error = await rejectionOf(world.signIn(authenticator));

    // Assess
    expect(error).toBeInstanceOf(PolicyDeniedError);
    expect(error).toMatchObject({ reason: 'user_disabled', subject: { user: { id: user.id } } });
    expect(world.db.credentials.get(credential.id)?.counter).toBe(0);
    expect(world.eventsOfType('Sign-In Succeeded')).toEqual([]);
  });

  it('for a disabled user with a bad signature: the signature failure, which reveals nothing about the account', async () => {
    // Prepare
    const { world, authenticator, user } = await worldWithUser();
    world.db.users.get(user.id)!.disabled = true;

    // Act
    const error = await rejectionOf(world.signIn(authenticator, { corruptSignature: true }));

    // Assess
    expect(error).toBeInstanceOf(VerificationFailedError);
    expect(error).toMatchObject({ reason: 'signature_invalid' });
  });
});
