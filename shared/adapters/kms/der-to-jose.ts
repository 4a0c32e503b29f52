/**
 * KMS returns ECDSA signatures DER-encoded (RFC 3279: SEQUENCE { r INTEGER, s INTEGER });
 * JWS ES256 wants the fixed 64-byte r || s form (RFC 7518 §3.4).
 */
export class SignatureFormatError extends Error {
  override readonly name = 'SignatureFormatError';
}

const readLength = (bytes: Uint8Array, offset: number): { length: number; next: number } => {
  const first = bytes[offset];
  if (first === undefined) throw new SignatureFormatError('DER signature ended inside a length');
  if (first < 0x80) return { length: first, next: offset + 1 };
  const octets = first & 0x7f;
  // Ensure short definite lengths: an ES256 signature is never longer than 72 bytes.
  if (octets !== 1) throw new SignatureFormatError(`DER length with ${octets} length octets is not expected here`);
  const length = bytes[offset + 1];
  if (length === undefined) throw new SignatureFormatError('DER signature ended inside a length');
  return { length, next: offset + 2 };
};

const readInteger = (bytes: Uint8Array, offset: number, size: number): { value: Uint8Array; next: number } => {
  if (bytes[offset] !== 0x02) throw new SignatureFormatError(`Expected a DER INTEGER at ${offset}, found 0x${(bytes[offset] ?? 0).toString(16)}`);
  const { length, next } = readLength(bytes, offset + 1);
  let value = bytes.subarray(next, next + length);
  if (value.length !== length) throw new SignatureFormatError('DER INTEGER is truncated');
  // Strip the sign octet(s) DER adds when the high bit is set.
  while (value.length > size && value[0] === 0) value = value.subarray(1);
  if (value.length > size) throw new SignatureFormatError(`DER INTEGER of ${value.length} bytes exceeds ${size}`);
  const padded = new Uint8Array(size);
  padded.set(value, size - value.length);
  return { value: padded, next: next + length };
};

export const derToJose = (der: Uint8Array, size = 32): Uint8Array => {
  if (der[0] !== 0x30) throw new SignatureFormatError('Expected a DER SEQUENCE');
  const sequence = readLength(der, 1);
  if (sequence.next + sequence.length !== der.length) throw new SignatureFormatError('DER SEQUENCE length does not match the signature');
  const r = readInteger(der, sequence.next, size);
  const s = readInteger(der, r.next, size);
  if (s.next !== der.length) throw new SignatureFormatError('Trailing bytes after the DER signature');
  const jose = new Uint8Array(size * 2);
  jose.set(r.value, 0);
  jose.set(s.value, size);
  return jose;
};
