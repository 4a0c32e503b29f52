import { describe, it, expect } from 'vitest';
import { encodeCbor, type CborValue } from './cbor.ts';

function hex(value: CborValue): string {
  return Buffer.from(encodeCbor(value)).toString('hex');
}

describe('encodeCbor', () => {
  // RFC 8949 Appendix A
  it.each([
    [0, '00'],
    [23, '17'],
    [24, '1818'],
    [100, '1864'],
    [1000, '1903e8'],
    [1000000, '1a000f4240'],
    [1000000000000, '1b000000e8d4a51000'],
    [-1, '20'],
    [-10, '29'],
    [-100, '3863'],
    [-1000, '3903e7'],
    ['', '60'],
    ['a', '6161'],
    ['IETF', '6449455446'],
    ['\u00fc', '62c3bc'],
    [new Uint8Array([1, 2, 3, 4]), '4401020304'],
    [[], '80'],
    [[1, 2, 3], '83010203'],
    [[1, [2, 3], [4, 5]], '8301820203820405'],
  ] as [CborValue, string][])('encodes %j as the RFC 8949 example %s', (value, expected) => {
    expect(hex(value)).toBe(expected);
  });

  it('encodes maps as RFC 8949 Appendix A does', () => {
    expect(hex(new Map([[1, 2], [3, 4]]))).toBe('a201020304');
    expect(hex(new Map<string, CborValue>([['a', 1], ['b', [2, 3]]]))).toBe('a26161016162820203');
  });

  it('sorts map keys in CTAP2 canonical order whatever the insertion order', () => {
    const coseKeyLabels = new Map<number, CborValue>([[-3, 0], [-1, 0], [3, 0], [-2, 0], [1, 0]]);
    const attestationObjectKeys = new Map<string, CborValue>([['authData', 0], ['fmt', 0], ['attStmt', 0]]);

    // 1, 3, -1, -2, -3 and "fmt", "attStmt", "authData": what authenticators emit
    expect(hex(coseKeyLabels)).toBe('a5' + '0100' + '0300' + '2000' + '2100' + '2200');
    expect(hex(attestationObjectKeys)).toBe(
      'a3' + '63666d7400' + '6761747453746d7400' + '68617574684461746100',
    );
  });

  it('writes lengths past 23 with the right argument size', () => {
    expect(hex(new Uint8Array(24)).slice(0, 4)).toBe('5818');
    expect(hex(new Uint8Array(256)).slice(0, 6)).toBe('590100');
    expect(hex('x'.repeat(70000)).slice(0, 10)).toBe('7a00011170');
  });

  it('refuses values it cannot encode exactly', () => {
    expect(() => encodeCbor(1.5)).toThrow(/safe integer/);
    expect(() => encodeCbor(2 ** 53)).toThrow(/safe integer/);
  });
});
