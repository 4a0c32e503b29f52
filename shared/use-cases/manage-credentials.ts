import * as z from '../zod.ts';
import { ConditionFailedError, NotFoundError, ReauthenticationRequiredError } from '../errors.ts';
import type { Clock, CredentialStore, PolicySource } from '../ports.ts';
import { toPublicCredential, type RequestContext, type StoredCredential, type User } from '../domain/types.ts';
import { buildEvent, eventCredential, eventUser } from '../events/build-event.ts';
import type { EventDetail } from '../events/catalog.ts';
import { authenticateBearer, signInAgeSeconds, type BearerDeps } from './authenticate-bearer.ts';
import { nicknameSchema } from './user-fields.ts';
import { base64url } from '../webauthn/response-schemas.ts';

export interface ManageCredentialsDeps extends BearerDeps {
  credentials: CredentialStore;
  policy: PolicySource;
}

export const credentialIdParameter = base64url.check(z.maxLength(1366));
export const renameCredentialRequest = z.strictObject({ nickname: nicknameSchema });

/** The caller's own keys (never the public keys themselves). */
export const listCredentials = async (input: { bearerToken: string }, deps: ManageCredentialsDeps) => {
  const { user } = await authenticateBearer(input.bearerToken, deps);
  const credentials = await deps.credentials.listForUser(user.id);
  return { credentials: credentials.map(toPublicCredential) };
};

/** The key, if it is the caller's: another user's key id is a 404 like an unknown one. */
const ownCredential = async (userId: string, credentialId: string, credentials: CredentialStore) => {
  const credential = (await credentials.listForUser(userId)).find((candidate) => candidate.id === credentialId);
  if (!credential) throw new NotFoundError('No key with that id on this account.');
  return credential;
};

export const renameCredential = async (
  input: { bearerToken: string; credentialId: string; request: z.infer<typeof renameCredentialRequest>; context: RequestContext },
  deps: ManageCredentialsDeps,
) => {
  const { user } = await authenticateBearer(input.bearerToken, deps);
  const credential = await ownCredential(user.id, input.credentialId, deps.credentials);
  const nickname = input.request.nickname.trim();
  const renamed = { ...credential, nickname };
  try {
    await deps.credentials.rename({
      userId: user.id,
      credentialId: credential.id,
      nickname,
      events: [
        buildEvent(
          'Credential Renamed',
          {
            actor: { type: 'user', userId: user.id },
            outcome: 'success',
            user: eventUser(user),
            credential: eventCredential(renamed),
            changes: { nickname: { before: credential.nickname, after: nickname } },
          },
          input.context,
          deps.clock,
        ),
      ],
    });
  } catch (error) {
    if (error instanceof ConditionFailedError) throw new NotFoundError('No key with that id on this account.', { cause: error });
    throw error;
  }
  return toPublicCredential(renamed);
};

/** Deleting a key needs a recent sign-in: a stolen, older token must not remove the owner's keys. */
export const deleteCredential = async (
  input: { bearerToken: string; credentialId: string; context: RequestContext },
  deps: ManageCredentialsDeps,
) => {
  const { user, claims } = await authenticateBearer(input.bearerToken, deps);
  const policy = await deps.policy.current();
  const subject = { user: eventUser(user) };
  if (signInAgeSeconds(claims, deps.clock) > policy.stepUpMaxAgeSeconds) {
    throw new ReauthenticationRequiredError(
      `Removing a key needs a sign-in from the last ${policy.stepUpMaxAgeSeconds} seconds; sign in again.`,
      { reason: 'reauthentication_required', subject },
    );
  }
  const credential = await ownCredential(user.id, input.credentialId, deps.credentials);
  await removeCredential(
    { user, credential, actor: { type: 'user', userId: user.id }, context: input.context, notFound: 'No key with that id on this account.' },
    deps,
  );
};

/**
 * Removes a key with its `Credential Deleted` event in one transaction (the user's own request
 * or an admin's); a key that vanished meanwhile is a 404.
 */
export const removeCredential = async (
  input: { user: User; credential: StoredCredential; actor: EventDetail['actor']; context: RequestContext; notFound: string },
  deps: { credentials: CredentialStore; clock: Clock },
): Promise<void> => {
  const { user, credential } = input;
  try {
    await deps.credentials.remove({
      userId: user.id,
      credentialId: credential.id,
      events: [
        buildEvent(
          'Credential Deleted',
          { actor: input.actor, outcome: 'success', user: eventUser(user), credential: eventCredential(credential) },
          input.context,
          deps.clock,
        ),
      ],
    });
  } catch (error) {
    if (error instanceof ConditionFailedError) throw new NotFoundError(input.notFound, { cause: error });
    throw error;
  }
};
