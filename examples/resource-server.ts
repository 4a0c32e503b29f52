import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';

/**
 * A tiny resource server: the pattern a web team copies into its own backend. It trusts a
 * Latchkey access token only after checking, with jose, its ES256 signature against the stage's
 * published keys (JWKS), its issuer, its audience and its expiry. It never calls Latchkey per
 * request: the JWKS is fetched once and cached (and refetched when a new `kid` appears).
 *
 * The local stage mounts it at /example-api/ (local/stage.ts); the demo app's protected page
 * reads GET /example-api/profile.
 */

export interface TokenVerifierSettings {
  /** The Latchkey stage URL: the tokens' `iss` (locally `http://localhost:3000`). */
  issuer: string;
  /** The tokens' `aud`: the stage's audience setting, `latchkey` by default. */
  audience: string;
  /** Defaults to `<issuer>/.well-known/jwks.json`. */
  jwksUrl?: string;
}

/** The claims Latchkey puts in an access token (API.md, "Access tokens"). */
export interface LatchkeyClaims extends JWTPayload {
  sub: string;
  exp: number;
  auth_time: number;
  amr: string[];
  preferred_username: string;
}

export class TokenRejectedError extends Error {
  override readonly name = 'TokenRejectedError';
}

/** Returns `verify(authorizationHeader)`: the token's claims, or a TokenRejectedError. */
export const createAccessTokenVerifier = (settings: TokenVerifierSettings) => {
  const jwks = createRemoteJWKSet(new URL(settings.jwksUrl ?? `${settings.issuer}/.well-known/jwks.json`));
  return async (authorization: string | undefined): Promise<LatchkeyClaims> => {
    const token = /^Bearer ([\w.~+/-]+=*)$/i.exec(authorization ?? '')?.[1];
    // Ensure a bearer token arrived at all (RFC 6750 §2.1).
    if (!token) throw new TokenRejectedError('Send "Authorization: Bearer <access token>".');
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: settings.issuer,
        audience: settings.audience,
        algorithms: ['ES256'],
        requiredClaims: ['sub', 'exp', 'auth_time'],
      });
      return payload as LatchkeyClaims;
    } catch (cause) {
      throw new TokenRejectedError('The access token is not valid or has expired.', { cause });
    }
  };
};

const teams = ['Fleet Operations', 'Customer Care', 'Warehouse Systems', 'Route Planning', 'Finance'];
const offices = ['Rotterdam', 'Leeds', 'Gdańsk', 'Porto', 'Aarhus'];

/** Stand-in for the app's own database: a stable made-up staff record per user id. */
const staffRecordFor = (userId: string) => {
  const digest = createHash('sha256').update(userId).digest();
  return {
    team: teams[(digest[0] ?? 0) % teams.length],
    office: offices[(digest[1] ?? 0) % offices.length],
    holidayDaysLeft: 10 + ((digest[2] ?? 0) % 16),
  };
};

const send = (response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  response.writeHead(status, {
    'content-type': status >= 400 ? 'application/problem+json' : 'application/json',
    'cache-control': 'no-store',
    ...headers,
  });
  response.end(JSON.stringify(body));
};

/**
 * `GET /example-api/profile`: who is signed in, how, and their (made-up) staff record.
 * Returns false for paths it does not own, so a server can chain it with others.
 */
export const createExampleApi = (settings: TokenVerifierSettings) => {
  const verify = createAccessTokenVerifier(settings);
  return async (request: IncomingMessage, response: ServerResponse, url: URL): Promise<boolean> => {
    if (!url.pathname.startsWith('/example-api/')) return false;
    if (url.pathname !== '/example-api/profile') {
      send(response, 404, { title: 'Not found', status: 404, detail: `No resource ${url.pathname}.` });
      return true;
    }
    if (request.method !== 'GET') {
      send(response, 405, { title: 'Method not allowed', status: 405, detail: 'Use GET.' }, { allow: 'GET' });
      return true;
    }

    let claims: LatchkeyClaims;
    try {
      claims = await verify(request.headers.authorization);
    } catch (error) {
      const detail = error instanceof TokenRejectedError ? error.message : 'The access token could not be checked.';
      send(response, 401, { title: 'Unauthorized', status: 401, detail }, { 'www-authenticate': 'Bearer error="invalid_token"' });
      return true;
    }

    send(response, 200, {
      user: { id: claims.sub, username: claims.preferred_username },
      signIn: {
        at: new Date(claims.auth_time * 1000).toISOString(),
        methods: claims.amr,
        // RFC 8176: `mfa` means the key checked a PIN or biometric as well as possession.
        multiFactor: claims.amr.includes('mfa'),
        tokenExpiresAt: new Date(claims.exp * 1000).toISOString(),
      },
      staff: staffRecordFor(claims.sub),
      verifiedBy: { issuer: settings.issuer, audience: settings.audience, algorithm: 'ES256', keys: settings.jwksUrl ?? `${settings.issuer}/.well-known/jwks.json` },
    });
    return true;
  };
};
