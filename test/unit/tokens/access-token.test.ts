import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeJwt, decodeProtectedHeader, SignJWT, type JWTPayload } from 'jose';
import { UnauthorizedError } from '../../../shared/errors.ts';
import { createLocalTokenSigner } from '../../../shared/adapters/local/local-keys.ts';
import { memoryClock } from '../../../shared/adapters/memory/memory-ports.ts';
import { bearerTokenFrom, issueAccessToken, verifyAccessToken } from '../../../shared/tokens/access-token.ts';
import { rejectionOf, tokenSettings } from '../support/memory-world.ts';

const user = { id: 'b3BhcXVlLXVzZXItaGFuZGxl', username: 'ada.lovelace' };

const setup = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signer = createLocalTokenSigner(privateKey);
  const clock = memoryClock();
  const deps = { signer, clock, settings: tokenSettings };
  const issue = (fields: { userVerified?: boolean; authTime?: number; lifetimeSeconds?: number } = {}) =>
    issueAccessToken(
      { user, authTime: fields.authTime ?? clock.now(), userVerified: fields.userVerified ?? true, lifetimeSeconds: fields.lifetimeSeconds ?? 900 },
      deps,
    );
  const verify = (token: string) => verifyAccessToken(token, deps);
  /** Claims as issueAccessToken would write them, for forgeries that differ in one respect. */
  const validClaims = (): JWTPayload => {
    const now = Math.floor(clock.now() / 1000);
    return {
      iss: tokenSettings.issuer,
      aud: tokenSettings.audience,
      sub: user.id,
      iat: now,
      exp: now + 900,
      jti: 'forged-jti',
      auth_time: now,
      amr: ['hwk', 'user', 'mfa'],
      preferred_username: user.username,
    };
  };
  const signWith = async (key: KeyObject | Uint8Array, payload: JWTPayload, header: { alg: string; kid?: string; typ?: string }) =>
    new SignJWT(payload).setProtectedHeader({ typ: 'JWT', ...header }).sign(key);
  return { privateKey, publicKey, signer, clock, issue, verify, validClaims, signWith };
};

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('issueAccessToken', () => {
  it('writes the claims of API.md: iss, aud, sub, iat, exp, jti, auth_time, amr, preferred_username; ES256 with kid', async () => {
    // Prepare
    const { issue, clock, signer } = setup();
    const authTime = clock.now();
    clock.advance(2_500);

    // Act
    const issued = await issue({ authTime, lifetimeSeconds: 600 });

    // Assess
    const now = Math.floor(clock.now() / 1000);
    expect(decodeProtectedHeader(issued.accessToken)).toEqual({ alg: 'ES256', typ: 'JWT', kid: await signer.keyId() });
    expect(decodeJwt(issued.accessToken)).toEqual({
      iss: tokenSettings.issuer,
      aud: tokenSettings.audience,
      sub: user.id,
      iat: now,
      exp: now + 600,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      auth_time: Math.floor(authTime / 1000),
      amr: ['hwk', 'user', 'mfa'],
      preferred_username: user.username,
    });
    expect(issued).toMatchObject({ tokenType: 'Bearer', expiresIn: 600 });
  });

  it('puts mfa in amr only when the user was verified, and a fresh jti in every token', async () => {
    // Prepare
    const { issue } = setup();

    // Act
    const verified = await issue({ userVerified: true });
    const presentOnly = await issue({ userVerified: false });

    // Assess
    expect(decodeJwt(verified.accessToken).amr).toEqual(['hwk', 'user', 'mfa']);
    expect(decodeJwt(presentOnly.accessToken).amr).toEqual(['hwk', 'user']);
    expect(decodeJwt(verified.accessToken).jti).not.toBe(decodeJwt(presentOnly.accessToken).jti);
  });
});

describe('verifyAccessToken', () => {
  it('accepts a token it issued and returns its claims', async () => {
    // Prepare
    const { issue, verify } = setup();
    const { accessToken } = await issue();

    // Act
    const claims = await verify(accessToken);

    // Assess
    expect(claims).toMatchObject({ sub: user.id, preferred_username: user.username, iss: tokenSettings.issuer });
  });

  it('accepts a token one second before exp and refuses it at exp', async () => {
    // Prepare
    const { issue, verify, clock } = setup();
    const { accessToken } = await issue({ lifetimeSeconds: 60 });

    // Act
    clock.advance(59_000);
    const before = await verify(accessToken);
    clock.advance(1_000);
    const at = await rejectionOf(verify(accessToken));

    // Assess
    expect(before.sub).toBe(user.id);
    expect(at).toBeInstanceOf(UnauthorizedError);
    expect(at).toMatchObject({ reason: 'token_invalid' });
  });

  const forgeries: [string, (context: ReturnType<typeof setup>) => Promise<string>][] = [
    ['alg "none"', async ({ validClaims }) => `${segment({ alg: 'none', typ: 'JWT' })}.${segment(validClaims())}.`],
    ['alg "none" with a signature segment', async ({ validClaims, issue }) =>
      `${segment({ alg: 'none', typ: 'JWT' })}.${segment(validClaims())}.${(await issue()).accessToken.split('.')[2]}`],
    ['HS256 keyed with the public key\'s SPKI bytes', async ({ publicKey, validClaims, signWith, signer }) =>
      signWith(new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })), validClaims(), { alg: 'HS256', kid: await signer.keyId() })],
    ['HS256 keyed with the public key\'s PEM', async ({ publicKey, validClaims, signWith, signer }) =>
      signWith(new TextEncoder().encode(publicKey.export({ format: 'pem', type: 'spki' }).toString()), validClaims(), { alg: 'HS256', kid: await signer.keyId() })],
    ['another issuer', async ({ privateKey, validClaims, signWith, signer }) =>
      signWith(privateKey, { ...validClaims(), iss: 'https://evil.example' }, { alg: 'ES256', kid: await signer.keyId() })],
    ['another audience', async ({ privateKey, validClaims, signWith, signer }) =>
      signWith(privateKey, { ...validClaims(), aud: 'some-other-api' }, { alg: 'ES256', kid: await signer.keyId() })],
    ['an expired token', async ({ privateKey, validClaims, signWith, signer }) => {
      const claims = validClaims();
      return signWith(privateKey, { ...claims, exp: (claims.iat ?? 0) - 1 }, { alg: 'ES256', kid: await signer.keyId() });
    }],
    ['no auth_time', async ({ privateKey, validClaims, signWith, signer }) => {
      const { auth_time: _, ...claims } = validClaims();
      return signWith(privateKey, claims, { alg: 'ES256', kid: await signer.keyId() });
    }],
    ['auth_time as a string', async ({ privateKey, validClaims, signWith, signer }) =>
      signWith(privateKey, { ...validClaims(), auth_time: '1790000000' }, { alg: 'ES256', kid: await signer.keyId() })],
    ['no sub', async ({ privateKey, validClaims, signWith, signer }) => {
      const { sub: _, ...claims } = validClaims();
      return signWith(privateKey, claims, { alg: 'ES256', kid: await signer.keyId() });
    }],
    ['no jti', async ({ privateKey, validClaims, signWith, signer }) => {
      const { jti: _, ...claims } = validClaims();
      return signWith(privateKey, claims, { alg: 'ES256', kid: await signer.keyId() });
    }],
    ['another ES256 key with its own kid', async ({ validClaims, signWith }) => {
      const other = createLocalTokenSigner(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
      return signWith(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, validClaims(), { alg: 'ES256', kid: await other.keyId() });
    }],
    ['another ES256 key claiming our kid', async ({ validClaims, signWith, signer }) =>
      signWith(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, validClaims(), { alg: 'ES256', kid: await signer.keyId() })],
    ['a payload changed after signing', async ({ issue }) => {
      const [header, payload, signature] = (await issue()).accessToken.split('.');
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as JWTPayload;
      return `${header}.${segment({ ...claims, sub: 'c29tZW9uZS1lbHNl' })}.${signature}`;
    }],
    ['a header changed after signing', async ({ issue }) => {
      const [header, payload, signature] = (await issue()).accessToken.split('.');
      const decoded = JSON.parse(Buffer.from(header ?? '', 'base64url').toString()) as Record<string, unknown>;
      return `${segment({ ...decoded, typ: 'at+jwt' })}.${payload}.${signature}`;
    }],
    ['a truncated signature', async ({ issue }) => (await issue()).accessToken.slice(0, -4)],
    ['not a JWT at all', async () => 'bm90.YS1qd3Q.dG9rZW4'],
  ];

  it.each(forgeries)('refuses %s with UnauthorizedError token_invalid', async (_, forge) => {
    // Prepare
    const context = setup();
    const token = await forge(context);

    // Act
    const error = await rejectionOf(context.verify(token));

    // Assess
    expect(error).toBeInstanceOf(UnauthorizedError);
    expect(error).toMatchObject({ reason: 'token_invalid' });
  });
});

describe('bearerTokenFrom', () => {
  it('takes the token from "Bearer <jwt>", and undefined from no header', () => {
    // Act
    const token = bearerTokenFrom('Bearer aaa.bbb.ccc');
    const absent = bearerTokenFrom(undefined);

    // Assess
    expect(token).toBe('aaa.bbb.ccc');
    expect(absent).toBeUndefined();
  });

  it.each(['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Bearer aaa.bbb', 'Bearer aaa.bbb.ccc.ddd', 'Bearer aaa.bb+b.ccc', 'Bearer aaa.bbb.ccc=', 'Token aaa.bbb.ccc'])(
    'refuses the malformed header %j with UnauthorizedError',
    (header) => {
      // Act
      const attempt = () => bearerTokenFrom(header);

      // Assess
      expect(attempt).toThrow(UnauthorizedError);
    },
  );
});
