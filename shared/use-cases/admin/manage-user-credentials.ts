import { NotFoundError } from '../../errors.ts';
import { toPublicCredential, type Credential } from '../../domain/types.ts';
import type { Clock, CredentialStore, UserStore } from '../../ports.ts';
import { adminActor, type AdminRequest } from './admin-request.ts';
import { requireUser } from './manage-users.ts';
import { removeCredential } from '../manage-credentials.ts';

export interface ManageUserCredentialsDeps {
  users: UserStore;
  credentials: CredentialStore;
  clock: Clock;
}

/** A key as admins see it: the public Credential, plus whether a counter regression was let through (`counterRegression: flag`). */
export type AdminCredential = Credential & { cloneSuspected?: true };

/** A user's keys (never the public keys). */
export const listUserCredentials = async (input: { userId: string }, deps: ManageUserCredentialsDeps): Promise<{ credentials: AdminCredential[] }> => {
  const user = await requireUser(input.userId, deps.users);
  const credentials = await deps.credentials.listForUser(user.id);
  return {
    credentials: credentials.map((credential) => ({ ...toPublicCredential(credential), ...(credential.cloneSuspected ? { cloneSuspected: true as const } : {}) })),
  };
};

/** Removes one of a user's keys (a lost or suspect key); it can never sign in again. */
export const deleteUserCredential = async (
  input: AdminRequest & { userId: string; credentialId: string },
  deps: ManageUserCredentialsDeps,
): Promise<void> => {
  const user = await requireUser(input.userId, deps.users);
  const credential = (await deps.credentials.listForUser(user.id)).find((candidate) => candidate.id === input.credentialId);
  if (!credential) throw new NotFoundError('The user has no key with that id.');
  await removeCredential(
    { user, credential, actor: adminActor(input.principal), context: input.context, notFound: 'The user has no key with that id.' },
    deps,
  );
};
