import { createHmac, createPrivateKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SecretHasher, TokenSigner } from '../../ports.ts';
import { toPublicJwk } from '../public-jwk.ts';

/**
 * The local stage's keys, generated on first start and kept in a folder (.local/keys) so
 * tokens survive a restart. Same ports as the KMS adapters.
 */
const loadOrCreate = (file: string, create: () => string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const content = create();
    // wx: two processes starting at once must not overwrite each other's key.
    try {
      writeFileSync(file, content, { flag: 'wx', mode: 0o600 });
      return content;
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8');
      throw writeError;
    }
  }
};

export const loadLocalSigningKey = (directory: string): KeyObject => {
  mkdirSync(directory, { recursive: true });
  const pem = loadOrCreate(join(directory, 'signing-key.pem'), () =>
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
  );
  return createPrivateKey(pem);
};

export const createLocalTokenSigner = (privateKey: KeyObject): TokenSigner => {
  const publicJwk = toPublicJwk(privateKey);
  return {
    async keyId() {
      return (await publicJwk).kid;
    },
    async sign(signingInput) {
      return sign('sha256', signingInput, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    },
    async publicKeys() {
      return [await publicJwk];
    },
  };
};

export const loadLocalSecret = (directory: string): Uint8Array => {
  mkdirSync(directory, { recursive: true });
  return Buffer.from(loadOrCreate(join(directory, 'hmac-secret'), () => randomBytes(32).toString('base64url')), 'base64url');
};

export const createLocalSecretHasher = (secret: Uint8Array): SecretHasher => ({
  async hash(purpose, value) {
    const subKey = createHmac('sha256', secret).update(`latchkey/${purpose}`).digest();
    return createHmac('sha256', subKey).update(value, 'utf8').digest('base64url');
  },
});
