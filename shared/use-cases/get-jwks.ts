import type { TokenSigner } from '../ports.ts';

/** The public keys that verify access tokens, current and in rotation overlap (RFC 7517). */
export const getJwks = async (deps: { signer: TokenSigner }) => ({ keys: await deps.signer.publicKeys() });
