import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetPublicKeyCommand, KMSClient, SignCommand, type GetPublicKeyCommandOutput } from '@aws-sdk/client-kms';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { createKmsTokenSigner } from '../../../shared/adapters/kms/kms-token-signer.ts';
import { createLocalTokenSigner } from '../../../shared/adapters/local/local-keys.ts';
import { memoryClock } from '../../../shared/adapters/memory/memory-ports.ts';
import { issueAccessToken, verifyAccessToken } from '../../../shared/tokens/access-token.ts';
import { rejectionOf, tokenSettings } from '../support/memory-world.ts';

const kmsMock = mockClient(KMSClient);

/** A KMS key stand-in: a real P-256 key whose SPKI DER GetPublicKey returns and which Sign uses. */
const kmsKey = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }));
  return { privateKey, spki };
};

const p256Output = (spki: Uint8Array): Partial<GetPublicKeyCommandOutput> => ({
  KeySpec: 'ECC_NIST_P256',
  KeyUsage: 'SIGN_VERIFY',
  SigningAlgorithms: ['ECDSA_SHA_256'],
  PublicKey: spki,
});

/** Sign as KMS does: ECDSA over SHA-256 of the raw message, DER-encoded (node's default for EC). */
const signLikeKms = (privateKey: KeyObject) => async (input: { Message?: Uint8Array }) => ({
  Signature: new Uint8Array(sign('sha256', input.Message ?? new Uint8Array(), privateKey)),
  SigningAlgorithm: 'ECDSA_SHA_256',
});

const user = { id: 'dXNlci1oYW5kbGU', username: 'ada' };

let kms: KMSClient;
beforeEach(() => {
  kmsMock.reset();
  kms = new KMSClient({ region: 'eu-west-1' });
});
afterEach(() => {
  kms.destroy();
});

describe('the KMS token signer', () => {
  it('signs with KMS (RAW, ECDSA_SHA_256, the signing key) and the token verifies against its published keys', async () => {
    // Prepare
    const key = kmsKey();
    kmsMock.on(GetPublicKeyCommand, { KeyId: 'alias/latchkey-signing' }).resolves(p256Output(key.spki));
    kmsMock.on(SignCommand).callsFake(signLikeKms(key.privateKey));
    const signer = createKmsTokenSigner(kms, { signingKeyId: 'alias/latchkey-signing', verificationKeyIds: [] });
    const clock = memoryClock(Date.now());

    // Act
    const { accessToken } = await issueAccessToken({ user, authTime: clock.now(), userVerified: true, lifetimeSeconds: 600 }, { signer, clock, settings: tokenSettings });

    // Assess
    const signCalls = kmsMock.commandCalls(SignCommand);
    expect(signCalls).toHaveLength(1);
    const input = signCalls[0]?.args[0].input;
    expect(input).toMatchObject({ KeyId: 'alias/latchkey-signing', MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' });
    expect(Buffer.from(input?.Message ?? []).toString()).toBe(accessToken.split('.').slice(0, 2).join('.'));

    const publicKeys = await signer.publicKeys();
    const { payload, protectedHeader } = await jwtVerify(accessToken, createLocalJWKSet({ keys: publicKeys }), {
      issuer: tokenSettings.issuer,
      audience: tokenSettings.audience,
      algorithms: ['ES256'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: publicKeys[0]?.kid });
    expect(payload.sub).toBe(user.id);
    expect(await verifyAccessToken(accessToken, { signer, clock, settings: tokenSettings })).toMatchObject({ sub: user.id });
    // The JOSE signature is r || s, 64 bytes, whatever the DER length was.
    expect(Buffer.from(accessToken.split('.')[2] ?? '', 'base64url')).toHaveLength(64);
  });

  it('produces verifiable tokens for DER signatures of every length (r, s with and without the high bit)', async () => {
    // Prepare
    const key = kmsKey();
    kmsMock.on(GetPublicKeyCommand).resolves(p256Output(key.spki));
    const derLengths = new Set<number>();
    kmsMock.on(SignCommand).callsFake(async (input: { Message?: Uint8Array }) => {
      const result = await signLikeKms(key.privateKey)(input);
      derLengths.add(result.Signature.length);
      return result;
    });
    const signer = createKmsTokenSigner(kms, { signingKeyId: 'key-1', verificationKeyIds: [] });
    const clock = memoryClock(Date.now());

    // Act
    const tokens = await Promise.all(
      Array.from({ length: 40 }, () => issueAccessToken({ user, authTime: clock.now(), userVerified: false, lifetimeSeconds: 600 }, { signer, clock, settings: tokenSettings })),
    );
    const verified = await Promise.allSettled(tokens.map(({ accessToken }) => verifyAccessToken(accessToken, { signer, clock, settings: tokenSettings })));

    // Assess
    expect(derLengths.size).toBeGreaterThan(1);
    expect(verified.filter((result) => result.status === 'rejected')).toEqual([]);
  });

  it('calls GetPublicKey once per container, however many tokens and key-set reads follow', async () => {
    // Prepare
    const key = kmsKey();
    kmsMock.on(GetPublicKeyCommand).resolves(p256Output(key.spki));
    kmsMock.on(SignCommand).callsFake(signLikeKms(key.privateKey));
    const signer = createKmsTokenSigner(kms, { signingKeyId: 'key-1', verificationKeyIds: [] });
    const clock = memoryClock(Date.now());

    // Act
    await Promise.all([signer.keyId(), signer.keyId(), signer.publicKeys()]);
    for (let index = 0; index < 5; index += 1) {
      await issueAccessToken({ user, authTime: clock.now(), userVerified: true, lifetimeSeconds: 600 }, { signer, clock, settings: tokenSettings });
    }
    await signer.publicKeys();

    // Assess
    expect(kmsMock.commandCalls(GetPublicKeyCommand)).toHaveLength(1);
    expect(kmsMock.commandCalls(SignCommand)).toHaveLength(5);
  });

  it('does not cache a failed GetPublicKey: the next call asks KMS again and succeeds', async () => {
    // Prepare
    const key = kmsKey();
    kmsMock.on(GetPublicKeyCommand).rejectsOnce(new Error('ThrottlingException: Rate exceeded')).resolves(p256Output(key.spki));
    const signer = createKmsTokenSigner(kms, { signingKeyId: 'key-1', verificationKeyIds: [] });

    // Act
    const first = await rejectionOf(signer.keyId());
    const second = await signer.keyId();

    // Assess
    expect(first).toBeInstanceOf(Error);
    expect(second).toBe((await signer.publicKeys())[0]?.kid);
    expect(kmsMock.commandCalls(GetPublicKeyCommand)).toHaveLength(2);
  });

  it.each([
    ['an RSA key', { KeySpec: 'RSA_2048', KeyUsage: 'SIGN_VERIFY' }],
    ['a secp256k1 key', { KeySpec: 'ECC_SECG_P256K1', KeyUsage: 'SIGN_VERIFY' }],
    ['a P-256 key for key agreement', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'KEY_AGREEMENT' }],
    ['a response without the public key', { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', PublicKey: undefined }],
  ] as const)('refuses %s, naming what it got, and signs nothing', async (_, output) => {
    // Prepare
    const key = kmsKey();
    kmsMock.on(GetPublicKeyCommand).resolves({ PublicKey: key.spki, ...output });
    kmsMock.on(SignCommand).callsFake(signLikeKms(key.privateKey));
    const signer = createKmsTokenSigner(kms, { signingKeyId: 'wrong-key', verificationKeyIds: [] });
    const clock = memoryClock(Date.now());

    // Act
    const error = await rejectionOf(
      issueAccessToken({ user, authTime: clock.now(), userVerified: true, lifetimeSeconds: 600 }, { signer, clock, settings: tokenSettings }),
    );

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('wrong-key');
    expect((error as Error).message).toContain('ECC_NIST_P256/SIGN_VERIFY');
    expect(kmsMock.commandCalls(SignCommand)).toHaveLength(0);
  });

  it('publishes the VERIFICATION_KEY_IDS keys next to the signing key, and accepts tokens they signed, but signs only with the signing key', async () => {
    // Prepare
    const current = kmsKey();
    const previous = kmsKey();
    kmsMock.on(GetPublicKeyCommand, { KeyId: 'key-current' }).resolves(p256Output(current.spki));
    kmsMock.on(GetPublicKeyCommand, { KeyId: 'key-previous' }).resolves(p256Output(previous.spki));
    kmsMock.on(SignCommand).callsFake(signLikeKms(current.privateKey));
    const signer = createKmsTokenSigner(kms, { signingKeyId: 'key-current', verificationKeyIds: ['key-previous'] });
    // A token the previous key signed before the rotation (same kid: the RFC 7638 thumbprint).
    const previousSigner = createLocalTokenSigner(previous.privateKey);
    const clock = memoryClock(Date.now());
    const oldToken = await issueAccessToken({ user, authTime: clock.now(), userVerified: true, lifetimeSeconds: 600 }, { signer: previousSigner, clock, settings: tokenSettings });

    // Act
    const keys = await signer.publicKeys();
    const newToken = await issueAccessToken({ user, authTime: clock.now(), userVerified: true, lifetimeSeconds: 600 }, { signer, clock, settings: tokenSettings });
    const oldClaims = await verifyAccessToken(oldToken.accessToken, { signer, clock, settings: tokenSettings });

    // Assess
    expect(keys.map((jwk) => jwk.kid)).toEqual([await signer.keyId(), await previousSigner.keyId()]);
    expect(new Set(keys.map((jwk) => jwk.kid)).size).toBe(2);
    expect(keys.every((jwk) => jwk.kty === 'EC' && jwk.crv === 'P-256' && jwk.alg === 'ES256' && jwk.use === 'sig')).toBe(true);
    expect(decodeProtectedHeader(newToken.accessToken).kid).toBe(keys[0]?.kid);
    expect(oldClaims.sub).toBe(user.id);
    expect(kmsMock.commandCalls(SignCommand).every((call) => call.args[0].input.KeyId === 'key-current')).toBe(true);
  });

  it('fails loudly when KMS Sign returns no signature', async () => {
    // Prepare
    const key = kmsKey();
    kmsMock.on(GetPublicKeyCommand).resolves(p256Output(key.spki));
    kmsMock.on(SignCommand).resolves({});
    const signer = createKmsTokenSigner(kms, { signingKeyId: 'key-1', verificationKeyIds: [] });

    // Act
    const error = await rejectionOf(signer.sign(new TextEncoder().encode('header.payload')));

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/no signature/);
  });
});
