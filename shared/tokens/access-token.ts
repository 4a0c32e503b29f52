import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { UnauthorizedError } from '../errors.ts';
import type { Clock, PublicJwk, TokenSigner } from '../ports.ts';
import type { User } from '../domain/types.ts';

export interface TokenSettings {
  /** The stage's API URL (API.md, "Access tokens"). */
  issuer: string;
  audience: string;
}

export interface AccessTokenClaims extends JWTPayload {
  sub: string;
  iat: number;
  exp: number;
  jti: string;
  auth_time: number;
  amr: string[];
  preferred_username: string;
}

export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

const encoder = new TextEncoder();
const base64url = (value: string | Uint8Array): string => Buffer.from(value).toString('base64url');

/**
 * Issues an ES256 JWT through the TokenSigner port, so the private key can stay in KMS:
 * the signing input is built here and only its signature comes from the signer.
 */
export const issueAccessToken = async (
  input: { user: Pick<User, 'id' | 'username'>; authTime: number; userVerified: boolean; lifetimeSeconds: number },
  deps: { signer: TokenSigner; clock: Clock; settings: TokenSettings },
): Promise<IssuedToken> => {
  const now = Math.floor(deps.clock.now() / 1000);
  const header = { alg: 'ES256', typ: 'JWT', kid: await deps.signer.keyId() };
  const claims: AccessTokenClaims = {
    iss: deps.settings.issuer,
    aud: deps.settings.audience,
    sub: input.user.id,
    iat: now,
    exp: now + input.lifetimeSeconds,
    jti: randomBytes(16).toString('base64url'),
    auth_time: Math.floor(input.authTime / 1000),
    // RFC 8176: a hardware key and user presence; user verification makes it multi-factor.
    amr: input.userVerified ? ['hwk', 'user', 'mfa'] : ['hwk', 'user'],
    preferred_username: input.user.username,
  };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  const signature = await deps.signer.sign(encoder.encode(signingInput));
  return { accessToken: `${signingInput}.${base64url(signature)}`, tokenType: 'Bearer', expiresIn: input.lifetimeSeconds };
};

let keySetCache: { keys: PublicJwk[]; keySet: ReturnType<typeof createLocalJWKSet> } | undefined;
const keySetFor = (keys: PublicJwk[]) => {
  if (keySetCache?.keys !== keys) keySetCache = { keys, keySet: createLocalJWKSet({ keys }) };
  return keySetCache.keySet;
};

/**
 * Accepts only ES256 tokens from our issuer and audience whose signature verifies against
 * a key we publish. Everything else is one 401 with no hint of which check failed.
 */
export const verifyAccessToken = async (
  token: string,
  deps: { signer: TokenSigner; clock: Clock; settings: TokenSettings },
): Promise<AccessTokenClaims> => {
  try {
    const { payload } = await jwtVerify(token, keySetFor(await deps.signer.publicKeys()), {
      algorithms: ['ES256'],
      issuer: deps.settings.issuer,
      audience: deps.settings.audience,
      currentDate: new Date(deps.clock.now()),
      requiredClaims: ['sub', 'iat', 'exp', 'jti', 'auth_time'],
      typ: 'JWT',
    });
    if (typeof payload.sub !== 'string' || typeof payload.auth_time !== 'number') {
      throw new UnauthorizedError('The access token is not valid.', { reason: 'token_invalid' });
    }
    return payload as AccessTokenClaims;
  } catch (error) {
    if (error instanceof UnauthorizedError) throw error;
    if (error instanceof joseErrors.JOSEError || error instanceof TypeError) {
      throw new UnauthorizedError('The access token is not valid.', { reason: 'token_invalid', cause: error });
    }
    throw error;
  }
};

/** Reads `Authorization: Bearer <token>`; undefined when absent, 401 when malformed. */
export const bearerTokenFrom = (authorization: string | undefined): string | undefined => {
  if (authorization === undefined || authorization === '') return undefined;
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(authorization.trim());
  if (!match?.[1]) throw new UnauthorizedError('The Authorization header must be "Bearer <access token>".', { reason: 'token_invalid' });
  return match[1];
};
