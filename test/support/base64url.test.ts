import { describe, it, expect } from 'vitest';
import { base64url } from './base64url.ts';

describe('base64url', () => {
  it('encodes without padding, with the URL-safe alphabet (RFC 4648 §5)', () => {
    expect(base64url.encode(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(base64url.encode(new Uint8Array([1]))).toBe('AQ');
    expect(base64url.encode(new Uint8Array())).toBe('');
  });

  it('encodes only the viewed bytes of a subarray', () => {
    const bytes = new Uint8Array([9, 1, 2, 9]);

    expect(base64url.encode(bytes.subarray(1, 3))).toBe(base64url.encode(new Uint8Array([1, 2])));
  });

  it('decodes what it encodes', () => {
    const bytes = new Uint8Array(Array.from({ length: 67 }, (_, index) => (index * 37) % 256));

    expect(base64url.decode(base64url.encode(bytes))).toEqual(bytes);
  });

  it('refuses padding, the standard alphabet and impossible lengths', () => {
    expect(() => base64url.decode('AQ==')).toThrow(/unpadded base64url/);
    expect(() => base64url.decode('+/8')).toThrow(/unpadded base64url/);
    expect(() => base64url.decode('AAAAA')).toThrow(/4n\+1/);
  });
});
