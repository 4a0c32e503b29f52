import { join } from 'node:path';
import { createLocalTokenSigner, loadLocalSigningKey } from '../../shared/adapters/local/local-keys.ts';
import { issueAccessToken } from '../../shared/tokens/access-token.ts';
import type { TestStage } from './local-stage.ts';

/**
 * An access token signed with the stage's own local key, as if the sign-in happened
 * `signedInSecondsAgo` ago: for step-up tests that cannot wait minutes.
 */
export const tokenSignedInAgo = async (
  stage: TestStage,
  user: { id: string; username: string },
  signedInSecondsAgo: number,
): Promise<string> => {
  const signer = createLocalTokenSigner(loadLocalSigningKey(join(stage.dataDirectory, 'keys')));
  const { accessToken } = await issueAccessToken(
    { user, authTime: Date.now() - signedInSecondsAgo * 1000, userVerified: true, lifetimeSeconds: 3600 },
    { signer, clock: { now: () => Date.now() }, settings: { issuer: stage.url, audience: 'latchkey' } },
  );
  return accessToken;
};
