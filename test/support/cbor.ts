/**
 * A CBOR encoder (RFC 8949) for the subset WebAuthn needs: unsigned and negative integers, byte
 * strings, text strings, arrays and maps with integer or text keys. Maps are written in CTAP2
 * canonical order (CTAP 2.1 §8 Message Encoding, "CTAP2 canonical CBOR encoding form"), the order authenticators
 * emit: keys sorted by the length of their encoding, then byte-wise, so a COSE key comes out as
 * 1, 3, -1, -2, -3 and an attestation object as "fmt", "attStmt", "authData".
 */

export type CborValue = number | string | Uint8Array | CborValue[] | Map<number | string, CborValue>;

// RFC 8949 §3.1
const majorTypeUnsignedInteger = 0;
const majorTypeNegativeInteger = 1;
const majorTypeByteString = 2;
const majorTypeTextString = 3;
const majorTypeArray = 4;
const majorTypeMap = 5;

export function encodeCbor(value: CborValue): Uint8Array {
  return new Uint8Array(encodeValue(value));
}

function encodeValue(value: CborValue): Buffer {
  if (typeof value === 'number') {
    return encodeInteger(value);
  }
  if (typeof value === 'string') {
    const utf8 = Buffer.from(value, 'utf8');
    return Buffer.concat([encodeHead(majorTypeTextString, utf8.length), utf8]);
  }
  if (value instanceof Uint8Array) {
    return Buffer.concat([encodeHead(majorTypeByteString, value.length), value]);
  }
  if (Array.isArray(value)) {
    return Buffer.concat([encodeHead(majorTypeArray, value.length), ...value.map(encodeValue)]);
  }
  return encodeMap(value);
}

function encodeInteger(value: number): Buffer {
  // Ensure the number is one CBOR can carry exactly as an integer
  if (!Number.isSafeInteger(value)) {
    throw new Error(`Expected a safe integer for CBOR, received ${value}`);
  }
  // RFC 8949 §3.1: major type 1 carries -1 - n
  return value >= 0
    ? encodeHead(majorTypeUnsignedInteger, value)
    : encodeHead(majorTypeNegativeInteger, -1 - value);
}

function encodeMap(map: Map<number | string, CborValue>): Buffer {
  const entries = [...map.entries()].map(([key, entryValue]) => ({
    key: encodeValue(key),
    value: encodeValue(entryValue),
  }));
  entries.sort((left, right) => compareCanonically(left.key, right.key));
  return Buffer.concat([
    encodeHead(majorTypeMap, entries.length),
    ...entries.flatMap((entry) => [entry.key, entry.value]),
  ]);
}

// CTAP 2.1 §8: shorter encodings first, equal lengths byte-wise
function compareCanonically(left: Buffer, right: Buffer): number {
  if (left.length !== right.length) {
    return left.length - right.length;
  }
  return Buffer.compare(left, right);
}

// RFC 8949 §3: the initial byte and, past 23, the argument in 1, 2, 4 or 8 bytes (preferred serialization, §4.1)
function encodeHead(majorType: number, argument: number): Buffer {
  const typeBits = majorType << 5;
  if (argument < 24) {
    return Buffer.from([typeBits | argument]);
  }
  if (argument < 0x100) {
    return Buffer.from([typeBits | 24, argument]);
  }
  if (argument < 0x10000) {
    const head = Buffer.alloc(3);
    head[0] = typeBits | 25;
    head.writeUInt16BE(argument, 1);
    return head;
  }
  if (argument < 0x100000000) {
    const head = Buffer.alloc(5);
    head[0] = typeBits | 26;
    head.writeUInt32BE(argument, 1);
    return head;
  }
  const head = Buffer.alloc(9);
  head[0] = typeBits | 27;
  head.writeBigUInt64BE(BigInt(argument), 1);
  return head;
}
