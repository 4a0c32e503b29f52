import { describe, expect, it } from 'vitest';
import { NotFoundError, ReauthenticationRequiredError, UnauthorizedError, VerificationFailedError } from '../../../shared/errors.ts';
import { deleteCredential, listCredentials, renameCredential } from '../../../shared/use-cases/manage-credentials.ts';
import { createWorld, expectEventsToMatchCatalog, expectEventsToOmit, rejectionOf, requestContext, type World } from '../support/memory-world.ts';

const signedUp = async (world: World, username: string) => {
  const authenticator = world.newAuthenticator();
  return { authenticator, ...(await world.signUp(authenticator, username)) };
};

describe('listing, renaming and deleting one\'s own keys', () => {
  it('lists only the caller\'s keys, without public keys', async () => {
    // Prepare
    const world = createWorld();
    const ada = await signedUp(world, 'ada');
    await signedUp(world, 'bob');

    // Act
    const result = await listCredentials({ bearerToken: ada.accessToken }, world.deps);

    // Assess
    expect(result.credentials.map((credential) => credential.id)).toEqual([ada.credential.id]);
    expect(JSON.stringify(result)).not.toContain(world.db.credentials.get(ada.credential.id)?.publicKey);
  });

  it('renames a key, trimming the nickname, and emits Credential Renamed with before and after', async () => {
    // Prepare
    const world = createWorld();
    const { user, credential, accessToken } = await signedUp(world, 'ada');
    world.db.events.length = 0;

    // Act
    const renamed = await renameCredential(
      { bearerToken: accessToken, credentialId: credential.id, request: { nickname: '  Desk key  ' }, context: requestContext },
      world.deps,
    );

    // Assess
    expect(renamed.nickname).toBe('Desk key');
    expect(world.db.credentials.get(credential.id)?.nickname).toBe('Desk key');
    expect(world.db.events.map((event) => event.detailType)).toEqual(['Credential Renamed']);
    expect(world.db.events[0]?.detail).toMatchObject({
      user: { id: user.id },
      changes: { nickname: { before: 'Security key', after: 'Desk key' } },
    });
    expectEventsToMatchCatalog(world.db.events);
    expectEventsToOmit(world.db.events, [accessToken]);
  });

  it('answers another user\'s key id with NotFoundError, as for an unknown one, and leaves it alone', async () => {
    // Prepare
    const world = createWorld();
    const ada = await signedUp(world, 'ada');
    const bob = await signedUp(world, 'bob');

    // Act
    const rename = await rejectionOf(
      renameCredential({ bearerToken: ada.accessToken, credentialId: bob.credential.id, request: { nickname: 'mine now' }, context: requestContext }, world.deps),
    );
    const remove = await rejectionOf(deleteCredential({ bearerToken: ada.accessToken, credentialId: bob.credential.id, context: requestContext }, world.deps));

    // Assess
    expect(rename).toBeInstanceOf(NotFoundError);
    expect(remove).toBeInstanceOf(NotFoundError);
    expect(world.db.credentials.get(bob.credential.id)).toMatchObject({ userId: bob.user.id, nickname: 'Security key' });
  });

  it('deletes a key with a recent sign-in; the key can never sign in again', async () => {
    // Prepare
    const world = createWorld();
    const { authenticator, user, credential, accessToken } = await signedUp(world, 'ada');
    world.db.events.length = 0;

    // Act
    await deleteCredential({ bearerToken: accessToken, credentialId: credential.id, context: requestContext }, world.deps);
    const signIn = await rejectionOf(world.signIn(authenticator));

    // Assess
    expect(world.db.credentials.has(credential.id)).toBe(false);
    expect(world.db.users.get(user.id)?.credentialCount).toBe(0);
    expect(world.db.events.map((event) => event.detailType)).toEqual(['Credential Deleted']);
    expect(world.db.events[0]?.detail).toMatchObject({ credential: { id: credential.id }, user: { id: user.id } });
    expect(signIn).toBeInstanceOf(VerificationFailedError);
    expect(signIn).toMatchObject({ reason: 'credential_unknown' });
  });

  it('refuses to delete with a sign-in older than stepUpMaxAgeSeconds, though the token is still valid', async () => {
    // Prepare
    const world = createWorld({ stepUpMaxAgeSeconds: 120, accessTokenLifetimeSeconds: 3600 });
    const { credential, accessToken } = await signedUp(world, 'ada');
    world.clock.advance(121_000);

    // Act
    const error = await rejectionOf(deleteCredential({ bearerToken: accessToken, credentialId: credential.id, context: requestContext }, world.deps));
    const listed = await listCredentials({ bearerToken: accessToken }, world.deps);

    // Assess
    expect(error).toBeInstanceOf(ReauthenticationRequiredError);
    expect(world.db.credentials.has(credential.id)).toBe(true);
    expect(listed.credentials).toHaveLength(1);
  });

  it.each([
    ['disabled', (world: World, userId: string) => void (world.db.users.get(userId)!.disabled = true)],
    ['deleted', (world: World, userId: string) => void world.db.users.delete(userId)],
  ])('refuses a %s user\'s still unexpired token with UnauthorizedError', async (_, change) => {
    // Prepare
    const world = createWorld();
    const { user, accessToken } = await signedUp(world, 'ada');
    change(world, user.id);

    // Act
    const error = await rejectionOf(listCredentials({ bearerToken: accessToken }, world.deps));

    // Assess
    expect(error).toBeInstanceOf(UnauthorizedError);
  });
});
