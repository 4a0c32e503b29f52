import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';
import type { PublicJwk } from '../ports.ts';

/** The ES256 public JWK of a P-256 key, with its RFC 7638 thumbprint as `kid`. */
export const toPublicJwk = async (key: KeyObject | Uint8Array): Promise<PublicJwk> => {
  const publicKey = key instanceof Uint8Array ? createPublicKey({ key: Buffer.from(key), format: 'der', type: 'spki' }) : key;
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) {
    throw new Error(`Expected a P-256 EC public key, got kty=${String(jwk.kty)} crv=${String(jwk.crv)}`);
  }
  const kid = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, kid, alg: 'ES256', use: 'sig' };
};
