import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLatchkeyClient, LatchkeyError, webStorageTokenStore, type Session } from '../../../sdk/src/index.ts';
import {
  authenticationOptions,
  credential,
  domException,
  fakeFetch,
  installWebAuthn,
  problem,
  registrationOptions,
  sessionBody,
  untilAborted,
  user,
} from './fake-browser.ts';

const baseUrl = 'https://auth.example.com/';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

const caught = async (work: Promise<unknown>): Promise<LatchkeyError> => {
  try {
    await work;
  } catch (error) {
    if (error instanceof LatchkeyError) return error;
    throw error;
  }
  throw new Error('expected a LatchkeyError');
};

/** A client already signed in (usernameless), with its fetch ready for what follows. */
const signedInClient = async (...then: Parameters<typeof fakeFetch>) => {
  installWebAuthn();
  const http = fakeFetch({ status: 200, body: authenticationOptions }, { status: 200, body: sessionBody() }, ...then);
  const client = createLatchkeyClient({ baseUrl, fetch: http.fetch });
  await client.signIn();
  http.requests.splice(0);
  return { client, http };
};

describe('signUp', () => {
  it('asks for options with the username and display name, creates the key, verifies it with its name, and starts a session', async () => {
    // Prepare
    const { create } = installWebAuthn();
    const http = fakeFetch({ status: 200, body: registrationOptions }, { status: 201, body: sessionBody() });
    const client = createLatchkeyClient({ baseUrl, fetch: http.fetch });

    // Act
    const enrolment = await client.signUp({ username: 'ada', displayName: 'Ada Lovelace', nickname: 'Blue YubiKey' });

    // Assess
    expect(http.requests.map(({ method, url }) => `${method} ${url}`)).toEqual([
      'POST https://auth.example.com/v1/registration/options',
      'POST https://auth.example.com/v1/registration/verify',
    ]);
    expect(http.requests[0]?.body).toEqual({ username: 'ada', displayName: 'Ada Lovelace' });
    expect(http.requests[0]?.headers.authorization).toBeUndefined();
    expect(http.requests[0]?.headers['content-type']).toBe('application/json');
    expect(http.requests[0]?.credentials).toBe('omit');
    const verifyBody = http.requests[1]?.body as { response: { id: string; response: { transports: string[] } }; nickname: string };
    expect(verifyBody.nickname).toBe('Blue YubiKey');
    expect(verifyBody.response.id).toBe('bmV3LWtleQ');
    expect(verifyBody.response.response.transports).toEqual(['usb']);
    // The browser got the options decoded: challenge and user id as bytes, exclusions kept.
    const publicKey = create.mock.calls[0]?.[0].publicKey as PublicKeyCredentialCreationOptions;
    expect(new TextDecoder().decode(publicKey.challenge as ArrayBuffer)).toBe('registration-challenge');
    expect(publicKey.excludeCredentials).toHaveLength(1);
    expect(enrolment.user).toEqual(user);
    expect(enrolment.credential).toEqual(credential);
    expect(enrolment.session.accessToken).toBe('header.payload.signature');
    expect(client.getSession()).toEqual(enrolment.session);
  });

  it('sends no displayName when none is given', async () => {
    installWebAuthn();
    const http = fakeFetch({ status: 200, body: registrationOptions }, { status: 201, body: sessionBody() });

    await createLatchkeyClient({ baseUrl, fetch: http.fetch }).signUp({ username: 'ada' });

    expect(http.requests[0]?.body).toEqual({ username: 'ada' });
    expect(http.requests[1]?.body).not.toHaveProperty('nickname');
  });

  it('reports a taken username before any key is touched', async () => {
    const { create } = installWebAuthn();
    const http = fakeFetch(problem(409, 'conflict', 'That username is taken.'));

    const error = await caught(createLatchkeyClient({ baseUrl, fetch: http.fetch }).signUp({ username: 'ada' }));

    expect(error.code).toBe('conflict');
    expect(error.status).toBe(409);
    expect(error.message).toMatch(/username is taken/);
    expect(create).not.toHaveBeenCalled();
  });
});

describe('enrol', () => {
  it('with an enrollment code: no bearer token, the code in the options body', async () => {
    installWebAuthn();
    const http = fakeFetch({ status: 200, body: registrationOptions }, { status: 201, body: sessionBody() });
    const client = createLatchkeyClient({ baseUrl, fetch: http.fetch });

    const enrolment = await client.enrol({ enrollmentCode: 'ABCD-EFGH-JKLM', nickname: 'Work key' });

    expect(http.requests[0]?.body).toEqual({ enrollmentCode: 'ABCD-EFGH-JKLM' });
    expect(http.requests[0]?.headers.authorization).toBeUndefined();
    expect((http.requests[1]?.body as { nickname: string }).nickname).toBe('Work key');
    expect(client.getSession()?.accessToken).toBe(enrolment.session.accessToken);
  });

  it('with a refused code: a bad-code message, and no session', async () => {
    installWebAuthn();
    const http = fakeFetch(problem(401, 'unauthorized', 'The enrollment code is not valid or has expired.'));
    const client = createLatchkeyClient({ baseUrl, fetch: http.fetch });

    const error = await caught(client.enrol({ enrollmentCode: 'WRONG' }));

    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/enrollment code is not valid or has expired/);
    expect(client.getSession()).toBeUndefined();
  });

  it("signed in: the session's bearer token and an empty body; the new session replaces the old", async () => {
    const { client, http } = await signedInClient(
      { status: 200, body: registrationOptions },
      { status: 201, body: sessionBody({ accessToken: 'newer.token.value' }) },
    );

    await client.enrol({});

    expect(http.requests[0]?.headers.authorization).toBe('Bearer header.payload.signature');
    expect(http.requests[0]?.body).toEqual({});
    expect(client.getSession()?.accessToken).toBe('newer.token.value');
  });

  it('with an explicit access token', async () => {
    installWebAuthn();
    const http = fakeFetch({ status: 200, body: registrationOptions }, { status: 201, body: sessionBody() });

    await createLatchkeyClient({ baseUrl, fetch: http.fetch }).enrol({ accessToken: 'given.access.token' });

    expect(http.requests[0]?.headers.authorization).toBe('Bearer given.access.token');
  });

  it('signed out and without a token: not_signed_in, and nothing is sent', async () => {
    installWebAuthn();
    const http = fakeFetch();

    const error = await caught(createLatchkeyClient({ baseUrl, fetch: http.fetch }).enrol({}));

    expect(error.code).toBe('not_signed_in');
    expect(http.requests).toHaveLength(0);
  });

  it('needing a fresher sign-in: reauthentication_required, the session kept', async () => {
    const { client } = await signedInClient(problem(403, 'reauthentication_required'));

    const error = await caught(client.enrol({}));

    expect(error.code).toBe('reauthentication_required');
    expect(client.getSession()).toBeDefined();
  });

  it('on a key already on the account: already_enrolled (InvalidStateError), and no verify', async () => {
    installWebAuthn({ create: async () => Promise.reject(domException('InvalidStateError')) });
    const http = fakeFetch({ status: 200, body: registrationOptions });

    const error = await caught(createLatchkeyClient({ baseUrl, fetch: http.fetch }).enrol({ enrollmentCode: 'CODE' }));

    expect(error.code).toBe('already_enrolled');
    expect(error.message).toMatch(/Use a different key/);
    expect(http.requests).toHaveLength(1);
  });
});

describe('signIn', () => {
  it('usernameless: an empty options body, an empty allow list for the browser, then verify', async () => {
    const { get } = installWebAuthn();
    const http = fakeFetch({ status: 200, body: authenticationOptions }, { status: 200, body: sessionBody() });
    const client = createLatchkeyClient({ baseUrl, fetch: http.fetch });
    const changes: (Session | undefined)[] = [];
    client.onSessionChange((session) => changes.push(session));

    const session = await client.signIn();

    expect(http.requests.map(({ method, url }) => `${method} ${url}`)).toEqual([
      'POST https://auth.example.com/v1/authentication/options',
      'POST https://auth.example.com/v1/authentication/verify',
    ]);
    expect(http.requests[0]?.body).toEqual({});
    const verifyBody = http.requests[1]?.body as { response: { id: string; response: { signature: string } } };
    expect(Object.keys(verifyBody)).toEqual(['response']);
    expect(verifyBody.response.id).toBe('bmV3LWtleQ');
    expect(get.mock.calls[0]?.[0]).not.toHaveProperty('mediation');
    expect(session.user).toEqual(user);
    expect(session.expiresAt - session.signedInAt).toBe(900_000);
    expect(changes).toEqual([session]);
  });

  it('with a username: the username in the options body', async () => {
    installWebAuthn();
    const http = fakeFetch({ status: 200, body: authenticationOptions }, { status: 200, body: sessionBody() });

    await createLatchkeyClient({ baseUrl, fetch: http.fetch }).signIn({ username: 'ada' });

    expect(http.requests[0]?.body).toEqual({ username: 'ada' });
  });

  it('cancelled, timed out or no key (NotAllowedError): cancelled, and no verify', async () => {
    installWebAuthn({ get: async () => Promise.reject(domException('NotAllowedError')) });
    const http = fakeFetch({ status: 200, body: authenticationOptions });

    const error = await caught(createLatchkeyClient({ baseUrl, fetch: http.fetch }).signIn({ username: 'ada' }));

    expect(error.code).toBe('cancelled');
    expect(error.operation).toBe('signIn');
    expect(http.requests).toHaveLength(1);
  });

  it('with a key the service does not know: verification_failed with what to do', async () => {
    installWebAuthn();
    const http = fakeFetch({ status: 200, body: authenticationOptions }, problem(400, 'verification_failed', 'This key is not registered with this service.'));

    const error = await caught(createLatchkeyClient({ baseUrl, fetch: http.fetch }).signIn());

    expect(error.code).toBe('verification_failed');
    expect(error.detail).toBe('This key is not registered with this service.');
    expect(error.message).toMatch(/use another key/);
  });

  it('abort() cancels the waiting ceremony: aborted', async () => {
    installWebAuthn({ get: untilAborted });
    const http = fakeFetch({ status: 200, body: authenticationOptions });
    const client = createLatchkeyClient({ baseUrl, fetch: http.fetch });

    const pending = caught(client.signIn());
    await vi.waitFor(() => expect(http.requests).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 0));
    client.abort();

    expect((await pending).code).toBe('aborted');
  });
});

describe('signInWithAutofill', () => {
  it('asks the browser for conditional mediation with an empty allow list', async () => {
    const { get } = installWebAuthn({ conditional: true });
    const http = fakeFetch({ status: 200, body: authenticationOptions }, { status: 200, body: sessionBody() });

    const session = await createLatchkeyClient({ baseUrl, fetch: http.fetch }).signInWithAutofill();

    const options = get.mock.calls[0]?.[0] as { mediation: string; publicKey: PublicKeyCredentialRequestOptions };
    expect(options.mediation).toBe('conditional');
    expect(options.publicKey.allowCredentials).toEqual([]);
    expect(http.requests[0]?.body).toEqual({});
    expect(session.accessToken).toBe('header.payload.signature');
  });

  it('where the browser has no autofill: not_supported, nothing sent', async () => {
    installWebAuthn({ conditional: false });
    const http = fakeFetch();

    const error = await caught(createLatchkeyClient({ baseUrl, fetch: http.fetch }).signInWithAutofill());

    expect(error.code).toBe('not_supported');
    expect(http.requests).toHaveLength(0);
  });

  it('stops when its AbortSignal fires', async () => {
    installWebAuthn({ conditional: true, get: untilAborted });
    const http = fakeFetch({ status: 200, body: authenticationOptions });
    const controller = new AbortController();

    const pending = caught(createLatchkeyClient({ baseUrl, fetch: http.fetch }).signInWithAutofill({ signal: controller.signal }));
    await vi.waitFor(() => expect(http.requests).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 0));
    controller.abort();

    expect((await pending).code).toBe('aborted');
  });

  it('once a modal sign-in has replaced it, its AbortSignal no longer cancels anything', async () => {
    const { get } = installWebAuthn({ conditional: true, get: untilAborted });
    const http = fakeFetch({ status: 200, body: authenticationOptions }, { status: 200, body: authenticationOptions });
    const client = createLatchkeyClient({ baseUrl, fetch: http.fetch });
    const autofill = new AbortController();
    const waiting = caught(client.signInWithAutofill({ signal: autofill.signal }));
    await vi.waitFor(() => expect(get).toHaveBeenCalledTimes(1));

    let modalSettled = false;
    const modal = caught(client.signIn()).finally(() => (modalSettled = true));
    await vi.waitFor(() => expect(get).toHaveBeenCalledTimes(2));
    expect((await waiting).code).toBe('aborted');
    autofill.abort();
    await new Promise((resolve) => setTimeout(resolve, 10));

    expect(modalSettled).toBe(false);
    client.abort();
    expect((await modal).code).toBe('aborted');
  });

  it('re-issues the waiting request before its challenge expires', async () => {
    const { get } = installWebAuthn({ conditional: true, get: untilAborted });
    const http = fakeFetch(
      { status: 200, body: { options: { ...authenticationOptions.options, timeout: 60_000 } } },
      { status: 200, body: authenticationOptions },
    );
    vi.useFakeTimers();
    const pending = createLatchkeyClient({ baseUrl, fetch: http.fetch }).signInWithAutofill();
    await vi.waitFor(() => expect(get).toHaveBeenCalledTimes(1));

    // 60 s lifetime, refreshed 15 s before it ends.
    await vi.advanceTimersByTimeAsync(45_000);

    await vi.waitFor(() => expect(get).toHaveBeenCalledTimes(2));
    expect(http.requests).toHaveLength(2);
    void pending.catch(() => undefined);
    vi.useRealTimers();
  });
});

describe('keys', () => {
  it('listKeys: GET with the bearer token', async () => {
    const { client, http } = await signedInClient({ status: 200, body: { credentials: [credential] } });

    const keys = await client.listKeys();

    expect(http.requests[0]).toMatchObject({ method: 'GET', url: 'https://auth.example.com/v1/credentials', body: undefined });
    expect(http.requests[0]?.headers.authorization).toBe('Bearer header.payload.signature');
    expect(keys).toEqual([credential]);
  });

  it('renameKey: PATCH to the encoded id with the nickname', async () => {
    const { client, http } = await signedInClient({ status: 200, body: { ...credential, nickname: 'Spare' } });

    const renamed = await client.renameKey('a/b+c', 'Spare');

    expect(http.requests[0]).toMatchObject({ method: 'PATCH', url: 'https://auth.example.com/v1/credentials/a%2Fb%2Bc', body: { nickname: 'Spare' } });
    expect(renamed.nickname).toBe('Spare');
  });

  it('deleteKey: DELETE, 204 resolves', async () => {
    const { client, http } = await signedInClient({ status: 204 });

    await expect(client.deleteKey('bmV3LWtleQ')).resolves.toBeUndefined();

    expect(http.requests[0]).toMatchObject({ method: 'DELETE', url: 'https://auth.example.com/v1/credentials/bmV3LWtleQ' });
  });

  it('a refused token (401) ends the session', async () => {
    const { client } = await signedInClient(problem(401, 'unauthorized', 'The access token is not valid.'));
    const changes: (Session | undefined)[] = [];
    client.onSessionChange((session) => changes.push(session));

    const error = await caught(client.listKeys());

    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(/Sign in again/);
    expect(client.getSession()).toBeUndefined();
    expect(changes).toEqual([undefined]);
  });

  it('signed out: not_signed_in without a request', async () => {
    installWebAuthn();
    const http = fakeFetch();
    const client = createLatchkeyClient({ baseUrl, fetch: http.fetch });

    expect((await caught(client.listKeys())).code).toBe('not_signed_in');
    expect((await caught(client.deleteKey('x'))).code).toBe('not_signed_in');
    expect(http.requests).toHaveLength(0);
  });
});

describe('transport failures', () => {
  it('an unreachable service (or a CORS refusal) is network', async () => {
    installWebAuthn();
    const http = fakeFetch(new TypeError('Failed to fetch'));

    const error = await caught(createLatchkeyClient({ baseUrl, fetch: http.fetch }).signIn());

    expect(error.code).toBe('network');
    expect(error.message).toMatch(/Cannot reach the sign-in service/);
    expect(error.detail).toBe(
      "POST https://auth.example.com/v1/authentication/options failed (Failed to fetch). If the service is up, check that this page's origin is one of its allowed origins.",
    );
  });

  it('an error page that is not a problem is unexpected_response with its status', async () => {
    installWebAuthn();
    const http = fakeFetch({ status: 502, body: '<html>Bad gateway</html>', contentType: 'text/html' });

    const error = await caught(createLatchkeyClient({ baseUrl, fetch: http.fetch }).signIn());

    expect(error.code).toBe('unexpected_response');
    expect(error.status).toBe(502);
  });

  it('a success body without the promised fields is unexpected_response naming the field', async () => {
    installWebAuthn();
    const http = fakeFetch({ status: 200, body: { options: { rpId: 'localhost' } } });

    const error = await caught(createLatchkeyClient({ baseUrl, fetch: http.fetch }).signIn());

    expect(error.code).toBe('unexpected_response');
    expect(error.detail).toBe('options.challenge: expected a string.');
  });
});

describe('sessions', () => {
  it('an expired session is forgotten', async () => {
    const { client } = await signedInClient();
    const expiresAt = client.getSession()?.expiresAt ?? 0;
    vi.useFakeTimers({ now: expiresAt + 1, toFake: ['Date'] });

    expect(client.getSession()).toBeUndefined();
  });

  it('signOut forgets the session', async () => {
    const { client } = await signedInClient();

    client.signOut();

    expect(client.getSession()).toBeUndefined();
  });

  it('webStorageTokenStore keeps a session across clients and drops what it cannot read', async () => {
    installWebAuthn();
    const items = new Map<string, string>();
    const storage = {
      getItem: (key: string) => items.get(key) ?? null,
      setItem: (key: string, value: string) => void items.set(key, value),
      removeItem: (key: string) => void items.delete(key),
    } as Storage;
    const http = fakeFetch({ status: 200, body: authenticationOptions }, { status: 200, body: sessionBody() });
    const first = createLatchkeyClient({ baseUrl, fetch: http.fetch, tokenStore: webStorageTokenStore(storage) });
    const session = await first.signIn();

    const second = createLatchkeyClient({ baseUrl, fetch: http.fetch, tokenStore: webStorageTokenStore(storage) });

    expect(second.getSession()).toEqual(session);
    items.set('latchkey.session', '{"not":"a session"}');
    expect(second.getSession()).toBeUndefined();
    expect(items.has('latchkey.session')).toBe(false);
  });
});
