import { z } from 'zod';

/**
 * Shapes of PublicKeyCredential.toJSON() / @simplewebauthn/browser output (WebAuthn §5.1.8).
 * Unknown members are dropped rather than refused: browsers add fields over time.
 */
export const base64url = z.string().min(1).max(16_384).regex(/^[A-Za-z0-9_-]+$/, 'base64url without padding');

export const transportSchema = z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

export const registrationResponseSchema = z.object({
  id: base64url.max(1366),
  rawId: base64url.max(1366),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  response: z.object({
    clientDataJSON: base64url,
    attestationObject: base64url,
    authenticatorData: base64url.optional(),
    // Unknown transport names from newer browsers are dropped, not refused.
    transports: z.array(z.string().max(32)).max(10).optional()
      .transform((values) => values?.filter((value) => transportSchema.safeParse(value).success) as z.infer<typeof transportSchema>[] | undefined),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url.optional(),
  }),
});

export const authenticationResponseSchema = z.object({
  id: base64url.max(1366),
  rawId: base64url.max(1366),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
  response: z.object({
    clientDataJSON: base64url,
    authenticatorData: base64url,
    signature: base64url,
    userHandle: z.string().max(128).regex(/^[A-Za-z0-9_-]*$/).optional().nullable(),
  }),
});

export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;
export type AuthenticationResponse = z.infer<typeof authenticationResponseSchema>;
