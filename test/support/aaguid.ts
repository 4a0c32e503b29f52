/**
 * The AAGUID (WebAuthn §6.5.1) from its UUID text form (RFC 9562 §4) to its 16 bytes.
 */

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const zeroAaguid = '00000000-0000-0000-0000-000000000000';

export function parseAaguid(uuid: string): Uint8Array {
  // Ensure the text is a UUID in its 8-4-4-4-12 hexadecimal form
  if (!uuidPattern.test(uuid)) {
    throw new Error(`Expected an AAGUID as a UUID such as "${zeroAaguid}", received "${uuid}"`);
  }
  return new Uint8Array(Buffer.from(uuid.replaceAll('-', ''), 'hex'));
}
