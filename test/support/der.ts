/**
 * A DER encoder (ITU-T X.690 §8, §10) for the few ASN.1 types an X.509 certificate (RFC 5280)
 * needs. Each function returns one complete TLV; compose them to build a structure.
 */

// X.690 §8.1.2: universal class tags, and the constructed bit
const tagBoolean = 0x01;
const tagInteger = 0x02;
const tagEnumerated = 0x0a;
const tagBitString = 0x03;
const tagOctetString = 0x04;
const tagObjectIdentifier = 0x06;
const tagUtf8String = 0x0c;
const tagPrintableString = 0x13;
const tagUtcTime = 0x17;
const tagGeneralizedTime = 0x18;
const tagSequence = 0x30;
const tagSet = 0x31;
const contextSpecificConstructed = 0xa0;

export function encodeTagged(tag: number, content: Uint8Array): Uint8Array {
  return concatenate([Uint8Array.of(tag), encodeLength(content.length), content]);
}

// X.690 §8.1.3 and §10.1: definite form, as few length octets as possible
function encodeLength(length: number): Uint8Array {
  if (length < 0x80) {
    return Uint8Array.of(length);
  }
  const octets: number[] = [];
  for (let remaining = length; remaining > 0; remaining = Math.floor(remaining / 0x100)) {
    octets.unshift(remaining % 0x100);
  }
  return Uint8Array.of(0x80 | octets.length, ...octets);
}

export function encodeSequence(...items: Uint8Array[]): Uint8Array {
  return encodeTagged(tagSequence, concatenate(items));
}

// X.690 §11.6: the elements of a DER SET OF are sorted by their encodings
export function encodeSet(...items: Uint8Array[]): Uint8Array {
  const sorted = [...items].sort((left, right) => Buffer.compare(left, right));
  return encodeTagged(tagSet, concatenate(sorted));
}

// X.690 §8.14: [number] EXPLICIT wraps the whole inner TLV
export function encodeExplicit(tagNumber: number, inner: Uint8Array): Uint8Array {
  if (tagNumber < 31) {
    return encodeTagged(contextSpecificConstructed | tagNumber, inner);
  }
  // X.690 §8.1.2.4: tag numbers from 31 take the high-tag-number form, the number in base 128
  return concatenate([Uint8Array.of(contextSpecificConstructed | 0x1f, ...encodeBase128(tagNumber)), encodeLength(inner.length), inner]);
}

// X.690 §11.1: DER TRUE is 0xff
export function encodeBoolean(value: boolean): Uint8Array {
  return encodeTagged(tagBoolean, Uint8Array.of(value ? 0xff : 0x00));
}

/** A non-negative INTEGER from its big-endian magnitude (X.690 §8.3: two's complement, minimal). */
export function encodeUnsignedInteger(magnitude: Uint8Array): Uint8Array {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) {
    start += 1;
  }
  const trimmed = magnitude.subarray(start);
  // A leading 1 bit would read as negative, so prefix a zero octet
  const content = (trimmed[0] ?? 0) & 0x80 ? concatenate([Uint8Array.of(0), trimmed]) : trimmed;
  return encodeTagged(tagInteger, content.length === 0 ? Uint8Array.of(0) : content);
}

export function encodeSmallInteger(value: number): Uint8Array {
  // Ensure the value fits the one-octet encoding this helper writes
  if (!Number.isInteger(value) || value < 0 || value > 0x7f) {
    throw new Error(`Expected an integer from 0 to 127, received ${value}`);
  }
  return encodeTagged(tagInteger, Uint8Array.of(value));
}

// X.690 §8.4: ENUMERATED is encoded as an INTEGER with its own tag
export function encodeEnumerated(value: number): Uint8Array {
  // Ensure the value fits the one-octet encoding this helper writes
  if (!Number.isInteger(value) || value < 0 || value > 0x7f) {
    throw new Error(`Expected an enumerated value from 0 to 127, received ${value}`);
  }
  return encodeTagged(tagEnumerated, Uint8Array.of(value));
}

// X.690 §8.6: the first content octet counts the unused bits in the last octet
export function encodeBitString(bytes: Uint8Array, unusedBits = 0): Uint8Array {
  return encodeTagged(tagBitString, concatenate([Uint8Array.of(unusedBits), bytes]));
}

export function encodeOctetString(bytes: Uint8Array): Uint8Array {
  return encodeTagged(tagOctetString, bytes);
}

// X.690 §8.19: first two arcs as 40 * first + second, every arc base 128 with continuation bits
export function encodeObjectIdentifier(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const [first, second, ...rest] = arcs;
  // Ensure the identifier has at least two numeric arcs
  if (first === undefined || second === undefined || arcs.some((arc) => !Number.isSafeInteger(arc) || arc < 0)) {
    throw new Error(`Expected a dotted object identifier such as "2.5.4.3", received "${dotted}"`);
  }
  const octets = [40 * first + second, ...rest].flatMap(encodeBase128);
  return encodeTagged(tagObjectIdentifier, Uint8Array.from(octets));
}

function encodeBase128(arc: number): number[] {
  const octets = [arc % 0x80];
  for (let remaining = Math.floor(arc / 0x80); remaining > 0; remaining = Math.floor(remaining / 0x80)) {
    octets.unshift(0x80 | (remaining % 0x80));
  }
  return octets;
}

export function encodeUtf8String(text: string): Uint8Array {
  return encodeTagged(tagUtf8String, new Uint8Array(Buffer.from(text, 'utf8')));
}

export function encodePrintableString(text: string): Uint8Array {
  // Ensure the text uses only the PrintableString alphabet (X.680 §41.4)
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) {
    throw new Error(`Expected PrintableString characters, received "${text}"`);
  }
  return encodeTagged(tagPrintableString, new Uint8Array(Buffer.from(text, 'ascii')));
}

// RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, both in UTC to the second
export function encodeTime(date: Date): Uint8Array {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, ''); // YYYYMMDDHHMMSS
  if (date.getUTCFullYear() < 2050) {
    return encodeTagged(tagUtcTime, new Uint8Array(Buffer.from(`${digits.slice(2)}Z`, 'ascii')));
  }
  return encodeTagged(tagGeneralizedTime, new Uint8Array(Buffer.from(`${digits}Z`, 'ascii')));
}

function concatenate(parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
