import { createRequire } from 'node:module';
import type { Policy } from '../shared/domain/policy.ts';
import type { Credential, User } from '../shared/domain/types.ts';
import type { PolicyImpact } from '../shared/use-cases/admin/assess-policy-impact.ts';
import type { UnsignedRequest } from './sign-request.ts';

/** What the admin API answers with on an error (RFC 9457), or what API Gateway's authoriser says. */
export class AdminApiError extends Error {
  override readonly name = 'AdminApiError';
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    detail: string,
  ) {
    super(detail);
  }
}

/** The API could not be reached at all. */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

/** Adds whatever proves the caller is an admin: the local bearer token, or a SigV4 signature. */
export type Authorize = (request: UnsignedRequest) => Promise<Record<string, string>>;

export interface AdminClientSettings {
  /** The stage's API URL, e.g. http://localhost:3000/ or https://<id>.execute-api.<region>.amazonaws.com/prod/ */
  baseUrl: URL;
  authorize: Authorize;
  fetch?: typeof fetch;
}

export type AdminCredential = Credential & { cloneSuspected?: true };

const segment = encodeURIComponent;

/** Shown as `client.userAgent` in the audit events of admin actions. */
export const userAgent = `latchkey-admin/${(createRequire(import.meta.url)('../package.json') as { version: string }).version} node/${process.versions.node}`;

/** The admin endpoints of API.md, one method each. */
export const createAdminClient = (settings: AdminClientSettings) => {
  const send = settings.fetch ?? fetch;
  const base = settings.baseUrl.href.endsWith('/') ? settings.baseUrl : new URL(`${settings.baseUrl.href}/`);

  const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const url = new URL(path, base);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const unsigned: UnsignedRequest = {
      method,
      url,
      headers: { accept: 'application/json', 'user-agent': userAgent, ...(text === undefined ? {} : { 'content-type': 'application/json' }) },
      body: text,
    };
    const headers = await settings.authorize(unsigned);
    delete headers.host;
    let response: Response;
    try {
      response = await send(url, { method, headers, body: text });
    } catch (cause) {
      throw new ConnectionError(`Could not reach ${base.origin}: ${cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : String(cause)}`, { cause });
    }
    const raw = await response.text();
    let parsed: unknown;
    try {
      parsed = raw === '' ? undefined : (JSON.parse(raw) as unknown);
    } catch {
      parsed = raw;
    }
    if (!response.ok) throw toApiError(response.status, parsed);
    return parsed as T;
  };

  return {
    getPolicy: () => request<Policy>('GET', 'v1/admin/policy'),
    metadataStatus: () => request<unknown>('GET', 'v1/admin/metadata'),
    refreshMetadata: () => request<unknown>('POST', 'v1/admin/metadata/refresh'),
    setPolicy: (policy: unknown) => request<Policy>('PUT', 'v1/admin/policy', policy),
    assessImpact: (policy: unknown, limit?: number) =>
      request<PolicyImpact>('POST', `v1/admin/policy/impact${limit === undefined ? '' : `?limit=${limit}`}`, policy),
    createUser: (body: { username: string; displayName?: string; groups?: string[] }) => request<User>('POST', 'v1/admin/users', body),
    findUser: (username: string) => request<User>('GET', `v1/admin/users?username=${segment(username)}`),
    getUser: (userId: string) => request<User>('GET', `v1/admin/users/${segment(userId)}`),
    updateUser: (userId: string, body: { displayName?: string; groups?: string[]; disabled?: boolean }) =>
      request<User>('PATCH', `v1/admin/users/${segment(userId)}`, body),
    deleteUser: (userId: string) => request<void>('DELETE', `v1/admin/users/${segment(userId)}`),
    issueCode: (userId: string, body: { lifetimeSeconds?: number; oneTime?: boolean }) =>
      request<{ code: string; expiresAt: string }>('POST', `v1/admin/users/${segment(userId)}/enrollment-codes`, body),
    listKeys: (userId: string) => request<{ credentials: AdminCredential[] }>('GET', `v1/admin/users/${segment(userId)}/credentials`),
    deleteKey: (userId: string, credentialId: string) =>
      request<void>('DELETE', `v1/admin/users/${segment(userId)}/credentials/${segment(credentialId)}`),
  };
};

export type AdminClient = ReturnType<typeof createAdminClient>;

/** problem+json from Latchkey, `{ message }` from API Gateway itself (e.g. a refused signature), or anything else. */
const toApiError = (status: number, body: unknown): AdminApiError => {
  if (typeof body === 'object' && body !== null) {
    const fields = body as Record<string, unknown>;
    if (typeof fields.detail === 'string') return new AdminApiError(status, typeof fields.code === 'string' ? fields.code : undefined, fields.detail);
    if (typeof fields.message === 'string' || typeof fields.Message === 'string') {
      return new AdminApiError(status, undefined, String(fields.message ?? fields.Message));
    }
  }
  return new AdminApiError(status, undefined, typeof body === 'string' && body !== '' ? body.slice(0, 500) : `HTTP ${status}`);
};
