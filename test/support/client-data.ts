/**
 * Collected client data (WebAuthn §5.8.1), serialized as the browser does (§5.8.1.1): the members
 * type, challenge, origin and crossOrigin in that order, as compact JSON in UTF-8.
 */

export interface ClientDataInput {
  type: string;
  /** base64url, exactly as it should appear in the JSON */
  challenge: string;
  origin: string;
}

export function encodeClientData(input: ClientDataInput): Uint8Array {
  const clientData = {
    type: input.type,
    challenge: input.challenge,
    origin: input.origin,
    crossOrigin: false,
  };
  return new Uint8Array(Buffer.from(JSON.stringify(clientData), 'utf8'));
}
