import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/browser';
import type { Credential, Session, User } from './types.ts';

/**
 * Parse at the edge: every success body is checked for the fields the SDK relies on before it
 * is typed. Deliberately shallow (no schema library in a browser bundle): enough to fail with
 * a clear message when a proxy, an old stage or a wrong baseUrl answers instead of Latchkey.
 */
export class UnexpectedResponseError extends Error {
  override readonly name = 'UnexpectedResponseError';
}

type Json = Record<string, unknown>;

const objectAt = (value: unknown, where: string): Json => {
  // Ensure an object arrived where the API promises one.
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UnexpectedResponseError(`${where}: expected an object, got ${value === null ? 'null' : typeof value}.`);
  }
  return value as Json;
};

const stringAt = (value: Json, key: string, where: string): string => {
  const found = value[key];
  // Ensure the field is a non-empty string.
  if (typeof found !== 'string' || found === '') throw new UnexpectedResponseError(`${where}.${key}: expected a string.`);
  return found;
};

const numberAt = (value: Json, key: string, where: string): number => {
  const found = value[key];
  // Ensure the field is a finite number.
  if (typeof found !== 'number' || !Number.isFinite(found)) throw new UnexpectedResponseError(`${where}.${key}: expected a number.`);
  return found;
};

export const parseUser = (value: unknown, where = 'user'): User => {
  const user = objectAt(value, where);
  stringAt(user, 'id', where);
  stringAt(user, 'username', where);
  return user as unknown as User;
};

export const parseCredential = (value: unknown, where = 'credential'): Credential => {
  const credential = objectAt(value, where);
  stringAt(credential, 'id', where);
  stringAt(credential, 'nickname', where);
  stringAt(credential, 'createdAt', where);
  return credential as unknown as Credential;
};

export const parseCredentialList = (value: unknown): Credential[] => {
  const body = objectAt(value, 'body');
  // Ensure the list is an array before reading its items.
  if (!Array.isArray(body.credentials)) throw new UnexpectedResponseError('body.credentials: expected an array.');
  return body.credentials.map((item, index) => parseCredential(item, `credentials[${index}]`));
};

export const parseCreationOptions = (value: unknown): PublicKeyCredentialCreationOptionsJSON => {
  const options = objectAt(objectAt(value, 'body').options, 'options');
  stringAt(options, 'challenge', 'options');
  objectAt(options.user, 'options.user');
  return options as unknown as PublicKeyCredentialCreationOptionsJSON;
};

export const parseRequestOptions = (value: unknown): PublicKeyCredentialRequestOptionsJSON => {
  const options = objectAt(objectAt(value, 'body').options, 'options');
  stringAt(options, 'challenge', 'options');
  return options as unknown as PublicKeyCredentialRequestOptionsJSON;
};

/** A sign-in or registration result: the token, its lifetime, the user and the key. */
export const parseSession = (value: unknown, now: number): Session => {
  const body = objectAt(value, 'body');
  const accessToken = stringAt(body, 'accessToken', 'body');
  const expiresIn = numberAt(body, 'expiresIn', 'body');
  return {
    accessToken,
    tokenType: 'Bearer',
    expiresAt: now + expiresIn * 1000,
    signedInAt: now,
    user: parseUser(body.user, 'body.user'),
    credential: parseCredential(body.credential, 'body.credential'),
  };
};
