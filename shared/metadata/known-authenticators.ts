import * as z from '../zod.ts';
import knownAuthenticatorsFile from './known-authenticators.json' with { type: 'json' };

/**
 * The curated AAGUID → name list shipped with Latchkey (known-authenticators.json), for keys
 * FIDO metadata does not describe: passkey providers and platform authenticators mostly. It
 * names keys; it never makes an attestation trusted. Validated once, at module load.
 */
const knownAuthenticatorsSchema = z.strictObject({
  provenance: z.string().check(z.minLength(1)),
  authenticators: z.array(
    z.strictObject({
      aaguid: z.string().check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'a lower-case AAGUID in UUID form')),
      name: z.string().check(z.minLength(1), z.maxLength(64)),
      kind: z.enum(['security-key', 'platform', 'passkey-provider', 'test']),
    }),
  ),
});
export type KnownAuthenticator = z.infer<typeof knownAuthenticatorsSchema>['authenticators'][number];

export const knownAuthenticators = knownAuthenticatorsSchema.parse(knownAuthenticatorsFile);

const byAaguid = new Map(knownAuthenticators.authenticators.map((authenticator) => [authenticator.aaguid, authenticator]));

export const findKnownAuthenticator = (aaguid: string): KnownAuthenticator | undefined => byAaguid.get(aaguid.toLowerCase());
