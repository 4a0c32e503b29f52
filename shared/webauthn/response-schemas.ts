import * as z from '../zod.ts';

/**
 * Shapes of PublicKeyCredential.toJSON() / @simplewebauthn/browser output (WebAuthn §5.1.8).
 * Unknown members are dropped rather than refused: browsers add fields over time.
 */
export const base64url = z.string().check(z.minLength(1), z.maxLength(16_384), z.regex(/^[A-Za-z0-9_-]+$/, 'base64url without padding'));

export const transportSchema = z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);
type Transport = z.infer<typeof transportSchema>;

/** PublicKeyCredential's own members, the same for both ceremonies (ids: at most 1023 bytes). */
const publicKeyCredentialFields = {
  id: base64url.check(z.maxLength(1366)),
  rawId: base64url.check(z.maxLength(1366)),
  type: z.literal('public-key'),
  authenticatorAttachment: z.optional(z.enum(['platform', 'cross-platform'])),
  clientExtensionResults: z._default(z.record(z.string(), z.unknown()), {}),
};

export const registrationResponseSchema = z.object({
  ...publicKeyCredentialFields,
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    authenticatorData: z.optional(base64url),
    // Unknown transport names from newer browsers are dropped, not refused.
    transports: z.pipe(
      z.optional(z.array(z.string().check(z.maxLength(32))).check(z.maxLength(10))),
      z.transform((values: string[] | undefined) => values?.filter((value) => transportSchema.safeParse(value).success) as Transport[] | undefined),
    ),
    publicKeyAlgorithm: z.optional(z.int()),
    publicKey: z.optional(base64url),
  }),
});

export const authenticationResponseSchema = z.object({
  ...publicKeyCredentialFields,
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: z.nullable(z.optional(z.string().check(z.maxLength(128), z.regex(/^[A-Za-z0-9_-]*$/)))),
  }),
});

export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;
export type AuthenticationResponse = z.infer<typeof authenticationResponseSchema>;
