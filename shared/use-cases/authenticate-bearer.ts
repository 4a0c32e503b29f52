import { UnauthorizedError } from '../errors.ts';
import type { Clock, TokenSigner, UserStore } from '../ports.ts';
import type { StoredUser } from '../domain/types.ts';
import { verifyAccessToken, type AccessTokenClaims, type TokenSettings } from '../tokens/access-token.ts';

export interface BearerDeps {
  users: UserStore;
  signer: TokenSigner;
  clock: Clock;
  tokenSettings: TokenSettings;
}

/**
 * A bearer token is good only if it verifies and its user still exists and is enabled:
 * disabling a user refuses their tokens from that moment (API.md, "Access tokens").
 */
export const authenticateBearer = async (
  token: string,
  deps: BearerDeps,
): Promise<{ user: StoredUser; claims: AccessTokenClaims }> => {
  const claims = await verifyAccessToken(token, { signer: deps.signer, clock: deps.clock, settings: deps.tokenSettings });
  const user = await deps.users.get(claims.sub);
  // Ensure a deleted or disabled user's outstanding tokens stop working at once.
  if (!user || user.disabled) {
    throw new UnauthorizedError('The access token is not valid.', {
      reason: user ? 'user_disabled' : 'user_unknown',
      subject: user ? { user: { id: user.id, username: user.username } } : undefined,
    });
  }
  return { user, claims };
};

/** Seconds since the token's sign-in, for step-up checks. */
export const signInAgeSeconds = (claims: AccessTokenClaims, clock: Clock): number =>
  Math.floor(clock.now() / 1000) - claims.auth_time;
