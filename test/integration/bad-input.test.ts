import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { clientErrorCodes } from '../../shared/errors.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calculateJwkThumbprint, SignJWT, type JWTPayload } from 'jose';
import { SoftAuthenticator, base64url, encodeCbor, type CborValue } from '../support/soft-authenticator.ts';
import { startTestStage, type TestStage } from '../support/local-stage.ts';

/**
 * Bad input against the real local stage: every public endpoint of API.md gets malformed JSON,
 * wrong types, missing and extra fields, bad base64url, huge and deep bodies, forged tokens and
 * damaged WebAuthn bytes. Whatever arrives, the answer is a 4xx problem+json whose shape is
 * API.md's, never a 5xx, a stack trace, a file path or an AWS error.
 *
 * Cases come from a seeded PRNG (LATCHKEY_FUZZ_SEED to explore other seeds); every failure names
 * its case, so a run is reproducible from its output.
 */
const seed = Number(process.env.LATCHKEY_FUZZ_SEED ?? 20261123);

// ---------------------------------------------------------------------------------------------
// A small deterministic PRNG (mulberry32) and the generators built on it.

const createRandom = (initial: number) => {
  let state = initial >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => {
    const item = items[int(0, items.length - 1)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  };
  const bytes = (length: number): Uint8Array => Uint8Array.from({ length }, () => int(0, 255));
  const word = (length = int(1, 12)): string => Array.from({ length }, () => pick([...'abcdefghijklmnopqrstuvwxyz0123456789'])).join('');
  return { next, int, pick, bytes, word };
};
type Random = ReturnType<typeof createRandom>;

/** Each case draws from its own stream, so results do not depend on the order concurrent cases run in. */
const caseRandom = (category: number, index: number) => createRandom(Math.imul(seed, 31) + category * 1_000_003 + index * 7_919);

/** Random JSON values of any type, nested up to `depth`. */
const randomJson = (random: Random, depth = 3): unknown => {
  const kind = random.int(0, depth > 0 ? 7 : 5);
  switch (kind) {
    case 0:
      return null;
    case 1:
      return random.pick([true, false]);
    case 2:
      return random.pick([0, -1, 1.5, 2 ** 53, -1e308, 1e-7]);
    case 3:
      return random.word();
    case 4:
      return random.pick(['', ' ', '\u0000', 'é', '🔑', '\u202e', 'A'.repeat(random.int(100, 3000))]);
    case 5:
      return [];
    case 6:
      return Array.from({ length: random.int(1, 4) }, () => randomJson(random, depth - 1));
    default:
      return Object.fromEntries(Array.from({ length: random.int(1, 4) }, () => [`x${random.word()}`, randomJson(random, depth - 1)]));
  }
};

/** Text that JSON.parse refuses, made from a valid serialization so it looks nearly right. */
const malformedJson = (random: Random, valid: string): string => {
  for (;;) {
    const cut = random.int(1, Math.max(1, valid.length - 1));
    const candidate = random.pick([
      () => valid.slice(0, cut),
      () => `${valid.slice(0, cut)}${random.pick(['"', '{', ']', ',', ':', '\\', '\u0000', 'undefined', 'NaN'])}${valid.slice(cut)}`,
      () => `${valid},`,
      () => `${valid}${valid}`,
      () => valid.replaceAll('"', "'"),
      () => `\uFEFF${valid}`,
      () => random.pick(['', ' ', '{', '}', '[', 'nul', 'tru', '{"a":1,}', '{a:1}', '01', '--1', '"\\x41"', '{"a":"\\u12"}']),
    ])();
    try {
      JSON.parse(candidate);
    } catch {
      if (candidate !== '') return candidate;
    }
  }
};

const nested = (depth: number, random: Random): string =>
  random.pick([
    () => `${'['.repeat(depth)}${']'.repeat(depth)}`,
    () => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
    () => `${'[{"a":'.repeat(depth)}null${'}]'.repeat(depth)}`,
  ])();

// ---------------------------------------------------------------------------------------------
// Field-aware mutations: each one makes the request invalid, so any 2xx is a finding.

type FieldKind = 'base64url' | 'nullableBase64url' | 'text' | 'username' | 'nickname' | 'literal' | 'enum' | 'transports' | 'record' | 'integer' | 'object';

interface Field {
  path: string[];
  kind: FieldKind;
  required: boolean;
  maxLength?: number;
}

interface Mutation {
  description: string;
  apply(body: Record<string, unknown>): void;
}

const setAt = (body: Record<string, unknown>, path: string[], value: unknown) => {
  let target: unknown = body;
  for (const key of path.slice(0, -1)) {
    if (typeof target !== 'object' || target === null || Array.isArray(target)) return;
    target = (target as Record<string, unknown>)[key];
  }
  if (typeof target !== 'object' || target === null || Array.isArray(target)) return;
  const last = path.at(-1) ?? '';
  if (value === undefined) delete (target as Record<string, unknown>)[last];
  else (target as Record<string, unknown>)[last] = value;
};

const getAt = (body: Record<string, unknown>, path: string[]): unknown =>
  path.reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined), body);

/** Values of the wrong JSON type for a field of this kind (never one the schema could accept). */
const wrongTypes = (random: Random, kind: FieldKind): unknown[] => {
  const all = [null, 0, -7.5, true, [], ['x'], {}, { nested: { deeper: [1, { x: null }] } }, JSON.parse(nested(random.int(50, 400), random)) as unknown];
  return all.filter((value) => {
    if (kind === 'nullableBase64url' && value === null) return false;
    if (kind === 'transports' && Array.isArray(value) && value.every((item) => typeof item === 'string')) return false;
    if ((kind === 'record' || kind === 'object') && typeof value === 'object' && value !== null && !Array.isArray(value)) return false;
    if (kind === 'integer' && Number.isInteger(value)) return false;
    return true;
  });
};

/** Values of the right type whose content the schema refuses. */
const badContents = (random: Random, field: Field, current: unknown): unknown[] => {
  const text = typeof current === 'string' && current.length > 2 ? current : 'QUJDRA';
  const at = random.int(1, text.length - 2);
  const huge = (max: number) => 'A'.repeat(random.int(max + 1, Math.min(max + 20_000, 60_000)));
  switch (field.kind) {
    case 'base64url':
    case 'nullableBase64url':
      return [
        `${text}=`,
        `${text}==`,
        `${text.slice(0, at)}+${text.slice(at + 1)}`,
        `${text.slice(0, at)}/${text.slice(at + 1)}`,
        `${text.slice(0, at)}é${text.slice(at)}`,
        `${text.slice(0, at)}🔑${text.slice(at)}`,
        `${text.slice(0, at)} ${text.slice(at)}`,
        `${text.slice(0, at)}\u0000${text.slice(at)}`,
        `${text}\n`,
        huge(field.maxLength ?? 16_384),
        ...(field.kind === 'base64url' ? [''] : []),
      ];
    case 'username':
      return ['', ' leading', 'trailing ', 'bell\u0007', 'bidi\u202eevil', 'nul\u0000', 'del\u007f', 'c1\u0085', huge(64)];
    case 'nickname':
      return ['', '   ', 'tab\there', 'line\nbreak', 'bidi\u2066x', huge(64)];
    case 'text':
      return ['', 'bell\u0007', 'bidi\u202e', huge(field.maxLength ?? 128)];
    case 'literal':
      return ['', 'public-key ', 'Public-Key', 'password', 'public_key'];
    case 'enum':
      return ['', 'usb', 'PLATFORM', 'platform '];
    case 'transports':
      return [Array.from({ length: 11 }, () => 'usb'), ['x'.repeat(33)], [1], ['usb', null], 'usb'];
    case 'record':
      return ['{}', 5, [{}], null];
    case 'integer':
      return [1.5, -7.0001, '-7', 2 ** 64];
    case 'object':
      return ['{}', 5, null, []];
  }
};

const mutationsOf = (random: Random, fields: Field[], body: Record<string, unknown>, strictTopLevel: string[]): Mutation[] => {
  const field = random.pick(fields);
  const name = field.path.join('.');
  const options: Mutation[] = [
    ...wrongTypes(random, field.kind).map((value) => ({ description: `${name} = ${JSON.stringify(value)?.slice(0, 40)}`, apply: (target: Record<string, unknown>) => setAt(target, field.path, value) })),
    ...badContents(random, field, getAt(body, field.path)).map((value) => ({
      description: `${name} = ${JSON.stringify(value)?.slice(0, 40)}${typeof value === 'string' && value.length > 40 ? `… (${value.length} chars)` : ''}`,
      apply: (target: Record<string, unknown>) => setAt(target, field.path, value),
    })),
    ...(field.required ? [{ description: `${name} removed`, apply: (target: Record<string, unknown>) => setAt(target, field.path, undefined) }] : []),
  ];
  const extraKey = random.pick([`x${random.word()}`, '__proto__', 'constructor', ...strictTopLevel.map((key) => `${key}_`)]);
  options.push({
    description: `extra top-level field ${extraKey}`,
    apply: (target) => {
      Object.defineProperty(target, extraKey, { value: randomJson(random, 2), enumerable: true, configurable: true, writable: true });
    },
  });
  return options;
};

// ---------------------------------------------------------------------------------------------
// Requests, responses and what every refusal must look like.

interface RequestSpec {
  method: string;
  path: string;
  body?: string | Uint8Array<ArrayBuffer>;
  authorization?: string;
  headers?: Record<string, string>;
}

interface Case {
  label: string;
  /** Built just before it is sent: some need a fresh ceremony. */
  request: () => Promise<RequestSpec>;
  expectedStatus?: number;
  expectedCode?: string;
}

const problemKeys = ['code', 'detail', 'status', 'title', 'type'];
/** A bad request may only ever get a 4xx code. */
const knownCodes: ReadonlySet<string> = new Set(clientErrorCodes);
const leaks: [string, RegExp][] = [
  ['a stack frame', /\bat [\w$.<>[\]]+ \(|\bat (file:|node:|\/)|\n\s+at /],
  ['a file path', /\/(work|home|tmp|var|usr|srv|opt)\/|node_modules|\.(ts|js|mjs|cjs):\d+/],
  ['AWS error text', /Exception|DynamoDB|dynamodb|aws-sdk|\$metadata|arn:aws|ConditionalCheck|ValidationError|TransactionCanceled|ProvisionedThroughput/],
  ['a JavaScript error', /TypeError|RangeError|SyntaxError|ReferenceError|Maximum call stack|is not a function|Cannot read prop|undefined \(reading/],
];

let stage: TestStage;

const send = async (spec: RequestSpec) => {
  const response = await fetch(`${stage.url}${spec.path}`, {
    method: spec.method,
    headers: {
      origin: stage.url,
      ...(spec.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(spec.authorization === undefined ? {} : { authorization: spec.authorization }),
      ...spec.headers,
    },
    body: spec.body,
  });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
};

/** What is wrong with a response to bad input; empty when it is a clean refusal. */
const refusalIssues = (response: Awaited<ReturnType<typeof send>>, expected: Pick<Case, 'expectedStatus' | 'expectedCode'>): string[] => {
  const issues: string[] = [];
  if (response.status < 400 || response.status >= 500) issues.push(`status ${response.status}, expected a 4xx`);
  if (expected.expectedStatus !== undefined && response.status !== expected.expectedStatus) issues.push(`status ${response.status}, expected ${expected.expectedStatus}`);
  if (response.contentType !== 'application/problem+json') issues.push(`content-type ${String(response.contentType)}`);
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    issues.push('body is not JSON');
  }
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const problem = body as Record<string, unknown>;
    if (JSON.stringify(Object.keys(problem).sort()) !== JSON.stringify(problemKeys)) issues.push(`problem keys ${Object.keys(problem).join(',')}`);
    if (problem.status !== response.status) issues.push(`problem.status ${String(problem.status)} differs from ${response.status}`);
    if (typeof problem.code !== 'string' || !knownCodes.has(problem.code)) issues.push(`unknown code ${String(problem.code)}`);
    if (problem.type !== `urn:latchkey:problem:${String(problem.code)}`) issues.push(`type ${String(problem.type)}`);
    if (typeof problem.title !== 'string' || typeof problem.detail !== 'string' || problem.detail === '') issues.push('title or detail is not a non-empty string');
    if (expected.expectedCode !== undefined && problem.code !== expected.expectedCode) issues.push(`code ${String(problem.code)}, expected ${expected.expectedCode}`);
  } else if (body !== undefined) {
    issues.push('problem is not an object');
  }
  for (const [what, pattern] of leaks) if (pattern.test(response.text)) issues.push(`body contains ${what}`);
  return issues;
};

/** Sends every case (a few at a time) and returns one line per case that was not a clean refusal. */
const runCases = async (cases: Case[], concurrency = 4): Promise<string[]> => {
  const findings: string[] = [];
  let nextIndex = 0;
  const worker = async () => {
    for (let index = nextIndex++; index < cases.length; index = nextIndex++) {
      const testCase = cases[index];
      if (!testCase) continue;
      const response = await send(await testCase.request());
      const issues = refusalIssues(response, testCase);
      if (issues.length > 0) findings.push(`#${index} ${testCase.label}: ${issues.join('; ')} — ${response.text.slice(0, 160)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return findings;
};

// ---------------------------------------------------------------------------------------------
// Valid requests to start from.

let owner: { authenticator: SoftAuthenticator; token: string; userId: string; credentialId: string; username: string };
let signingKey: KeyObject;
let signingKid: string;
let usernameCount = 0;
const registrar = () => new SoftAuthenticator({ origin: stage.url, algorithm: 'ES256' });

const freshUsername = () => `fuzz-${seed}-${++usernameCount}`;

/** A registration response to a just-issued challenge, signed over clientData (packed self attestation), so any changed byte breaks it. */
const freshRegistration = async () => {
  const options = await stage.call('POST', '/v1/registration/options', { body: { username: freshUsername() } });
  expect(options.status).toBe(200);
  return registrar().register(options.body.options, { attestation: 'packed-self' }) as unknown as Record<string, unknown> & { response: Record<string, string> };
};

/** An assertion by the owner's key to a just-issued challenge. */
const freshAssertion = async () => {
  const options = await stage.call('POST', '/v1/authentication/options', { body: {} });
  expect(options.status).toBe(200);
  return owner.authenticator.authenticate(options.body.options) as unknown as Record<string, unknown> & { response: Record<string, string> };
};

const registrationResponseFields: Field[] = [
  { path: ['response', 'id'], kind: 'base64url', required: true, maxLength: 1366 },
  { path: ['response', 'rawId'], kind: 'base64url', required: true, maxLength: 1366 },
  { path: ['response', 'type'], kind: 'literal', required: true },
  { path: ['response', 'authenticatorAttachment'], kind: 'enum', required: false },
  { path: ['response', 'clientExtensionResults'], kind: 'record', required: false },
  { path: ['response', 'response'], kind: 'object', required: true },
  { path: ['response', 'response', 'clientDataJSON'], kind: 'base64url', required: true },
  { path: ['response', 'response', 'attestationObject'], kind: 'base64url', required: true },
  { path: ['response', 'response', 'authenticatorData'], kind: 'base64url', required: false },
  { path: ['response', 'response', 'transports'], kind: 'transports', required: false },
  { path: ['response', 'response', 'publicKeyAlgorithm'], kind: 'integer', required: false },
  { path: ['response', 'response', 'publicKey'], kind: 'base64url', required: false },
  { path: ['response'], kind: 'object', required: true },
  { path: ['nickname'], kind: 'nickname', required: false },
];

const assertionFields: Field[] = [
  { path: ['response', 'id'], kind: 'base64url', required: true, maxLength: 1366 },
  { path: ['response', 'rawId'], kind: 'base64url', required: true, maxLength: 1366 },
  { path: ['response', 'type'], kind: 'literal', required: true },
  { path: ['response', 'authenticatorAttachment'], kind: 'enum', required: false },
  { path: ['response', 'clientExtensionResults'], kind: 'record', required: false },
  { path: ['response', 'response'], kind: 'object', required: true },
  { path: ['response', 'response', 'clientDataJSON'], kind: 'base64url', required: true },
  { path: ['response', 'response', 'authenticatorData'], kind: 'base64url', required: true },
  { path: ['response', 'response', 'signature'], kind: 'base64url', required: true },
  { path: ['response', 'response', 'userHandle'], kind: 'nullableBase64url', required: false, maxLength: 128 },
  { path: ['response'], kind: 'object', required: true },
];

interface BodyEndpoint {
  name: string;
  method: string;
  path: () => string;
  authorization?: () => string;
  /** A valid body; fresh when it holds a ceremony response. */
  valid: () => Promise<Record<string, unknown>>;
  fields: Field[];
  topLevel: string[];
  /** Whether wrong-typed JSON bodies reach a schema (DELETE ignores its body). */
  validatesBody: boolean;
}

const bodyEndpoints = (): BodyEndpoint[] => [
  {
    name: 'POST /v1/registration/options',
    method: 'POST',
    path: () => '/v1/registration/options',
    valid: async () => ({ username: freshUsername(), displayName: 'Fuzz Tester' }),
    fields: [
      { path: ['username'], kind: 'username', required: true },
      { path: ['displayName'], kind: 'text', required: false, maxLength: 128 },
      { path: ['enrollmentCode'], kind: 'text', required: false, maxLength: 64 },
    ],
    topLevel: ['username', 'displayName', 'enrollmentCode'],
    validatesBody: true,
  },
  {
    name: 'POST /v1/registration/verify',
    method: 'POST',
    path: () => '/v1/registration/verify',
    valid: async () => ({ response: await freshRegistration(), nickname: 'Fuzz key' }),
    fields: registrationResponseFields,
    topLevel: ['response', 'nickname'],
    validatesBody: true,
  },
  {
    name: 'POST /v1/authentication/options',
    method: 'POST',
    path: () => '/v1/authentication/options',
    valid: async () => ({ username: owner.username }),
    fields: [{ path: ['username'], kind: 'username', required: false }],
    topLevel: ['username'],
    validatesBody: true,
  },
  {
    name: 'POST /v1/authentication/verify',
    method: 'POST',
    path: () => '/v1/authentication/verify',
    valid: async () => ({ response: await freshAssertion() }),
    fields: assertionFields,
    topLevel: ['response'],
    validatesBody: true,
  },
  {
    name: 'PATCH /v1/credentials/{id}',
    method: 'PATCH',
    path: () => `/v1/credentials/${owner.credentialId}`,
    authorization: () => `Bearer ${owner.token}`,
    valid: async () => ({ nickname: 'Renamed by fuzz' }),
    fields: [{ path: ['nickname'], kind: 'nickname', required: true }],
    topLevel: ['nickname'],
    validatesBody: true,
  },
  {
    name: 'DELETE /v1/credentials/{id} (an unknown id)',
    method: 'DELETE',
    path: () => `/v1/credentials/${base64url.encode(new Uint8Array(32).fill(9))}`,
    authorization: () => `Bearer ${owner.token}`,
    valid: async () => ({}),
    fields: [],
    topLevel: [],
    validatesBody: false,
  },
];

// ---------------------------------------------------------------------------------------------
// Tokens the stage must refuse.

const tokenClaims = (overrides: JWTPayload = {}): JWTPayload => {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: stage.url,
    aud: 'latchkey',
    sub: owner.userId,
    iat: now,
    exp: now + 600,
    jti: 'fuzz-jti',
    auth_time: now,
    amr: ['hwk', 'user', 'mfa'],
    preferred_username: owner.username,
    ...overrides,
  };
};

const signToken = (key: KeyObject | Uint8Array, claims: JWTPayload, header: { alg: string; kid?: string } = { alg: 'ES256', kid: signingKid }) =>
  new SignJWT(claims).setProtectedHeader({ typ: 'JWT', ...header }).sign(key);

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Authorization header values that must all be a 401, named for the report. */
const forgedAuthorizations = async (random: Random): Promise<[string, string][]> => {
  const now = Math.floor(Date.now() / 1000);
  const { auth_time: _, ...withoutAuthTime } = tokenClaims();
  const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const [header, payload, signature] = owner.token.split('.') as [string, string, string];
  const flipInside = (text: string) => {
    const at = random.int(1, text.length - 3);
    const replacement = text[at] === 'A' ? 'B' : 'A';
    return `${text.slice(0, at)}${replacement}${text.slice(at + 1)}`;
  };
  const fixed: [string, string][] = [
    ['alg none', `Bearer ${segment({ alg: 'none', typ: 'JWT' })}.${segment(tokenClaims())}.`],
    ['alg none with a signature', `Bearer ${segment({ alg: 'none', typ: 'JWT' })}.${segment(tokenClaims())}.${signature}`],
    ['HS256 keyed with the public key', `Bearer ${await signToken(new Uint8Array(createPublicKey(signingKey).export({ format: 'der', type: 'spki' })), tokenClaims(), { alg: 'HS256', kid: signingKid })}`],
    ['expired', `Bearer ${await signToken(signingKey, tokenClaims({ iat: now - 7200, exp: now - 3600, auth_time: now - 7200 }))}`],
    ['not yet valid', `Bearer ${await signToken(signingKey, tokenClaims({ nbf: now + 3600 }))}`],
    ['wrong issuer', `Bearer ${await signToken(signingKey, tokenClaims({ iss: 'https://evil.example' }))}`],
    ['wrong audience', `Bearer ${await signToken(signingKey, tokenClaims({ aud: 'another-api' }))}`],
    ['no auth_time', `Bearer ${await signToken(signingKey, withoutAuthTime)}`],
    ['an unknown user', `Bearer ${await signToken(signingKey, tokenClaims({ sub: 'bm8tc3VjaC11c2Vy' }))}`],
    ['sub of the wrong type', `Bearer ${await signToken(signingKey, tokenClaims({ sub: 12345 as unknown as string }))}`],
    ['another key claiming our kid', `Bearer ${await signToken(otherKey, tokenClaims())}`],
    ['another key with its own kid', `Bearer ${await signToken(otherKey, tokenClaims(), { alg: 'ES256', kid: 'another-kid' })}`],
    ['a changed payload', `Bearer ${header}.${segment(tokenClaims({ sub: 'c29tZW9uZS1lbHNl' }))}.${signature}`],
    ['a flipped header byte', `Bearer ${flipInside(header)}.${payload}.${signature}`],
    ['a flipped payload byte', `Bearer ${header}.${flipInside(payload)}.${signature}`],
    ['a flipped signature byte', `Bearer ${header}.${payload}.${flipInside(signature)}`],
    ['segments swapped', `Bearer ${payload}.${header}.${signature}`],
    ['a missing segment', `Bearer ${header}.${payload}`],
    ['an extra segment', `Bearer ${owner.token}.${signature}`],
    ['a padded token', `Bearer ${owner.token}=`],
    ['standard base64', `Bearer ${header}.${payload}.${Buffer.from(signature, 'base64url').toString('base64')}`],
    ['lower-case scheme', `bearer ${owner.token}`],
    ['Basic scheme', 'Basic dXNlcjpwYXNzd29yZA=='],
    ['a scheme alone', 'Bearer'],
    ['a scheme and spaces', 'Bearer    '],
    ['a very long token', `Bearer ${'a'.repeat(3000)}.${'b'.repeat(3000)}.${'c'.repeat(1500)}`],
  ];
  const randomOnes: [string, string][] = Array.from({ length: 8 }, (_, index) => [
    `random segments ${index}`,
    `Bearer ${[1, 2, 3].map(() => base64url.encode(random.bytes(random.int(1, 200)))).join('.')}`,
  ]);
  return [...fixed, ...randomOnes];
};

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  stage = await startTestStage();
  signingKey = createPrivateKey(readFileSync(join(stage.dataDirectory, 'keys', 'signing-key.pem'), 'utf8'));
  const jwk = createPublicKey(signingKey).export({ format: 'jwk' });
  signingKid = await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x: jwk.x ?? '', y: jwk.y ?? '' });

  const authenticator = new SoftAuthenticator({ origin: stage.url, algorithm: 'ES256' });
  const username = `owner-${seed}`;
  const options = await stage.call('POST', '/v1/registration/options', { body: { username } });
  const registered = await stage.call('POST', '/v1/registration/verify', { body: { response: authenticator.register(options.body.options) } });
  expect(registered.status).toBe(201);
  owner = { authenticator, username, token: registered.body.accessToken, userId: registered.body.user.id, credentialId: registered.body.credential.id };
  // The stage signs with the key the test reads: a token from it is accepted, so forgeries fail only for what they change.
  const control = await stage.call('GET', '/v1/credentials', { token: await signToken(signingKey, tokenClaims()) });
  expect(control.status).toBe(200);
});

afterAll(async () => {
  await stage?.close();
});

describe('bad input is refused with a clean 4xx problem, never a 5xx or a leak', () => {
  it('malformed JSON, wrong-typed JSON, huge, oversized and deeply nested bodies, on every endpoint that takes a body', async () => {
    // Prepare
    const random = createRandom(seed + 1);
    const cases: Case[] = [];
    for (const endpoint of bodyEndpoints()) {
      const request = (body: string | Uint8Array<ArrayBuffer>) => async (): Promise<RequestSpec> => ({
        method: endpoint.method,
        path: endpoint.path(),
        body,
        ...(endpoint.authorization ? { authorization: endpoint.authorization() } : {}),
      });
      const validText = JSON.stringify(endpoint.name.includes('verify') ? { response: { id: 'QUJD', rawId: 'QUJD', type: 'public-key', response: { clientDataJSON: 'e30' } } } : await endpoint.valid());
      for (let index = 0; index < 8; index += 1) {
        const text = malformedJson(random, validText);
        cases.push({ label: `${endpoint.name} malformed JSON ${JSON.stringify(text.slice(0, 50))}`, request: request(text), expectedStatus: 400, expectedCode: 'invalid_request' });
      }
      cases.push({
        label: `${endpoint.name} invalid UTF-8`,
        request: request(Uint8Array.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])),
        ...(endpoint.validatesBody ? { expectedStatus: 400 } : {}),
      });
      cases.push({ label: `${endpoint.name} body over 64 KiB`, request: request(JSON.stringify({ padding: 'x'.repeat(65_536 + random.int(1, 4_096)) })) });
      if (endpoint.method === 'POST' && endpoint.name.includes('verify')) {
        // Past the local API Gateway's own 10 MiB limit too.
        cases.push({ label: `${endpoint.name} body of 11 MiB`, request: request('['.repeat(11 * 1024 * 1024)) });
      }
      if (endpoint.validatesBody) {
        for (const value of [null, [], [1, 2], 0, -1.5, 'a string', true, ...Array.from({ length: 6 }, () => randomJson(random, 3))]) {
          const isAcceptedEmptyObject = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0;
          if (isAcceptedEmptyObject) continue;
          cases.push({ label: `${endpoint.name} JSON ${JSON.stringify(value).slice(0, 60)}`, request: request(JSON.stringify(value)), expectedStatus: 400 });
        }
        for (let index = 0; index < 3; index += 1) {
          // Deep, but under 64 KiB (at most 8 characters a level), so it reaches the JSON parser.
          const depth = random.int(2_000, 7_500);
          cases.push({ label: `${endpoint.name} nested ${depth} deep`, request: request(nested(depth, random)), expectedStatus: 400 });
        }
        const field = endpoint.topLevel[0];
        if (field) {
          cases.push({ label: `${endpoint.name} ${field} nested 5000 deep`, request: request(`{"${field}":${nested(5_000, random)}}`), expectedStatus: 400 });
          cases.push({ label: `${endpoint.name} ${field} as a 60 000-character string`, request: request(JSON.stringify({ [field]: 'A'.repeat(60_000) })), expectedStatus: 400 });
        }
      }
    }

    // Act
    const findings = await runCases(cases);

    // Assess
    expect(findings).toEqual([]);
    expect(cases.length).toBeGreaterThan(120);
  });

  it('field mutations of valid requests: wrong types, missing and extra fields, bad base64url, oversized strings', async () => {
    // Prepare
    const endpoints = bodyEndpoints().filter((endpoint) => endpoint.fields.length > 0);
    const cases: Case[] = [];
    for (const endpoint of endpoints) {
      const count = endpoint.name.includes('verify') ? 50 : 20;
      for (let index = 0; index < count; index += 1) {
        const random = caseRandom(2, cases.length);
        const descriptions: string[] = [];
        const testCase: Case = {
          label: endpoint.name,
          request: async () => {
            // Applied to a fresh valid body when sent: a ceremony response needs an unused challenge.
            const body = await endpoint.valid();
            for (let remaining = random.pick([1, 1, 1, 2, 3]); remaining > 0; remaining -= 1) {
              const mutation = random.pick(mutationsOf(random, endpoint.fields, body, endpoint.topLevel));
              mutation.apply(body);
              descriptions.push(mutation.description);
            }
            testCase.label = `${endpoint.name}: ${descriptions.join(' + ')}`;
            return {
              method: endpoint.method,
              path: endpoint.path(),
              body: JSON.stringify(body),
              ...(endpoint.authorization ? { authorization: endpoint.authorization() } : {}),
            };
          },
        };
        cases.push(testCase);
      }
    }
    cases.push({
      label: 'POST /v1/registration/options: a username and an enrollment code',
      request: async () => ({ method: 'POST', path: '/v1/registration/options', body: JSON.stringify({ username: freshUsername(), enrollmentCode: 'ABCD-1234' }) }),
      expectedStatus: 400,
    });

    // Act
    const findings = await runCases(cases, 2);

    // Assess
    expect(findings).toEqual([]);
    expect(cases.length).toBeGreaterThan(150);
    // The owner's key was never renamed by a mutation that slipped through.
    const listed = await stage.call('GET', '/v1/credentials', { token: owner.token });
    expect(listed.body.credentials.map((credential: { nickname: string }) => credential.nickname)).toEqual(['Security key']);
  });

  it('WebAuthn responses whose clientDataJSON, attestationObject, authenticatorData, signature, userHandle or id are random, truncated or flipped', async () => {
    // Prepare
    const damage = (random: Random, bytes: Uint8Array, field: string): [string, Uint8Array] => {
      // Bytes appended after an ES256 signature's DER SEQUENCE, or after the attestation object's
      // CBOR map, are ignored by SimpleWebAuthn's decoders, so such a response still verifies:
      // malleable, but no forgery (the challenge is single use, the appended bytes carry nothing).
      // Not generated for those two fields, so that every case here must be a refusal.
      const strategies: ('random' | 'truncated' | 'flipped' | 'zeroed' | 'large' | 'extended')[] = ['random', 'truncated', 'flipped', 'zeroed', 'large'];
      if (field !== 'signature' && field !== 'attestationObject') strategies.push('extended');
      const strategy = random.pick(strategies);
      switch (strategy) {
        case 'random':
          return [strategy, random.bytes(random.int(1, 400))];
        case 'truncated':
          return [strategy, bytes.subarray(0, random.int(1, Math.max(1, bytes.length - 1)))];
        case 'flipped': {
          const copy = Uint8Array.from(bytes);
          const at = random.int(0, copy.length - 1);
          copy[at] = (copy[at] ?? 0) ^ (1 << random.int(0, 7));
          return [`${strategy} at byte ${at}`, copy];
        }
        case 'extended':
          return [strategy, Uint8Array.from([...bytes, ...random.bytes(random.int(1, 64))])];
        case 'zeroed':
          return [strategy, new Uint8Array(bytes.length)];
        case 'large':
          return [strategy, random.bytes(random.int(5_000, 12_000))];
      }
    };
    const cborShapes = (random: Random, authData: Uint8Array): [string, CborValue][] => [
      ['CBOR integer', 5],
      ['CBOR text', 'attestation'],
      ['CBOR array', [1, 'two', new Uint8Array(3)]],
      ['CBOR byte string', random.bytes(40)],
      ['CBOR map without authData', new Map<string, CborValue>([['fmt', 'none'], ['attStmt', new Map()]])],
      ['CBOR map with text authData', new Map<string, CborValue>([['fmt', 'none'], ['attStmt', new Map()], ['authData', 'not bytes']])],
      ['CBOR map with integer authData', new Map<string, CborValue>([['fmt', 'packed'], ['attStmt', new Map()], ['authData', 7]])],
      ['"none" with a statement', new Map<string, CborValue>([['fmt', 'none'], ['attStmt', new Map<string, CborValue>([['sig', random.bytes(70)]])], ['authData', authData]])],
      ['an unknown format', new Map<string, CborValue>([['fmt', 'bogus'], ['attStmt', new Map()], ['authData', authData]])],
      ['packed with a random signature', new Map<string, CborValue>([['fmt', 'packed'], ['attStmt', new Map<string, CborValue>([['alg', -7], ['sig', random.bytes(72)]])], ['authData', authData]])],
      ['packed with a wrong alg', new Map<string, CborValue>([['fmt', 'packed'], ['attStmt', new Map<string, CborValue>([['alg', -257], ['sig', random.bytes(72)]])], ['authData', authData]])],
      ['fido-u2f with garbage x5c', new Map<string, CborValue>([['fmt', 'fido-u2f'], ['attStmt', new Map<string, CborValue>([['sig', random.bytes(72)], ['x5c', [random.bytes(100)]]])], ['authData', authData]])],
      ['tpm with nothing', new Map<string, CborValue>([['fmt', 'tpm'], ['attStmt', new Map()], ['authData', authData]])],
      ['authData that is too short', new Map<string, CborValue>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authData.subarray(0, 36)]])],
    ];
    const clientDataShapes = (challenge: string, type: string): [string, unknown][] => [
      ['JSON null', null],
      ['a JSON array', []],
      ['a JSON string', 'webauthn'],
      ['no challenge', { type, origin: stage.url }],
      ['a numeric origin', { type, challenge, origin: 3000 }],
      ['a challenge with padding', { type, challenge: `${challenge}=`, origin: stage.url }],
      ['a 600-character challenge', { type, challenge: 'A'.repeat(600), origin: stage.url }],
      ['crossOrigin true', { type, challenge, origin: stage.url, crossOrigin: true }],
      ['crossOrigin as a string', { type, challenge, origin: stage.url, crossOrigin: 'false' }],
      ['a foreign origin', { type, challenge, origin: 'https://evil.example' }],
      ['tokenBinding garbage', { type, challenge, origin: stage.url, tokenBinding: { status: 'bogus' } }],
      ['the other ceremony\'s type', { type: type === 'webauthn.get' ? 'webauthn.create' : 'webauthn.get', challenge, origin: stage.url }],
    ];
    const challengeOf = (response: { response: Record<string, string> }) =>
      (JSON.parse(Buffer.from(response.response.clientDataJSON ?? '', 'base64url').toString()) as { challenge: string }).challenge;

    const cases: Case[] = [];
    type Change = (response: Record<string, unknown> & { response: Record<string, string> }, random: Random) => string;
    const verifyCase = (label: string, endpoint: 'registration' | 'authentication', change: Change): Case => {
      const random = caseRandom(3, cases.length);
      const testCase: Case = {
        label,
        request: async () => {
          const response = endpoint === 'registration' ? await freshRegistration() : await freshAssertion();
          testCase.label = `${label}: ${change(response, random)}`;
          return { method: 'POST', path: `/v1/${endpoint}/verify`, body: JSON.stringify({ response }) };
        },
      };
      return testCase;
    };
    const byteField = (endpoint: 'registration' | 'authentication', field: string) =>
      verifyCase(`${endpoint} ${field}`, endpoint, (response, random) => {
        const [how, bytes] = damage(random, base64url.decode(response.response[field] ?? ''), field);
        response.response[field] = base64url.encode(bytes.length > 0 ? bytes : new Uint8Array([0]));
        return how;
      });
    for (let index = 0; index < 8; index += 1) {
      for (const field of ['clientDataJSON', 'attestationObject']) cases.push(byteField('registration', field));
      for (const field of ['clientDataJSON', 'authenticatorData', 'signature']) cases.push(byteField('authentication', field));
    }
    for (let index = 0; index < 14; index += 1) {
      cases.push(
        verifyCase('registration attestationObject', 'registration', (response, random) => {
          const shapes = cborShapes(random, base64url.decode(response.response.authenticatorData ?? ''));
          const [name, value] = shapes[index % shapes.length] ?? shapes[0]!;
          response.response.attestationObject = base64url.encode(encodeCbor(value));
          return name;
        }),
      );
    }
    for (let index = 0; index < 12; index += 1) {
      for (const endpoint of ['registration', 'authentication'] as const) {
        cases.push(
          verifyCase(`${endpoint} clientDataJSON`, endpoint, (response) => {
            const shapes = clientDataShapes(challengeOf(response), endpoint === 'registration' ? 'webauthn.create' : 'webauthn.get');
            const [name, value] = shapes[index % shapes.length] ?? shapes[0]!;
            response.response.clientDataJSON = base64url.encode(new TextEncoder().encode(JSON.stringify(value)));
            return name;
          }),
        );
      }
    }
    const idChanges: [string, (response: Record<string, unknown> & { response: Record<string, string> }, random: Random) => void][] = [
      ['a random id and rawId', (response, random) => {
        response.id = base64url.encode(random.bytes(32));
        response.rawId = response.id;
      }],
      ['a longest-allowed id and rawId with the owner\'s user handle', (response) => {
        response.id = 'A'.repeat(1366);
        response.rawId = response.id;
      }],
      ['a longest-allowed id and rawId without a user handle', (response) => {
        response.id = 'B'.repeat(1366);
        response.rawId = response.id;
        delete response.response.userHandle;
      }],
      ['a rawId that differs from id', (response, random) => {
        response.rawId = base64url.encode(random.bytes(32));
      }],
      ['a random user handle', (response, random) => {
        response.response.userHandle = base64url.encode(random.bytes(64));
      }],
      ['the longest user handle', (response) => {
        response.response.userHandle = 'u'.repeat(128);
      }],
    ];
    for (const [name, change] of idChanges) {
      cases.push(verifyCase('authentication', 'authentication', (response, random) => {
        change(response, random);
        return name;
      }));
    }
    cases.push(verifyCase('registration', 'registration', (response, random) => {
      response.rawId = base64url.encode(random.bytes(32));
      return 'a rawId that differs from id';
    }));

    // Act
    const findings = await runCases(cases, 3);

    // Assess
    expect(findings).toEqual([]);
    expect(cases.length).toBeGreaterThan(80);
  });

  it('forged, expired, tampered and malformed bearer tokens are a 401 on every endpoint that reads one', async () => {
    // Prepare
    const random = createRandom(seed + 4);
    const authorizations = await forgedAuthorizations(random);
    const targets: { name: string; method: string; path: () => string; body?: string }[] = [
      { name: 'GET /v1/credentials', method: 'GET', path: () => '/v1/credentials' },
      { name: 'PATCH /v1/credentials/{id}', method: 'PATCH', path: () => `/v1/credentials/${owner.credentialId}`, body: JSON.stringify({ nickname: 'Stolen' }) },
      { name: 'DELETE /v1/credentials/{id}', method: 'DELETE', path: () => `/v1/credentials/${owner.credentialId}` },
      { name: 'POST /v1/registration/options', method: 'POST', path: () => '/v1/registration/options', body: '{}' },
    ];
    const cases: Case[] = targets.flatMap((target) =>
      authorizations.map(([name, authorization]) => ({
        label: `${target.name} with ${name}`,
        request: async () => ({ method: target.method, path: target.path(), authorization, ...(target.body ? { body: target.body } : {}) }),
        expectedStatus: 401,
        expectedCode: 'unauthorized',
      })),
    );
    cases.push(
      ...targets.slice(0, 3).map((target) => ({
        label: `${target.name} without a token`,
        request: async () => ({ method: target.method, path: target.path(), ...(target.body ? { body: target.body } : {}) }),
        expectedStatus: 401,
        expectedCode: 'unauthorized',
      })),
    );

    // Act
    const findings = await runCases(cases);

    // Assess
    expect(findings).toEqual([]);
    expect(cases.length).toBeGreaterThan(100);
    const listed = await stage.call('GET', '/v1/credentials', { token: owner.token });
    expect(listed.body.credentials).toHaveLength(1);
  });

  it('malformed credential ids in the path are a 4xx for PATCH and DELETE', async () => {
    // Prepare
    const random = createRandom(seed + 5);
    const ids = [
      '%3D%3D',
      'abc%3D',
      'a+b',
      'a%2Fb',
      'a%2F..%2F..%2Fadmin',
      '%C3%A9t%C3%A9',
      '%F0%9F%94%91',
      '%00',
      '%20',
      'A'.repeat(1367),
      '%',
      '%E0%A4%A',
      '%ZZ',
      '..',
      base64url.encode(random.bytes(32)),
      'A'.repeat(1366),
    ];
    const cases: Case[] = ids.flatMap((id) => [
      { label: `PATCH /v1/credentials/${id.slice(0, 40)}`, request: async () => ({ method: 'PATCH', path: `/v1/credentials/${id}`, authorization: `Bearer ${owner.token}`, body: JSON.stringify({ nickname: 'Other' }) }) },
      { label: `DELETE /v1/credentials/${id.slice(0, 40)}`, request: async () => ({ method: 'DELETE', path: `/v1/credentials/${id}`, authorization: `Bearer ${owner.token}` }) },
    ]);

    // Act
    const findings = await runCases(cases);

    // Assess
    expect(findings).toEqual([]);
    const listed = await stage.call('GET', '/v1/credentials', { token: owner.token });
    expect(listed.body.credentials.map((credential: { id: string }) => credential.id)).toEqual([owner.credentialId]);
  });
});

describe('input at the edge of what WebAuthn allows', () => {
  const longIdUser = async (username: string) => {
    const authenticator = new SoftAuthenticator({ origin: stage.url, algorithm: 'ES256' });
    const longId = base64url.encode(new Uint8Array(1023).map((_, index) => (index * 7 + username.length) % 256));
    const options = await stage.call('POST', '/v1/registration/options', { body: { username } });
    const registered = await stage.call('POST', '/v1/registration/verify', { body: { response: authenticator.register(options.body.options, { credentialId: longId }) } });
    return { authenticator, longId, registered };
  };

  it('a credential id of 1023 bytes, the most §7.1 step 22 allows, is registered', async () => {
    // Act
    const { longId, registered } = await longIdUser(`long-id-${seed}`);

    // Assess
    expect(registered.status).toBe(201);
    expect(registered.body.credential.id).toBe(longId);
  });

  it('a key with a 1023-byte credential id signs in username-first, is renamed and deleted', async () => {
    // Prepare
    const username = `long-id-2-${seed}`;
    const { authenticator, longId, registered } = await longIdUser(username);
    expect(registered.status).toBe(201);

    // Act
    const signInOptions = await stage.call('POST', '/v1/authentication/options', { body: { username } });
    const signedIn = await stage.call('POST', '/v1/authentication/verify', { body: { response: authenticator.authenticate(signInOptions.body.options) } });
    const token = signedIn.body.accessToken as string;
    const renamed = await stage.call('PATCH', `/v1/credentials/${longId}`, { token, body: { nickname: 'Long id' } });
    const deleted = await stage.call('DELETE', `/v1/credentials/${longId}`, { token });
    const listed = await stage.call('GET', '/v1/credentials', { token });

    // Assess
    expect(signInOptions.body.options.allowCredentials.map((allowed: { id: string }) => allowed.id)).toEqual([longId]);
    expect(signedIn.status).toBe(200);
    expect(signedIn.body.credential.id).toBe(longId);
    expect(renamed.status).toBe(200);
    expect(renamed.body.nickname).toBe('Long id');
    expect(deleted.status).toBe(204);
    expect(listed.body.credentials).toEqual([]);
  });

  it('a credential id of 1024 bytes is refused with 400 at registration', async () => {
    // Prepare
    const authenticator = new SoftAuthenticator({ origin: stage.url, algorithm: 'ES256' });
    const options = await stage.call('POST', '/v1/registration/options', { body: { username: `too-long-id-${seed}` } });
    const response = authenticator.register(options.body.options, { credentialId: base64url.encode(new Uint8Array(1024).fill(1)) });

    // Act
    const result = await send({ method: 'POST', path: '/v1/registration/verify', body: JSON.stringify({ response }) });

    // Assess
    expect(refusalIssues(result, { expectedStatus: 400, expectedCode: 'verification_failed' })).toEqual([]);
  });
});

describe('what bad input must not change', () => {
  it('the JWKS is served whatever a request carries', async () => {
    // Prepare
    const random = createRandom(seed + 6);
    const authorizations = (await forgedAuthorizations(random)).slice(0, 8).map(([, value]) => value);
    const variants: RequestSpec[] = [
      { method: 'GET', path: '/.well-known/jwks.json' },
      { method: 'GET', path: '/.well-known/jwks.json?kid=%00&x=%E0%A4%A' },
      ...authorizations.map((authorization) => ({ method: 'GET', path: '/.well-known/jwks.json', authorization })),
      { method: 'GET', path: '/.well-known/jwks.json', headers: { origin: 'https://evil.example', 'content-type': 'text/plain' } },
    ];

    // Act
    const responses = await Promise.all(variants.map(send));

    // Assess
    const reference = responses[0]?.text;
    for (const response of responses) {
      expect(response.status).toBe(200);
      expect(response.contentType).toBe('application/json');
      expect(response.text).toBe(reference);
    }
    expect((JSON.parse(reference ?? '{}') as { keys: { kid: string }[] }).keys.map((key) => key.kid)).toEqual([signingKid]);
  });

  it('an unknown username gets sign-in options of the same shape and value types as a known one', async () => {
    // Prepare
    const skeleton = (value: unknown): unknown =>
      // Arrays by the kinds of element they hold: a user's key may list one transport or two.
      Array.isArray(value) ? [...new Set(value.map((item) => JSON.stringify(skeleton(item))))].sort().map((item) => JSON.parse(item) as unknown) : typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value).sort().map(([key, inner]) => [key, skeleton(inner)])) : typeof value;

    // Act
    const known = await stage.call('POST', '/v1/authentication/options', { body: { username: owner.username } });
    const unknown = await stage.call('POST', '/v1/authentication/options', { body: { username: `nobody-${seed}` } });

    // Assess
    expect(known.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(skeleton(unknown.body)).toEqual(skeleton(known.body));
    const headerNames = (headers: Headers) => {
      const names: string[] = [];
      headers.forEach((_, name) => names.push(name));
      return names.filter((name) => name !== 'date').sort();
    };
    expect(headerNames(unknown.headers)).toEqual(headerNames(known.headers));
    const { allowCredentials: knownAllowed, challenge: knownChallenge, ...knownRest } = known.body.options;
    const { allowCredentials: unknownAllowed, challenge: unknownChallenge, ...unknownRest } = unknown.body.options;
    expect(unknownRest).toEqual(knownRest);
    expect(unknownChallenge).toHaveLength(knownChallenge.length);
    expect(unknownAllowed).toHaveLength(knownAllowed.length);
  });
});
