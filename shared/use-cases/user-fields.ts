import * as z from '../zod.ts';

// Control characters (C0, DEL, C1) and bidi overrides never belong in names people read.
const unreadable = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Usernames: 1–64 printable characters without surrounding space; unique case-insensitively. */
export const usernameSchema = z.string().check(
  z.minLength(1),
  z.maxLength(64),
  z.refine((value) => value.trim() === value, 'no leading or trailing spaces'),
  z.refine((value) => !unreadable.test(value), 'no control characters'),
);

export const displayNameSchema = z.string().check(
  z.minLength(1),
  z.maxLength(128),
  z.refine((value) => !unreadable.test(value), 'no control characters'),
);

/** Key nicknames (API.md): 1–64 characters, no control characters. */
export const nicknameSchema = z.string().check(
  z.minLength(1),
  z.maxLength(64),
  z.refine((value) => value.trim().length > 0, 'not only spaces'),
  z.refine((value) => !unreadable.test(value), 'no control characters'),
);
