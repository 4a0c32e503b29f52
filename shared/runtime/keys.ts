import { KMSClient } from '@aws-sdk/client-kms';
import { createKmsTokenSigner } from '../adapters/kms/kms-token-signer.ts';
import { createKmsSecretHasher } from '../adapters/kms/kms-secret-hasher.ts';
import {
  createLocalSecretHasher,
  createLocalTokenSigner,
  loadLocalSecret,
  loadLocalSigningKey,
} from '../adapters/local/local-keys.ts';
import type { SecretHasher, TokenSigner } from '../ports.ts';
import { tracer } from '../http/observability.ts';
import { environmentVariables as names } from './variables.ts';
import { ConfigurationError, requiredString, stringList } from './environment.ts';

/** The signing key and HMAC secret: in KMS in AWS, in a local folder on one machine. */
const keySource = requiredString(names.keySource);

const build = (): { signer: TokenSigner; hasher: SecretHasher } => {
  if (keySource === 'kms') {
    const kms = tracer.captureAWSv3Client(new KMSClient({}));
    return {
      signer: createKmsTokenSigner(kms, {
        signingKeyId: requiredString(names.signingKeyId),
        verificationKeyIds: stringList(names.verificationKeyIds),
      }),
      hasher: createKmsSecretHasher(kms, requiredString(names.hmacKeyId)),
    };
  }
  if (keySource === 'local') {
    const directory = requiredString(names.localKeyDirectory);
    return {
      signer: createLocalTokenSigner(loadLocalSigningKey(directory)),
      hasher: createLocalSecretHasher(loadLocalSecret(directory)),
    };
  }
  throw new ConfigurationError(`${names.keySource} must be "kms" or "local", got "${keySource}"`);
};

export const { signer, hasher } = build();
