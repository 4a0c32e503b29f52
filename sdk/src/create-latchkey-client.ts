import {
  WebAuthnAbortService,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  startRegistration,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/browser';
import { LatchkeyError, type LatchkeyOperation } from './errors.ts';
import { errorFromWebAuthn } from './error-from-webauthn.ts';
import { createApi } from './create-api.ts';
import {
  parseCreationOptions,
  parseCredential,
  parseCredentialList,
  parseRequestOptions,
  parseSession,
} from './parse-response.ts';
import { memoryTokenStore, type TokenStore } from './token-store.ts';
import type { Credential, Enrolment, Session } from './types.ts';

export interface LatchkeyClientOptions {
  /** The stage's API URL, e.g. `https://auth.example.com` or `http://localhost:3000`. */
  baseUrl: string;
  /** A fetch to use instead of the global one (tests, instrumentation). */
  fetch?: typeof fetch;
  /** Where the session lives; memory by default (docs/web.md, "Token handling"). */
  tokenStore?: TokenStore;
}

export interface SignUpInput {
  username: string;
  displayName?: string;
  /** A name for the key ("Blue YubiKey"); the service defaults it. */
  nickname?: string;
}

/** Enrol with an administrator's one-time code (a person's first key)… */
export interface EnrolWithCodeInput {
  enrollmentCode: string;
  nickname?: string;
}

/** …or, signed in, add another key (the session's token unless `accessToken` is given). */
export interface EnrolWithTokenInput {
  accessToken?: string;
  nickname?: string;
}

export type EnrolInput = EnrolWithCodeInput | EnrolWithTokenInput;

export interface SignInInput {
  /** Omit for usernameless sign-in with a discoverable key (passkey). */
  username?: string;
}

export interface AutofillInput {
  /** Abort to stop offering passkeys in the username field (e.g. when the form goes away). */
  signal?: AbortSignal;
}

export type SessionListener = (session: Session | undefined) => void;

export interface LatchkeyClient {
  /** Creates an account with a new key (only where the stage allows self sign-up). */
  signUp(input: SignUpInput): Promise<Enrolment>;
  /** Enrols a key with an enrollment code, or adds one to the signed-in account. */
  enrol(input: EnrolInput): Promise<Enrolment>;
  /** Signs in with a key: usernameless, or the given user's keys. */
  signIn(input?: SignInInput): Promise<Session>;
  /**
   * Offers passkeys in the browser's autofill on an `<input autocomplete="username webauthn">`
   * and resolves when the person picks one. Call it when the sign-in form appears.
   */
  signInWithAutofill(input?: AutofillInput): Promise<Session>;
  /** The signed-in person's keys. */
  listKeys(): Promise<Credential[]>;
  renameKey(credentialId: string, nickname: string): Promise<Credential>;
  /** Removes a key; needs a recent sign-in (else `reauthentication_required`). */
  deleteKey(credentialId: string): Promise<void>;
  /** Cancels the running ceremony and requests (they reject with `aborted`). */
  abort(): void;
  /** The current session, or undefined when signed out or expired. */
  getSession(): Session | undefined;
  /** Forgets the session in this browser. Access tokens are not revocable; they expire. */
  signOut(): void;
  /** Calls `listener` whenever the session changes; returns an unsubscribe function. */
  onSessionChange(listener: SessionListener): () => void;
}

/** Refresh a waiting autofill request this long before its challenge expires. */
const autofillRefreshMarginMs = 15_000;

/**
 * A client for one Latchkey stage. Every ceremony is options → browser → verify; every error
 * is a LatchkeyError whose `code` a program can branch on and whose `message` a person can act on.
 */
export const createLatchkeyClient = (options: LatchkeyClientOptions): LatchkeyClient => {
  const fetchImplementation = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const api = createApi({ baseUrl: options.baseUrl, fetch: fetchImplementation });
  const store = options.tokenStore ?? memoryTokenStore();
  const listeners = new Set<SessionListener>();
  const inFlight = new Set<AbortController>();
  let autofillRefresh: ReturnType<typeof setTimeout> | undefined;
  /** The autofill request whose conditional ceremony the browser is running, if any. */
  let autofillOwner: object | undefined;

  const setSession = (session: Session | undefined) => {
    store.save(session);
    for (const listener of listeners) listener(session);
  };

  const getSession = (): Session | undefined => {
    const session = store.load();
    if (session && session.expiresAt <= Date.now()) {
      setSession(undefined);
      return undefined;
    }
    return session;
  };

  /** Runs one operation with its own AbortController, so `abort()` reaches its requests. */
  const tracked = async <T>(work: (signal: AbortSignal, abort: () => void) => Promise<T>): Promise<T> => {
    const controller = new AbortController();
    inFlight.add(controller);
    try {
      return await work(controller.signal, () => controller.abort());
    } finally {
      inFlight.delete(controller);
    }
  };

  const requireSession = (operation: LatchkeyOperation): Session => {
    const session = getSession();
    // Ensure a session exists before calling a bearer route.
    if (!session) throw new LatchkeyError('You are not signed in. Sign in first.', { code: 'not_signed_in', operation });
    return session;
  };

  /** A 401 on a bearer route means the token is dead: forget it so the app shows sign-in. */
  const forgetSessionOnUnauthorized = async <T>(work: Promise<T>): Promise<T> => {
    try {
      return await work;
    } catch (error) {
      if (error instanceof LatchkeyError && error.code === 'unauthorized') setSession(undefined);
      throw error;
    }
  };

  /**
   * The browser runs one ceremony at a time, and a modal one replaces a waiting autofill one.
   * From then on nothing of the autofill request (its refresh timer, its AbortSignal) may cancel
   * "the" ceremony, which is no longer its own.
   */
  const endAutofill = () => {
    if (autofillRefresh !== undefined) clearTimeout(autofillRefresh);
    autofillRefresh = undefined;
    autofillOwner = undefined;
  };

  const register = async (
    operation: LatchkeyOperation,
    body: Record<string, unknown>,
    auth: { accessToken?: string; withEnrollmentCode?: boolean },
    nickname: string | undefined,
  ): Promise<Enrolment> =>
    tracked(async (signal) => {
      endAutofill();
      const optionsJSON = await api({
        method: 'POST',
        path: '/v1/registration/options',
        operation,
        body,
        accessToken: auth.accessToken,
        withEnrollmentCode: auth.withEnrollmentCode ?? false,
        signal,
        parse: parseCreationOptions,
      });
      let response: RegistrationResponseJSON;
      try {
        response = await startRegistration({ optionsJSON });
      } catch (error) {
        throw errorFromWebAuthn(error, operation);
      }
      const session = await api({
        method: 'POST',
        path: '/v1/registration/verify',
        operation,
        body: { response, ...(nickname ? { nickname } : {}) },
        signal,
        parse: (value) => parseSession(value, Date.now()),
      });
      setSession(session);
      return { credential: session.credential, user: session.user, session };
    });

  const finishSignIn = (operation: LatchkeyOperation, response: AuthenticationResponseJSON, signal: AbortSignal) =>
    api({
      method: 'POST',
      path: '/v1/authentication/verify',
      operation,
      body: { response },
      signal,
      parse: (value) => parseSession(value, Date.now()),
    }).then((session) => {
      setSession(session);
      return session;
    });

  return {
    async signUp(input) {
      const { username, displayName, nickname } = input;
      return register('signUp', { username, ...(displayName ? { displayName } : {}) }, {}, nickname);
    },

    async enrol(input) {
      if ('enrollmentCode' in input) {
        return register('enrol', { enrollmentCode: input.enrollmentCode }, { withEnrollmentCode: true }, input.nickname);
      }
      const accessToken = input.accessToken ?? requireSession('enrol').accessToken;
      return forgetSessionOnUnauthorized(register('enrol', {}, { accessToken }, input.nickname));
    },

    async signIn(input = {}) {
      const operation = 'signIn';
      return tracked(async (signal) => {
        endAutofill();
        const optionsJSON = await api({
          method: 'POST',
          path: '/v1/authentication/options',
          operation,
          body: input.username === undefined ? {} : { username: input.username },
          signal,
          parse: parseRequestOptions,
        });
        let response: AuthenticationResponseJSON;
        try {
          response = await startAuthentication({ optionsJSON });
        } catch (error) {
          throw errorFromWebAuthn(error, operation);
        }
        return finishSignIn(operation, response, signal);
      });
    },

    async signInWithAutofill(input = {}) {
      const operation = 'signInWithAutofill';
      const external = input.signal;
      const aborted = () => errorFromWebAuthn(Object.assign(new Error('aborted'), { name: 'AbortError' }), operation);
      return tracked(async (signal, abortRequests) => {
        if (!(await browserSupportsWebAuthnAutofill())) {
          throw errorFromWebAuthn(new Error('Browser does not support WebAuthn autofill'), operation);
        }
        const owner = {};
        const stop = () => {
          abortRequests();
          if (autofillOwner !== owner) return;
          endAutofill();
          WebAuthnAbortService.cancelCeremony();
        };
        if (external?.aborted) throw aborted();
        external?.addEventListener('abort', stop, { once: true });
        try {
          // A conditional request can wait for hours; its challenge cannot. Re-issue it in time.
          for (;;) {
            const optionsJSON = await api({ method: 'POST', path: '/v1/authentication/options', operation, body: {}, signal, parse: parseRequestOptions });
            if (external?.aborted) throw aborted();
            let refreshing = false;
            autofillOwner = owner;
            autofillRefresh = setTimeout(() => {
              if (autofillOwner !== owner) return;
              refreshing = true;
              WebAuthnAbortService.cancelCeremony();
            }, Math.max((optionsJSON.timeout ?? 300_000) - autofillRefreshMarginMs, 10_000));
            let response: AuthenticationResponseJSON;
            try {
              response = await startAuthentication({ optionsJSON, useBrowserAutofill: true });
            } catch (error) {
              if (refreshing && !external?.aborted) continue;
              throw errorFromWebAuthn(error, operation);
            } finally {
              if (autofillOwner === owner) endAutofill();
            }
            return await finishSignIn(operation, response, signal);
          }
        } finally {
          external?.removeEventListener('abort', stop);
        }
      });
    },

    async listKeys() {
      const operation = 'listKeys';
      const { accessToken } = requireSession(operation);
      return forgetSessionOnUnauthorized(
        tracked((signal) => api({ method: 'GET', path: '/v1/credentials', operation, accessToken, signal, parse: parseCredentialList })),
      );
    },

    async renameKey(credentialId, nickname) {
      const operation = 'renameKey';
      const { accessToken } = requireSession(operation);
      return forgetSessionOnUnauthorized(
        tracked((signal) =>
          api({
            method: 'PATCH',
            path: `/v1/credentials/${encodeURIComponent(credentialId)}`,
            operation,
            body: { nickname },
            accessToken,
            signal,
            parse: (value) => parseCredential(value),
          }),
        ),
      );
    },

    async deleteKey(credentialId) {
      const operation = 'deleteKey';
      const { accessToken } = requireSession(operation);
      return forgetSessionOnUnauthorized(
        tracked((signal) =>
          api({
            method: 'DELETE',
            path: `/v1/credentials/${encodeURIComponent(credentialId)}`,
            operation,
            accessToken,
            signal,
            parse: () => undefined,
          }),
        ),
      );
    },

    abort() {
      endAutofill();
      WebAuthnAbortService.cancelCeremony();
      for (const controller of inFlight) controller.abort();
    },

    getSession,

    signOut() {
      setSession(undefined);
    },

    onSessionChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
};
