import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { PublicJwk, TokenSigner } from '../../ports.ts';
import { toPublicJwk } from '../public-jwk.ts';
import { derToJose } from './der-to-jose.ts';

export interface KmsSignerSettings {
  /** The ECC_NIST_P256 SIGN_VERIFY key that signs new tokens. */
  signingKeyId: string;
  /** Older keys whose tokens are still valid during a rotation overlap: published, never used to sign. */
  verificationKeyIds: string[];
}

/**
 * Access tokens signed by AWS KMS: the private key never leaves KMS. Public keys are fetched
 * once per container (GetPublicKey) and cached for the key id and the JWKS.
 */
export const createKmsTokenSigner = (kms: KMSClient, settings: KmsSignerSettings): TokenSigner => {
  const publicKeyCache = new Map<string, Promise<PublicJwk>>();
  const publicKeyOf = (keyId: string): Promise<PublicJwk> => {
    let cached = publicKeyCache.get(keyId);
    if (!cached) {
      cached = kms.send(new GetPublicKeyCommand({ KeyId: keyId })).then((result) => {
        // Ensure the key is what ES256 needs before any token depends on it.
        if (result.KeySpec !== 'ECC_NIST_P256' || result.KeyUsage !== 'SIGN_VERIFY' || !result.PublicKey) {
          throw new Error(`KMS key ${keyId} is ${String(result.KeySpec)}/${String(result.KeyUsage)}, expected ECC_NIST_P256/SIGN_VERIFY`);
        }
        return toPublicJwk(result.PublicKey);
      });
      // A failed fetch must not poison the cache for the container's lifetime.
      cached.catch(() => publicKeyCache.delete(keyId));
      publicKeyCache.set(keyId, cached);
    }
    return cached;
  };

  return {
    async keyId() {
      return (await publicKeyOf(settings.signingKeyId)).kid;
    },
    async sign(signingInput) {
      const result = await kms.send(
        new SignCommand({
          KeyId: settings.signingKeyId,
          Message: signingInput,
          MessageType: 'RAW',
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      if (!result.Signature) throw new Error('KMS Sign returned no signature');
      return derToJose(result.Signature);
    },
    async publicKeys() {
      return Promise.all([settings.signingKeyId, ...settings.verificationKeyIds].map(publicKeyOf));
    },
  };
};
