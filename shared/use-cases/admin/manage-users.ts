import { isDeepStrictEqual } from 'node:util';
import * as z from '../../zod.ts';
import { ConditionFailedError, ConflictError, InvalidRequestError, NotFoundError } from '../../errors.ts';
import { everyone } from '../../domain/policy-engine.ts';
import { groupNameSchema } from '../../domain/policy.ts';
import { newUserHandle } from '../../domain/user-handle.ts';
import { toPublicUser, usernameKey, type StoredUser, type User } from '../../domain/types.ts';
import type { AuditEvent } from '../../events/catalog.ts';
import { buildEvent, eventCredential, eventUser } from '../../events/build-event.ts';
import type { Clock, UserChanges, UserDirectory, UserStore } from '../../ports.ts';
import { displayNameSchema, usernameSchema } from '../user-fields.ts';
import { adminActor, type AdminRequest } from './admin-request.ts';

/** A user's groups: names as the policy targets them, `*` reserved for "everyone", each once. */
export const userGroupsSchema = z.pipe(
  z
    .array(groupNameSchema.check(z.refine((name) => name !== everyone, `"${everyone}" means every user in a policy; it cannot be a group`)))
    .check(z.maxLength(100)),
  z.transform((groups: string[]) => [...new Set(groups)]),
);

export const createUserRequest = z.strictObject({
  username: usernameSchema,
  displayName: z.optional(displayNameSchema),
  groups: z.optional(userGroupsSchema),
});

export const updateUserRequest = z
  .strictObject({
    displayName: z.optional(displayNameSchema),
    groups: z.optional(userGroupsSchema),
    disabled: z.optional(z.boolean()),
  })
  .check(z.refine((request) => Object.values(request).some((value) => value !== undefined), 'send at least one of displayName, groups, disabled'));

/** A user id as the API shows it (a base64url WebAuthn user handle of at most 64 bytes). */
export const userIdParameter = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,86}$/, 'a user id (base64url)'));

export interface ManageUsersDeps {
  users: UserStore;
  directory: UserDirectory;
  clock: Clock;
}

const noSuchUser = () => new NotFoundError('No user with that id.');

/** The user, or 404. */
export const requireUser = async (userId: string, users: UserStore): Promise<StoredUser> => {
  const user = await users.get(userId);
  if (!user) throw noSuchUser();
  return user;
};

/** Creates a user (no key yet: issue them an enrollment code); the username is unique case-insensitively. */
export const createUser = async (input: AdminRequest & { request: z.infer<typeof createUserRequest> }, deps: ManageUsersDeps): Promise<User> => {
  const { username, displayName, groups } = input.request;
  const user: StoredUser = {
    id: newUserHandle(),
    username,
    displayName: displayName ?? username,
    groups: groups ?? [],
    disabled: false,
    createdAt: new Date(deps.clock.now()).toISOString(),
    credentialCount: 0,
  };
  const event = buildEvent('User Created', { actor: adminActor(input.principal), outcome: 'success', user: eventUser(user), how: 'admin' }, input.context, deps.clock);
  try {
    await deps.directory.create({ user, usernameKey: usernameKey(username), events: [event] });
  } catch (error) {
    if (error instanceof ConditionFailedError) throw new ConflictError('That username is taken.', { reason: 'username_taken', cause: error });
    throw error;
  }
  return toPublicUser(user);
};

export const getUser = async (input: { userId: string }, deps: Pick<ManageUsersDeps, 'users'>): Promise<User> =>
  toPublicUser(await requireUser(input.userId, deps.users));

/** Finds a user by username, whatever its case. */
export const findUserByUsername = async (input: { username: string }, deps: Pick<ManageUsersDeps, 'users' | 'directory'>): Promise<User> => {
  const userId = await deps.directory.findIdByUsername(usernameKey(input.username));
  const user = userId === undefined ? undefined : await deps.users.get(userId);
  if (!user) throw new NotFoundError('No user with that username.');
  return toPublicUser(user);
};

/**
 * Changes display name, groups or the disabled flag; User Updated records each field that
 * changed. Disabling takes effect at once: sign-in, enrolment and outstanding tokens check it.
 */
export const updateUser = async (
  input: AdminRequest & { userId: string; request: z.infer<typeof updateUserRequest> },
  deps: ManageUsersDeps,
): Promise<User> => {
  const user = await requireUser(input.userId, deps.users);
  const before: UserChanges = {};
  const changes: UserChanges = {};
  const described: Record<string, { before: unknown; after: unknown }> = {};
  for (const field of ['displayName', 'groups', 'disabled'] as const) {
    const next = input.request[field];
    if (next === undefined || isDeepStrictEqual(next, user[field])) continue;
    Object.assign(before, { [field]: user[field] });
    Object.assign(changes, { [field]: next });
    described[field] = { before: user[field], after: next };
  }
  if (Object.keys(changes).length === 0) return toPublicUser(user);

  const event = buildEvent(
    'User Updated',
    { actor: adminActor(input.principal), outcome: 'success', user: eventUser(user), changes: described },
    input.context,
    deps.clock,
  );
  try {
    await deps.directory.update({ userId: user.id, before, changes, events: [event] });
  } catch (error) {
    if (error instanceof ConditionFailedError) {
      throw new ConflictError('The user was changed or deleted meanwhile; read it again and retry.', { cause: error });
    }
    throw error;
  }
  return toPublicUser({ ...user, ...changes });
};

/** Attempts before a deletion racing other changes to the same user gives up with 409. */
const deleteAttempts = 3;

/**
 * Deletes the user with every key (Credential Deleted each) and enrollment code, then the user
 * and their username (User Deleted). Retried if the account changes while it is being deleted.
 */
export const deleteUser = async (input: AdminRequest & { userId: string }, deps: ManageUsersDeps): Promise<void> => {
  for (let attempt = 1; ; attempt += 1) {
    const account = await deps.directory.loadAccount(input.userId);
    if (!account) throw noSuchUser();
    const actor = adminActor(input.principal);
    const user = eventUser(account.user);
    const credentialEvents: Record<string, AuditEvent> = Object.fromEntries(
      account.credentials.map((credential) => [
        credential.id,
        buildEvent('Credential Deleted', { actor, outcome: 'success', user, credential: eventCredential(credential) }, input.context, deps.clock),
      ]),
    );
    const events = [buildEvent('User Deleted', { actor, outcome: 'success', user }, input.context, deps.clock)];
    try {
      await deps.directory.remove({ account, usernameKey: usernameKey(account.user.username), credentialEvents, events });
      return;
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      if (attempt >= deleteAttempts) {
        throw new ConflictError('The user kept changing while being deleted; try again.', { cause: error });
      }
    }
  }
};

/** Ensure a query names exactly what it looks up. */
export const usernameQuery = (query: Record<string, string>): string => {
  const username = query.username;
  if (username === undefined) throw new InvalidRequestError('Look users up with ?username=<name>.');
  const parsed = usernameSchema.safeParse(username);
  if (!parsed.success) throw new InvalidRequestError('username: not a valid username.');
  return parsed.data;
};
