import { createHash, randomBytes } from 'node:crypto';
import * as z from '../zod.ts';
import { generateAuthenticationOptions } from '@simplewebauthn/server';
import type { ChallengeStore, Clock, PolicySource, SecretHasher, UserStore } from '../ports.ts';
import { usernameKey, type AuthenticationChallenge, type Transport } from '../domain/types.ts';
import type { RelyingPartySettings } from '../webauthn/settings.ts';
import { usernameSchema } from './user-fields.ts';
import { decideSignInStart } from '../domain/policy-engine.ts';
import { enforcePolicy } from './enforce-policy.ts';

export const startSignInRequest = z.strictObject({ username: z.optional(usernameSchema) });
export type StartSignInRequest = z.infer<typeof startSignInRequest>;

export interface StartSignInDeps {
  challenges: ChallengeStore;
  users: UserStore;
  policy: PolicySource;
  hasher: SecretHasher;
  clock: Clock;
  relyingParty: RelyingPartySettings;
}

export const decoyPurpose = 'decoy-credentials';

/**
 * Stand-in keys for a username nobody has: derived from a keyed hash of the name, so the same
 * name always gets the same ids and no one without the secret can tell them from real ones.
 */
export const decoyCredentials = (seed: string): { id: string; transports: Transport[] }[] => {
  const material = createHash('sha512').update(seed).digest();
  const length = [32, 48, 64][(material[0] ?? 0) % 3] ?? 64;
  const id = createHash('sha512').update(material).update('id').digest().subarray(0, length).toString('base64url');
  const transports: Transport[][] = [['usb'], ['usb', 'nfc'], ['hybrid', 'internal']];
  return [{ id, transports: transports[(material[1] ?? 0) % 3] ?? ['usb'] }];
};

/**
 * Sign-in options (WebAuthn §7.2, before step 1). Without a username: usernameless, empty
 * allowCredentials. With one: the user's keys, or decoys of the same shape for an unknown name,
 * after the same work (one index query, one keyed hash, one write) either way.
 */
export const startSignIn = async (input: { request: StartSignInRequest }, deps: StartSignInDeps) => {
  const policy = await deps.policy.current();
  // Ensure no ceremony starts that verify must refuse; the switch is global, so it reveals no user.
  enforcePolicy(decideSignInStart(policy));
  const challengeBytes = randomBytes(32);
  const timeoutMs = policy.signInTimeoutSeconds * 1000;
  const key = input.request.username === undefined ? undefined : usernameKey(input.request.username);
  const challenge: AuthenticationChallenge = {
    value: Buffer.from(challengeBytes).toString('base64url'),
    ceremony: 'authentication',
    expiresAt: deps.clock.now() + timeoutMs,
    userVerification: policy.userVerification,
    usernameKey: key,
  };

  const [candidate, decoySeed] = await Promise.all([
    key === undefined ? undefined : deps.users.findSignInCandidate(key),
    key === undefined ? undefined : deps.hasher.hash(decoyPurpose, key),
    deps.challenges.save(challenge, 300),
  ]);
  const allowCredentials =
    key === undefined ? [] : candidate && candidate.credentials.length > 0 ? candidate.credentials : decoyCredentials(decoySeed ?? '');

  const options = await generateAuthenticationOptions({
    rpID: deps.relyingParty.rpId,
    challenge: challengeBytes,
    timeout: timeoutMs,
    userVerification: policy.userVerification,
    allowCredentials,
  });
  return { options };
};
