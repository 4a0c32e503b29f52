/**
 * Proves an audit event carries nothing secret (EVENTS.md: no token, enrollment code, public
 * key or signature). Checks field names, the shapes secrets take, and — when the test knows
 * them — the exact secret values of the ceremony that produced the event.
 */
export class SecretLeakError extends Error {
  override readonly name = 'SecretLeakError';
}

export interface SecretScanOptions {
  /** Values the event must not contain anywhere: the token issued, the code typed, the key's COSE bytes (base64url). */
  secrets?: readonly string[];
}

/** Field names that only ever hold secrets or key material. */
const forbiddenFieldNames = new Set(
  [
    'publicKey', 'credentialPublicKey', 'cosePublicKey', 'privateKey', 'jwk', 'signature', 'sig',
    'token', 'accessToken', 'idToken', 'refreshToken', 'authorization', 'bearer',
    'code', 'enrollmentCode', 'codeHash', 'secret', 'password',
    'attestationObject', 'authenticatorData', 'clientDataJSON', 'userHandle', 'challenge',
  ].map((name) => name.toLowerCase()),
);

/** Where long opaque identifiers legitimately appear: ids are base64url too, but not secrets. */
const identifierPaths = new Set(['id', 'detail.eventId', 'detail.requestId', 'detail.user.id', 'detail.actor.userId', 'detail.credential.id', 'detail.credential.aaguid']);

const jwtPattern = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/;
const pemPattern = /-----BEGIN [A-Z ]+-----/;
/** 30+ bytes of key, signature or random token as base64url or base64: ids aside, nothing in an event looks like this. */
const blobPattern = /^[A-Za-z0-9_+/-]{40,}={0,2}$/;
/** Enrollment codes as people are given them: groups of capitals and digits joined by dashes. */
const codePattern = /\b[A-Z0-9]{4,6}(?:-[A-Z0-9]{4,6}){2,}\b/;

const looksRandom = (text: string): boolean => /[A-Z]/.test(text) && /[a-z]/.test(text) && /[0-9]/.test(text);

const findings = (value: unknown, path: string, found: string[]): void => {
  if (typeof value === 'string') {
    if (jwtPattern.test(value)) found.push(`${path}: holds a JWT`);
    if (pemPattern.test(value)) found.push(`${path}: holds a PEM key or certificate`);
    if (!identifierPaths.has(path) && blobPattern.test(value) && looksRandom(value)) found.push(`${path}: holds a ${value.length}-character base64 blob (key, signature or token?)`);
    if (!identifierPaths.has(path) && codePattern.test(value)) found.push(`${path}: holds what looks like an enrollment code`);
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((item, index) => findings(item, `${path}[${index}]`, found));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [name, child] of Object.entries(value)) {
      const childPath = path === '' ? name : `${path}.${name}`;
      if (forbiddenFieldNames.has(name.toLowerCase())) found.push(`${childPath}: a field named "${name}" is never allowed in an event`);
      findings(child, childPath, found);
    }
  }
};

/** Throws SecretLeakError naming every offending field (never its value). */
export const assertNoSecrets = (event: unknown, options: SecretScanOptions = {}): void => {
  const found: string[] = [];
  findings(event, '', found);
  const serialized = JSON.stringify(event) ?? '';
  for (const [index, secret] of (options.secrets ?? []).entries()) {
    // Ensure the known secret is long enough that finding it is not a coincidence.
    if (secret.length >= 6 && serialized.includes(secret)) found.push(`known secret #${index + 1} appears in the event`);
  }
  if (found.length > 0) throw new SecretLeakError(`The event carries secrets: ${found.join('; ')}`);
};
