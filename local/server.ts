import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { routes, type FunctionName, type Route } from '../shared/routes.ts';
import { preflightHeaders } from '../shared/http/cors.ts';
import { lambdaContext, toApiGatewayEvent } from './api-gateway-event.ts';

export type LambdaHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Something served beside the API (the SDK bundle, the example resource server): true when it answered. */
export type LocalApplication = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean>;

export interface LocalServerOptions {
  handlers: Record<FunctionName, LambdaHandler>;
  allowedOrigins: () => readonly string[];
  adminToken: string;
  /** Static files of the demo page. */
  demoDirectory: string;
  /** Asked in order, before the static files, for paths that are not API routes. */
  applications?: readonly LocalApplication[];
}

/** API Gateway's own payload limit; the handlers enforce the API's 64 KiB themselves. */
const maxPayloadBytes = 10 * 1024 * 1024;

const compiled = (routes as readonly Route[]).map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/[.]/g, '\\.').replace(/\{(\w+)\}/g, '(?<$1>[^/]+)')}$`),
}));

const problem = (response: ServerResponse, status: number, code: string, title: string, detail: string) => {
  response.writeHead(status, { 'content-type': 'application/problem+json', 'cache-control': 'no-store' });
  response.end(JSON.stringify({ type: `urn:latchkey:problem:${code}`, title, status, detail, code }));
};

const readBody = (request: IncomingMessage): Promise<string | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxPayloadBytes) {
        resolve(undefined);
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(size > maxPayloadBytes ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const browserPackageEntry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
const vendorFiles: Record<string, string> = {
  // The browser library's own prebuilt bundle: the demo page needs no build step.
  '/vendor/simplewebauthn-browser.js': join(dirname(browserPackageEntry), '..', 'dist', 'bundle', 'index.umd.min.js'),
};

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/**
 * The one-machine API Gateway: matches the route table, turns each request into the REST
 * API's proxy event, and calls the same Lambda handlers AWS runs. Admin routes take the local
 * admin token where AWS takes SigV4.
 */
export const createLocalServer = (options: LocalServerOptions): Server =>
  createServer((request, response) => {
    void handle(request, response, options).catch((error: unknown) => {
      console.error('Local server error', error);
      if (!response.headersSent) problem(response, 500, 'internal', 'Internal error', 'Something went wrong on our side.');
      else response.end();
    });
  });

const handle = async (request: IncomingMessage, response: ServerResponse, options: LocalServerOptions) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  // Ensure path parameters decode: decodeURIComponent throws on a stray or truncated '%'.
  try {
    decodeURIComponent(url.pathname);
  } catch {
    return problem(response, 400, 'invalid_request', 'Invalid request', 'The path is not valid percent-encoding.');
  }
  const matches = compiled.flatMap(({ route, pattern }) => {
    const match = pattern.exec(url.pathname);
    return match ? [{ route, parameters: Object.fromEntries(Object.entries(match.groups ?? {}).map(([key, value]) => [key, decodeURIComponent(value)])) }] : [];
  });

  if (matches.length === 0) {
    for (const application of options.applications ?? []) {
      if (await application(request, response, url)) return;
    }
    if (method === 'GET' || method === 'HEAD') return serveStatic(url.pathname, response, options.demoDirectory);
    return problem(response, 404, 'not_found', 'Not found', `No route for ${method} ${url.pathname}.`);
  }
  const origin = request.headers.origin;
  if (method === 'OPTIONS') {
    response.writeHead(204, preflightHeaders(origin, options.allowedOrigins(), matches.map(({ route }) => route.method)));
    return response.end();
  }
  const matched = matches.find(({ route }) => route.method === method);
  if (!matched) return problem(response, 405, 'method_not_allowed', 'Method not allowed', `${method} is not allowed on ${url.pathname}.`);

  let principal: string | undefined;
  if (matched.route.authorization === 'iam') {
    // Stands in for API Gateway's AWS_IAM authoriser on the local stage.
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token || !sameSecret(token, options.adminToken)) {
      return problem(response, 401, 'unauthorized', 'Unauthorized', 'Admin routes need "Authorization: Bearer <LOCAL_ADMIN_TOKEN>".');
    }
    principal = 'local-admin';
  }

  const body = await readBody(request);
  if (body === undefined) return problem(response, 413, 'payload_too_large', 'Request body too large', `The body is larger than ${maxPayloadBytes} bytes.`);
  const event = toApiGatewayEvent(request, url, matched.route, matched.parameters, body, principal);
  const result = await options.handlers[matched.route.function](event, lambdaContext(`latchkey-local-${matched.route.function}`));
  response.writeHead(result.statusCode, Object.fromEntries(Object.entries(result.headers ?? {}).map(([key, value]) => [key, String(value)])));
  response.end(result.statusCode === 204 ? undefined : result.body);
};

const serveStatic = async (pathname: string, response: ServerResponse, directory: string) => {
  const vendor = vendorFiles[pathname];
  const relative = pathname === '/' ? 'index.html' : normalize(pathname).replace(/^[/\\]+/, '');
  const file = vendor ?? join(directory, relative);
  // Ensure no path escapes the demo folder.
  if (!vendor && (relative.startsWith('..') || !file.startsWith(directory))) {
    return problem(response, 404, 'not_found', 'Not found', `No file ${pathname}.`);
  }
  try {
    const content = await readFile(file);
    response.writeHead(200, { 'content-type': contentTypes[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    response.end(content);
  } catch {
    problem(response, 404, 'not_found', 'Not found', `No file ${pathname}.`);
  }
};
