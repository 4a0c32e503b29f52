import { vi } from 'vitest';

/**
 * Just enough browser for the SDK in Node: a recording fetch that answers from a script, and a
 * navigator.credentials whose create/get a test decides (a credential, a DOMException, or a
 * promise that waits for the abort signal, as a browser does while the person hesitates).
 */

export interface RecordedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
  credentials: RequestCredentials | undefined;
}

export type Reply = { status: number; body?: unknown; contentType?: string } | Error;

export const fakeFetch = (...replies: Reply[]) => {
  const requests: RecordedRequest[] = [];
  const queue = [...replies];
  const fetch = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v]));
    requests.push({
      url: String(input),
      method: init.method ?? 'GET',
      headers,
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      credentials: init.credentials,
    });
    const reply = queue.shift();
    if (!reply) throw new Error(`No scripted reply for ${init.method ?? 'GET'} ${String(input)}`);
    if (reply instanceof Error) throw reply;
    const text = reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    const contentType = reply.contentType ?? (reply.status >= 400 ? 'application/problem+json' : 'application/json');
    return new Response(reply.status === 204 ? null : text, { status: reply.status, headers: { 'content-type': contentType } });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, requests, remaining: () => queue.length };
};

export const problem = (status: number, code: string, detail = `detail for ${code}`): Reply => ({
  status,
  body: { type: `urn:latchkey:problem:${code}`, title: code, status, detail, code },
});

const bytes = (text: string): ArrayBuffer => new TextEncoder().encode(text).buffer as ArrayBuffer;

export const registrationOptions = {
  options: {
    challenge: 'cmVnaXN0cmF0aW9uLWNoYWxsZW5nZQ',
    rp: { name: 'Latchkey (local)', id: 'localhost' },
    user: { id: 'dXNlci1oYW5kbGU', name: 'ada', displayName: 'Ada Lovelace' },
    pubKeyCredParams: [{ type: 'public-key', alg: -8 }, { type: 'public-key', alg: -7 }],
    timeout: 300_000,
    attestation: 'direct',
    excludeCredentials: [{ id: 'b2xkLWtleQ', type: 'public-key', transports: ['usb'] }],
    authenticatorSelection: { residentKey: 'required', requireResidentKey: true, userVerification: 'required' },
  },
};

export const authenticationOptions = {
  options: {
    challenge: 'c2lnbi1pbi1jaGFsbGVuZ2U',
    rpId: 'localhost',
    timeout: 300_000,
    userVerification: 'required',
    allowCredentials: [],
  },
};

export const user = { id: 'dXNlci1oYW5kbGU', username: 'ada', displayName: 'Ada Lovelace', groups: [], disabled: false, createdAt: '2026-01-02T03:04:05.000Z' };
export const credential = {
  id: 'bmV3LWtleQ',
  nickname: 'Blue YubiKey',
  aaguid: '01020304-0506-0708-0102-030405060708',
  transports: ['usb'],
  createdAt: '2026-01-02T03:04:05.000Z',
  backupEligible: false,
  backedUp: false,
  attestation: { format: 'packed', trusted: false },
};
export const sessionBody = (overrides: Record<string, unknown> = {}) => ({
  accessToken: 'header.payload.signature',
  tokenType: 'Bearer',
  expiresIn: 900,
  user,
  credential,
  ...overrides,
});

/** What navigator.credentials.create()/get() resolve with in a browser, reduced to what the library reads. */
export const createdCredential = () => ({
  id: 'bmV3LWtleQ',
  rawId: bytes('new-key'),
  type: 'public-key',
  authenticatorAttachment: 'cross-platform',
  getClientExtensionResults: () => ({}),
  response: {
    clientDataJSON: bytes('{"type":"webauthn.create"}'),
    attestationObject: bytes('attestation'),
    getTransports: () => ['usb'],
  },
});

export const assertedCredential = () => ({
  id: 'bmV3LWtleQ',
  rawId: bytes('new-key'),
  type: 'public-key',
  authenticatorAttachment: 'cross-platform',
  getClientExtensionResults: () => ({}),
  response: {
    clientDataJSON: bytes('{"type":"webauthn.get"}'),
    authenticatorData: bytes('authenticator-data'),
    signature: bytes('signature'),
    userHandle: bytes('user-handle'),
  },
});

export const domException = (name: string, message = `${name} from the browser`) => new DOMException(message, name);

type CredentialCall = (options: CredentialCreationOptions & CredentialRequestOptions & { mediation?: string }) => Promise<unknown>;

/** Waits like a browser dialog until the ceremony's signal aborts, then rejects with its reason. */
export const untilAborted: CredentialCall = (options) =>
  new Promise((_, reject) => {
    options.signal?.addEventListener('abort', () => reject(options.signal?.reason), { once: true });
  });

/** Installs PublicKeyCredential and navigator.credentials; returns the spies. */
export const installWebAuthn = (options: { create?: CredentialCall; get?: CredentialCall; conditional?: boolean } = {}) => {
  const create = vi.fn(options.create ?? (async () => createdCredential()));
  const get = vi.fn(options.get ?? (async () => assertedCredential()));
  const PublicKeyCredential = Object.assign(function PublicKeyCredential() {}, {
    isConditionalMediationAvailable: async () => options.conditional ?? false,
  });
  vi.stubGlobal('PublicKeyCredential', PublicKeyCredential);
  vi.stubGlobal('navigator', { credentials: { create, get } });
  vi.stubGlobal('location', { hostname: 'localhost' });
  vi.stubGlobal('document', { querySelectorAll: () => [{}] });
  return { create, get };
};
