import type { DetailType } from './events/catalog.ts';

/**
 * The one route table. The CDK stateless stack builds API Gateway resources from it and the
 * local server dispatches requests with it; each function's handler looks its operation up by
 * the same route key, so a route exists in exactly one place.
 */
export const functionNames = [
  'challenge',
  'attestation',
  'assertion',
  'credentials',
  'jwks',
  'admin',
] as const;
export type FunctionName = (typeof functionNames)[number];

/** Functions not behind API Gateway. */
export const backgroundFunctionNames = ['audit-relay', 'metadata-refresh'] as const;
export type BackgroundFunctionName = (typeof backgroundFunctionNames)[number];

export type FailureDetailType = Extract<DetailType, 'Sign-In Failed' | 'Credential Registration Failed'>;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `public`: reachable by web clients (CORS); bearer tokens, if any, are checked by the use case. `iam`: admin, SigV4 in AWS. */
export type RouteAuthorization = 'public' | 'iam';

export interface Route {
  readonly method: HttpMethod;
  /** Audit detail-type recorded for every failed request on this route (EVENTS.md). */
  readonly failureEvent?: FailureDetailType;
  /** API Gateway resource path, `{name}` for path parameters. */
  readonly path: string;
  readonly function: FunctionName;
  readonly authorization: RouteAuthorization;
}

export const routes = [
  { method: 'POST', path: '/v1/registration/options', function: 'challenge', authorization: 'public', failureEvent: 'Credential Registration Failed' },
  { method: 'POST', path: '/v1/authentication/options', function: 'challenge', authorization: 'public', failureEvent: 'Sign-In Failed' },
  { method: 'POST', path: '/v1/registration/verify', function: 'attestation', authorization: 'public', failureEvent: 'Credential Registration Failed' },
  { method: 'POST', path: '/v1/authentication/verify', function: 'assertion', authorization: 'public', failureEvent: 'Sign-In Failed' },
  { method: 'GET', path: '/v1/credentials', function: 'credentials', authorization: 'public' },
  { method: 'PATCH', path: '/v1/credentials/{credentialId}', function: 'credentials', authorization: 'public' },
  { method: 'DELETE', path: '/v1/credentials/{credentialId}', function: 'credentials', authorization: 'public' },
  { method: 'GET', path: '/.well-known/jwks.json', function: 'jwks', authorization: 'public' },
  { method: 'GET', path: '/v1/admin/policy', function: 'admin', authorization: 'iam' },
  { method: 'PUT', path: '/v1/admin/policy', function: 'admin', authorization: 'iam' },
  { method: 'POST', path: '/v1/admin/policy/impact', function: 'admin', authorization: 'iam' },
  { method: 'POST', path: '/v1/admin/users', function: 'admin', authorization: 'iam' },
  { method: 'GET', path: '/v1/admin/users', function: 'admin', authorization: 'iam' },
  { method: 'GET', path: '/v1/admin/users/{userId}', function: 'admin', authorization: 'iam' },
  { method: 'PATCH', path: '/v1/admin/users/{userId}', function: 'admin', authorization: 'iam' },
  { method: 'DELETE', path: '/v1/admin/users/{userId}', function: 'admin', authorization: 'iam' },
  { method: 'POST', path: '/v1/admin/users/{userId}/enrollment-codes', function: 'admin', authorization: 'iam' },
  { method: 'GET', path: '/v1/admin/users/{userId}/credentials', function: 'admin', authorization: 'iam' },
  { method: 'DELETE', path: '/v1/admin/users/{userId}/credentials/{credentialId}', function: 'admin', authorization: 'iam' },
  { method: 'GET', path: '/v1/admin/metadata', function: 'admin', authorization: 'iam' },
  { method: 'POST', path: '/v1/admin/metadata/refresh', function: 'admin', authorization: 'iam' },
] as const satisfies readonly Route[];

/** `POST /v1/registration/options`, one per route (not every method with every path). */
type KeyOf<R> = R extends { method: infer M extends string; path: infer P extends string } ? `${M} ${P}` : never;
export type RouteKey = KeyOf<(typeof routes)[number]>;

export const routeKey = (route: Pick<Route, 'method' | 'path'>): string => `${route.method} ${route.path}`;

export const routesOf = (fn: FunctionName): Route[] => routes.filter((route) => route.function === fn);

export const findRoute = (method: string, path: string): Route | undefined =>
  (routes as readonly Route[]).find((route) => route.method === method && route.path === path);
