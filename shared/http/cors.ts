/** CORS for the stage's allowed origins: the handlers and the local server's preflight both use it. */
export const corsHeaders = (origin: string | undefined, allowedOrigins: readonly string[]): Record<string, string> =>
  origin !== undefined && allowedOrigins.includes(origin)
    ? {
        'access-control-allow-origin': origin,
        'access-control-allow-credentials': 'false',
        vary: 'Origin',
      }
    : { vary: 'Origin' };

export const preflightHeaders = (origin: string | undefined, allowedOrigins: readonly string[], methods: readonly string[]) => ({
  ...corsHeaders(origin, allowedOrigins),
  'access-control-allow-methods': [...methods, 'OPTIONS'].join(', '),
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-max-age': '600',
});
