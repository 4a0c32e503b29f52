import { createHmac } from 'node:crypto';
import { GenerateMacCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { SecretHasher } from '../../ports.ts';

/**
 * Keyed hashes under a KMS HMAC_256 key. Each purpose gets a sub-key derived once per
 * container with GenerateMac (deterministic, so every container derives the same one);
 * hashing itself is then local, so the time it takes does not depend on KMS latency.
 */
export const createKmsSecretHasher = (kms: KMSClient, hmacKeyId: string): SecretHasher => {
  const subKeys = new Map<string, Promise<Uint8Array>>();
  const subKey = (purpose: string): Promise<Uint8Array> => {
    let key = subKeys.get(purpose);
    if (!key) {
      key = kms
        .send(
          new GenerateMacCommand({
            KeyId: hmacKeyId,
            MacAlgorithm: 'HMAC_SHA_256',
            Message: new TextEncoder().encode(`latchkey/${purpose}`),
          }),
        )
        .then((result) => {
          if (!result.Mac) throw new Error('KMS GenerateMac returned no MAC');
          return result.Mac;
        });
      key.catch(() => subKeys.delete(purpose));
      subKeys.set(purpose, key);
    }
    return key;
  };
  return {
    async hash(purpose, value) {
      return createHmac('sha256', await subKey(purpose)).update(value, 'utf8').digest('base64url');
    },
  };
};
