import { randomInt } from 'node:crypto';

/** The keyed-hash purpose enrollment codes are stored under (never the code itself). */
export const enrollmentCodePurpose = 'enrollment-code';

/** Crockford's base32: no I, L, O or U, so nothing reads as another character. */
const crockfordAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const codeGroups = 4;
const groupLength = 4;

/** Bits of entropy in a code: 16 characters of 5 bits (the issue asks for at least 80). */
export const enrollmentCodeEntropyBits = codeGroups * groupLength * 5;

/** Entra's Temporary Access Pass bounds: 10 minutes to 30 days; one hour unless the admin says otherwise. */
export const enrollmentCodeLifetime = { minSeconds: 600, maxSeconds: 30 * 86_400, defaultSeconds: 3600 } as const;

/** A new code, `XXXX-XXXX-XXXX-XXXX` in Crockford base32: 80 random bits a person can read out and type. */
export const generateEnrollmentCode = (): string =>
  Array.from({ length: codeGroups }, () =>
    Array.from({ length: groupLength }, () => crockfordAlphabet[randomInt(crockfordAlphabet.length)]).join(''),
  ).join('-');

/**
 * People type codes with spaces, dashes and either case, and mistake O for 0 and I or L for 1;
 * all spellings hash alike (Crockford's decoding rules).
 */
export const normalizeEnrollmentCode = (code: string): string =>
  code
    .replace(/[\s-]/g, '')
    .toUpperCase()
    .replace(/O/g, '0')
    .replace(/[IL]/g, '1');
