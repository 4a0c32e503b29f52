import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derToJose, SignatureFormatError } from '../../../shared/adapters/kms/der-to-jose.ts';

/** DER INTEGER of a non-negative big-endian value, minimal as DER requires (X.690 §8.3.2). */
const derInteger = (value: Uint8Array): number[] => {
  let start = 0;
  while (start < value.length - 1 && value[start] === 0) start += 1;
  const minimal = [...value.subarray(start)];
  const content = (minimal[0] ?? 0) & 0x80 ? [0x00, ...minimal] : minimal;
  return [0x02, content.length, ...content];
};

const derSignature = (r: Uint8Array, s: Uint8Array): Uint8Array => {
  const body = [...derInteger(r), ...derInteger(s)];
  return Uint8Array.from([0x30, body.length, ...body]);
};

const bytes = (length: number, first: number) => {
  const value = randomBytes(length);
  value[0] = first;
  return new Uint8Array(value);
};

/** A SEQUENCE whose length matches its content, so only the content is wrong. */
const sequence = (body: number[] | Uint8Array) => Uint8Array.from([0x30, body.length, ...body]);

const joinRs = (r: Uint8Array, s: Uint8Array) => Uint8Array.from([...r, ...s]);

describe('derToJose', () => {
  it('strips the sign octet DER adds when r and s have the high bit set (33-byte INTEGERs)', () => {
    // Prepare
    const r = bytes(32, 0x80);
    const s = bytes(32, 0xff);
    const der = derSignature(r, s);

    // Act
    const jose = derToJose(der);

    // Assess
    expect(der[3]).toBe(33);
    expect(der[4]).toBe(0x00);
    expect(der.length).toBe(72);
    expect(jose).toEqual(joinRs(r, s));
  });

  it('left-pads short r and s with zeros to 32 bytes each', () => {
    // Prepare: r with one leading zero byte, s with three (shorter DER INTEGERs).
    const r = Uint8Array.from([0x00, ...bytes(31, 0x7f)]);
    const s = Uint8Array.from([0x00, 0x00, 0x00, ...bytes(29, 0x01)]);
    const der = derSignature(r, s);

    // Act
    const jose = derToJose(der);

    // Assess
    expect(der[3]).toBe(31);
    expect(jose).toHaveLength(64);
    expect(jose).toEqual(joinRs(r, s));
  });

  it('handles the smallest values, r = 1 and s = 0x80 (one-byte and sign-padded two-byte INTEGERs)', () => {
    // Prepare
    const r = new Uint8Array(32);
    r[31] = 1;
    const s = new Uint8Array(32);
    s[31] = 0x80;

    // Act
    const jose = derToJose(Uint8Array.from([0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80]));

    // Assess
    expect(jose).toEqual(joinRs(r, s));
  });

  it('turns signatures node:crypto makes in DER into r || s that verify as IEEE P1363', () => {
    // Prepare
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const messages = Array.from({ length: 64 }, (_, index) => Buffer.from(`message ${index}`));

    // Act
    const results = messages.map((message) => {
      const jose = derToJose(sign('sha256', message, privateKey));
      return verify('sha256', message, { key: publicKey, dsaEncoding: 'ieee-p1363' }, jose);
    });

    // Assess
    expect(results.every(Boolean)).toBe(true);
  });

  const valid = derSignature(bytes(32, 0x90), bytes(32, 0x10));
  it.each([
    ['an empty input', new Uint8Array(0)],
    ['a SET instead of a SEQUENCE', Uint8Array.from([0x31, ...valid.subarray(1)])],
    ['a SEQUENCE length longer than the input', Uint8Array.from([0x30, valid.length, ...valid.subarray(2)])],
    ['a SEQUENCE length shorter than the input', Uint8Array.from([0x30, valid.length - 3, ...valid.subarray(2)])],
    ['trailing bytes after s', sequence([...valid.subarray(2), 0x00])],
    ['a truncated s', Uint8Array.from([0x30, valid.length - 4, ...valid.subarray(2, valid.length - 2)])],
    ['an OCTET STRING where r should be', Uint8Array.from([0x30, valid[1] ?? 0, 0x04, ...valid.subarray(3)])],
    ['only r', sequence(derInteger(bytes(32, 0x10)))],
    ['an r of 33 significant bytes', sequence([0x02, 0x21, ...bytes(33, 0x01), 0x02, 0x01, 0x01])],
    ['a two-octet long-form length', Uint8Array.from([0x30, 0x82, 0x00, valid.length - 2, ...valid.subarray(2)])],
    ['a length cut off after its long-form marker', Uint8Array.from([0x30, 0x81])],
  ])('rejects %s with SignatureFormatError', (_, der) => {
    // Act
    const attempt = () => derToJose(der);

    // Assess
    expect(attempt).toThrow(SignatureFormatError);
  });
});
