import { isDeepStrictEqual } from 'node:util';
import { ConditionFailedError } from '../../errors.ts';
import { basePolicy, type Policy } from '../../domain/policy.ts';
import { usernameKey, type Challenge, type EnrollmentCode, type StoredCredential, type StoredUser } from '../../domain/types.ts';
import type { AuditEvent } from '../../events/catalog.ts';
import type {
  AuditLog,
  ChallengeStore,
  Clock,
  CredentialStore,
  EnrollmentCodeStore,
  PolicySource,
  PolicyStore,
  UserChanges,
  UserDirectory,
  UserStore,
} from '../../ports.ts';

/**
 * In-memory ports with the same guarantees as the DynamoDB adapters (single-use challenges,
 * transactional registration and sign-in, outbox events written with their change). For unit
 * tests and the CPU benchmark; storage behaviour itself is tested against DynamoDB Local.
 */
export class MemoryDatabase {
  readonly users = new Map<string, StoredUser>();
  readonly usernames = new Map<string, string>();
  readonly credentials = new Map<string, StoredCredential>();
  readonly challenges = new Map<string, Challenge>();
  readonly enrollmentCodes = new Map<string, EnrollmentCode>();
  readonly events: AuditEvent[] = [];
  policy: Policy = basePolicy;
  policyVersion = 0;

  addUser(user: StoredUser): void {
    this.users.set(user.id, structuredClone(user));
    this.usernames.set(usernameKey(user.username), user.id);
  }
}

export const memoryClock = (start = Date.parse('2026-11-23T09:00:00Z')): Clock & { advance(ms: number): void; set(ms: number): void } => {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    set: (ms) => {
      now = ms;
    },
  };
};

export const createMemoryPorts = (db: MemoryDatabase) => {
  const challenges: ChallengeStore = {
    async save(challenge) {
      if (db.challenges.has(challenge.value)) throw new ConditionFailedError('challenge exists', 'challenge');
      db.challenges.set(challenge.value, structuredClone(challenge));
    },
    async consume(value) {
      const challenge = db.challenges.get(value);
      db.challenges.delete(value);
      return challenge;
    },
  };

  const users: UserStore = {
    async get(userId) {
      const user = db.users.get(userId);
      return user && structuredClone(user);
    },
    async isUsernameTaken(key) {
      return db.usernames.has(key);
    },
    async findSignInCandidate(key) {
      const userId = db.usernames.get(key);
      if (!userId) return undefined;
      return {
        userId,
        credentials: [...db.credentials.values()]
          .filter((credential) => credential.userId === userId)
          .map((credential) => ({ id: credential.id, transports: credential.transports })),
      };
    },
  };

  const credentials: CredentialStore = {
    async getWithUser(userId, credentialId) {
      const credential = db.credentials.get(credentialId);
      const user = db.users.get(userId);
      return {
        ...(user ? { user: structuredClone(user) } : {}),
        ...(credential && credential.userId === userId ? { credential: structuredClone(credential) } : {}),
      };
    },
    async findOwner(credentialId) {
      return db.credentials.get(credentialId)?.userId;
    },
    async listForUser(userId) {
      return [...db.credentials.values()].filter((credential) => credential.userId === userId).map((credential) => structuredClone(credential));
    },
    async register({ credential, newUser, enrollmentCode, maxCredentialsPerUser, events }) {
      if (db.credentials.has(credential.id)) throw new ConditionFailedError('credential exists', 'credentialId');
      if (newUser) {
        if (db.usernames.has(usernameKey(newUser.username))) throw new ConditionFailedError('username taken', 'username');
      } else {
        const owner = db.users.get(credential.userId);
        if (!owner || owner.disabled || owner.credentialCount >= maxCredentialsPerUser) {
          throw new ConditionFailedError('credential limit', 'credentialLimit');
        }
      }
      if (enrollmentCode) {
        const stored = db.enrollmentCodes.get(enrollmentCode.codeHash);
        if (!stored || stored.expiresAt <= Date.parse(credential.createdAt) || stored.userId !== credential.userId) {
          throw new ConditionFailedError('code', 'enrollmentCode');
        }
        if (stored.oneTime) db.enrollmentCodes.delete(enrollmentCode.codeHash);
      }
      if (newUser) db.addUser({ ...newUser, credentialCount: 1 });
      else {
        const owner = db.users.get(credential.userId);
        if (owner) owner.credentialCount += 1;
      }
      db.credentials.set(credential.id, structuredClone(credential));
      db.events.push(...events);
    },
    async recordSignIn(update) {
      const credential = db.credentials.get(update.credentialId);
      if (!credential || credential.counter !== update.expectedCounter) throw new ConditionFailedError('counter moved', 'counter');
      const user = db.users.get(update.userId);
      if (!user || user.disabled) throw new ConditionFailedError('user disabled', 'user');
      credential.counter = update.newCounter;
      credential.lastUsedAt = update.lastUsedAt;
      credential.backedUp = update.backedUp;
      if (update.cloneSuspected) credential.cloneSuspected = true;
      db.events.push(...update.events);
    },
    async rename({ userId, credentialId, nickname, events }) {
      const credential = db.credentials.get(credentialId);
      if (!credential || credential.userId !== userId) throw new ConditionFailedError('no credential', 'credential');
      credential.nickname = nickname;
      db.events.push(...events);
    },
    async remove({ userId, credentialId, events }) {
      const credential = db.credentials.get(credentialId);
      if (!credential || credential.userId !== userId) throw new ConditionFailedError('no credential', 'credential');
      db.credentials.delete(credentialId);
      const owner = db.users.get(userId);
      if (owner) owner.credentialCount -= 1;
      db.events.push(...events);
    },
  };

  const enrollmentCodes: EnrollmentCodeStore = {
    async get(codeHash) {
      const code = db.enrollmentCodes.get(codeHash);
      return code && structuredClone(code);
    },
    async issue({ code, events }) {
      const user = db.users.get(code.userId);
      if (!user || user.disabled) throw new ConditionFailedError('user missing or disabled', 'user');
      if (db.enrollmentCodes.has(code.codeHash)) throw new ConditionFailedError('code exists', 'enrollmentCode');
      db.enrollmentCodes.set(code.codeHash, structuredClone(code));
      db.events.push(...events);
    },
  };

  const policy: PolicySource = { current: async () => db.policy };
  const policies: PolicyStore = {
    async read() {
      return { policy: structuredClone(db.policy), version: db.policyVersion };
    },
    async replace({ policy: next, expectedVersion, events }) {
      if (db.policyVersion !== expectedVersion) throw new ConditionFailedError('policy changed', 'policy');
      db.policy = structuredClone(next);
      db.policyVersion += 1;
      db.events.push(...events);
    },
  };

  const directory: UserDirectory = {
    async create({ user, usernameKey: key, events }) {
      if (db.usernames.has(key)) throw new ConditionFailedError('username taken', 'username');
      if (db.users.has(user.id)) throw new ConditionFailedError('user exists', 'user');
      db.addUser(user);
      db.events.push(...events);
    },
    async findIdByUsername(key) {
      return db.usernames.get(key);
    },
    async update({ userId, before, changes, events }) {
      const user = db.users.get(userId);
      const unchanged = user && (Object.keys(changes) as (keyof UserChanges)[]).every((field) => isDeepStrictEqual(user[field], before[field]));
      if (!user || !unchanged) throw new ConditionFailedError('user missing or changed', 'user');
      Object.assign(user, structuredClone(changes));
      db.events.push(...events);
    },
    async loadAccount(userId) {
      const user = db.users.get(userId);
      if (!user) return undefined;
      return {
        user: structuredClone(user),
        credentials: [...db.credentials.values()].filter((credential) => credential.userId === userId).map((credential) => structuredClone(credential)),
        enrollmentCodeHashes: [...db.enrollmentCodes.values()].filter((code) => code.userId === userId).map((code) => code.codeHash),
      };
    },
    async remove({ account, usernameKey: key, credentialEvents, events }) {
      const user = db.users.get(account.user.id);
      if (!user || user.credentialCount !== account.user.credentialCount) throw new ConditionFailedError('user missing or changed', 'user');
      for (const credential of account.credentials) {
        if (!db.credentials.delete(credential.id)) throw new ConditionFailedError('credential gone', 'credential');
        const event = credentialEvents[credential.id];
        if (event) db.events.push(event);
      }
      for (const codeHash of account.enrollmentCodeHashes) db.enrollmentCodes.delete(codeHash);
      db.users.delete(user.id);
      if (db.usernames.get(key) === user.id) db.usernames.delete(key);
      db.events.push(...events);
    },
    async forEachEntry(visit) {
      for (const { credentialCount: _, ...user } of db.users.values()) {
        const credentials = [...db.credentials.values()]
          .filter((credential) => credential.userId === user.id)
          .map(({ id, aaguid, backupEligible, nickname, authenticatorName, createdAt }) => ({ id, aaguid, backupEligible, nickname, authenticatorName, createdAt }));
        visit(structuredClone({ user, credentials }));
      }
    },
  };
  const audit: AuditLog = {
    async record(event) {
      db.events.push(event);
    },
  };

  return { challenges, users, credentials, enrollmentCodes, policy, policies, directory, audit };
};
