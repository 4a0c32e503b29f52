import * as z from '../zod.ts';
import { VerificationFailedError } from '../errors.ts';

/** CollectedClientData (WebAuthn §5.8.1), the fields verification reads. */
const clientDataSchema = z.object({
  type: z.string(),
  challenge: z.string().check(z.regex(/^[A-Za-z0-9_-]+$/), z.maxLength(512)),
  origin: z.string().check(z.maxLength(2048)),
  crossOrigin: z.optional(z.boolean()),
  topOrigin: z.optional(z.string()),
});
export type ClientData = z.infer<typeof clientDataSchema>;

/** WebAuthn §7.1 steps 5–6 / §7.2 steps 9–10: decode clientDataJSON as UTF-8 JSON. */
export const parseClientData = (clientDataJSON: string): ClientData => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new VerificationFailedError('clientDataJSON is not base64url-encoded JSON.', { reason: 'malformed_response', cause });
  }
  const result = clientDataSchema.safeParse(parsed);
  if (!result.success) {
    throw new VerificationFailedError('clientDataJSON lacks type, challenge or origin.', { reason: 'malformed_response' });
  }
  return result.data;
};
