import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

export interface UnsignedRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | undefined;
}

/**
 * Signs a request to a deployed stage's API with SigV4, service `execute-api`: the admin routes
 * use API Gateway's AWS_IAM authoriser. Returns the headers to send (the signed host included;
 * fetch sets the same host itself).
 */
export const signRequest = async (
  request: UnsignedRequest,
  settings: { credentials: AwsCredentials | (() => Promise<AwsCredentials>); region: string; signingDate?: Date },
): Promise<Record<string, string>> => {
  const signer = new SignatureV4({ service: 'execute-api', region: settings.region, credentials: settings.credentials, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: request.url.protocol,
      hostname: request.url.hostname,
      ...(request.url.port ? { port: Number(request.url.port) } : {}),
      path: request.url.pathname,
      query: Object.fromEntries(request.url.searchParams.entries()),
      headers: { ...request.headers, host: request.url.host },
      body: request.body,
    },
    settings.signingDate ? { signingDate: settings.signingDate } : {},
  );
  return Object.fromEntries(Object.entries(signed.headers).map(([name, value]) => [name, String(value)]));
};

/** The region of an execute-api URL (`https://<id>.execute-api.<region>.amazonaws.com/<stage>/`), if it is one. */
export const regionOfApiUrl = (url: URL): string | undefined => /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1];
