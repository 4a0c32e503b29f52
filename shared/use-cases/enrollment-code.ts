/** The keyed-hash purpose enrollment codes are stored under (never the code itself). */
export const enrollmentCodePurpose = 'enrollment-code';

/** People type codes with spaces, dashes and either case; all spellings hash alike. */
export const normalizeEnrollmentCode = (code: string): string => code.replace(/[\s-]/g, '').toUpperCase();
