import { describe, it, expect } from 'vitest';
import {
  encodeBoolean,
  encodeEnumerated,
  encodeExplicit,
  encodeSmallInteger,
  encodeObjectIdentifier,
  encodeOctetString,
  encodeSet,
  encodeTime,
  encodeUnsignedInteger,
} from './der.ts';

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

describe('DER encoder', () => {
  it('writes explicit tags from 31 in the high-tag-number form (X.690 §8.1.2.4)', () => {
    // Android KeyDescription's [702] origin: 702 = 5 * 128 + 62
    expect(hex(encodeExplicit(702, encodeSmallInteger(0)))).toBe('bf853e03020100');
    expect(hex(encodeExplicit(1, encodeSmallInteger(2)))).toBe('a103020102');
  });

  it('encodes ENUMERATED with its own tag (X.690 §8.4)', () => {
    expect(hex(encodeEnumerated(1))).toBe('0a0101');
  });

  it('encodes object identifiers (X.690 §8.19)', () => {
    // ecdsa-with-SHA256 and id-fido-gen-ce-aaguid, as they appear in real certificates
    expect(hex(encodeObjectIdentifier('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(encodeObjectIdentifier('1.3.6.1.4.1.45724.1.1.4'))).toBe('060b2b0601040182e51c010104');
  });

  it('encodes non-negative integers minimally, adding a zero octet before a high bit (X.690 §8.3)', () => {
    expect(hex(encodeUnsignedInteger(new Uint8Array([0x00, 0x00, 0x7f])))).toBe('02017f');
    expect(hex(encodeUnsignedInteger(new Uint8Array([0x80])))).toBe('02020080');
    expect(hex(encodeUnsignedInteger(new Uint8Array([0x00])))).toBe('020100');
  });

  it('writes long lengths in the long form (X.690 §8.1.3)', () => {
    expect(hex(encodeOctetString(new Uint8Array(127))).slice(0, 4)).toBe('047f');
    expect(hex(encodeOctetString(new Uint8Array(128))).slice(0, 6)).toBe('048180');
    expect(hex(encodeOctetString(new Uint8Array(300))).slice(0, 8)).toBe('0482012c');
  });

  it('writes TRUE as 0xff and sorts SET OF members (X.690 §11.1, §11.6)', () => {
    expect(hex(encodeBoolean(true))).toBe('0101ff');
    expect(hex(encodeSet(encodeBoolean(true), encodeBoolean(false)))).toBe('3106010100' + '0101ff');
  });

  it('uses UTCTime before 2050 and GeneralizedTime from 2050 (RFC 5280 §4.1.2.5)', () => {
    expect(Buffer.from(encodeTime(new Date('2049-12-31T23:59:59Z'))).toString('latin1').slice(2)).toBe('491231235959Z');
    expect(Buffer.from(encodeTime(new Date('2050-01-01T00:00:00Z'))).toString('latin1').slice(2)).toBe('20500101000000Z');
  });
});
