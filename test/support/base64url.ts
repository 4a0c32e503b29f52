/**
 * base64url without padding (RFC 4648 §5), the encoding WebAuthn uses for every binary field in
 * the JSON forms of its responses (WebAuthn §5.1 `toJSON()`, §5.2.1.1, §5.2.2).
 */

const base64urlAlphabet = /^[A-Za-z0-9_-]*$/;

export function encode(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

export function decode(text: string): Uint8Array {
  // Ensure the text is unpadded base64url: Buffer would silently skip anything else
  if (!base64urlAlphabet.test(text)) {
    throw new Error(`Expected unpadded base64url, received "${text}"`);
  }
  // Ensure the length is possible: one leftover character cannot carry a whole byte
  if (text.length % 4 === 1) {
    throw new Error(`Expected a base64url length not of the form 4n+1, received ${text.length}`);
  }
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

export const base64url = { encode, decode };
