import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { createAdminClient, type AdminClient } from './admin-client.ts';
import { regionOfApiUrl, signRequest, type AwsCredentials } from './sign-request.ts';
import { findStageApiUrl } from './stage-outputs.ts';

/** A mistake in how the CLI was called or configured: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface ConnectionOptions {
  url?: string | undefined;
  token?: string | undefined;
  stage?: string | undefined;
  region?: string | undefined;
  profile?: string | undefined;
}

/** What the CLI reaches the outside world with; tests replace them. */
export interface ConnectionDeps {
  env: Record<string, string | undefined>;
  fetch?: typeof fetch;
  cloudFormation?: (settings: { region?: string | undefined; profile?: string | undefined }) => CloudFormationClient;
  credentials?: (profile: string | undefined) => () => Promise<AwsCredentials>;
}

export const localDefaultUrl = 'http://localhost:3000/';

const parseUrl = (value: string): URL => {
  try {
    const url = new URL(value);
    return url.href.endsWith('/') ? url : new URL(`${url.href}/`);
  } catch {
    throw new UsageError(`"${value}" is not a URL; pass --url like http://localhost:3000`);
  }
};

/**
 * The admin API of a stage: a deployed one (`--stage`) through its stack outputs and SigV4 with
 * the caller's AWS credentials, or the local stage (`--url`, default localhost:3000) with its
 * admin token.
 */
export const connect = async (options: ConnectionOptions, deps: ConnectionDeps): Promise<{ client: AdminClient; target: string }> => {
  const stage = options.stage ?? deps.env.LATCHKEY_STAGE;
  const fetchImplementation = deps.fetch ? { fetch: deps.fetch } : {};
  if (stage) {
    const settings = { region: options.region, profile: options.profile };
    const cloudFormation = deps.cloudFormation?.(settings) ?? new CloudFormationClient({ ...settings, credentials: fromNodeProviderChain({ profile: options.profile }) });
    const baseUrl = options.url ? parseUrl(options.url) : await findStageApiUrl(stage, cloudFormation);
    const region = options.region ?? regionOfApiUrl(baseUrl) ?? (await cloudFormation.config.region());
    const credentials = deps.credentials?.(options.profile) ?? fromNodeProviderChain({ profile: options.profile });
    return {
      client: createAdminClient({ baseUrl, authorize: (request) => signRequest(request, { credentials, region }), ...fetchImplementation }),
      target: `stage ${stage} (${baseUrl.href})`,
    };
  }
  const baseUrl = parseUrl(options.url ?? deps.env.LATCHKEY_URL ?? localDefaultUrl);
  const token = options.token ?? deps.env.LOCAL_ADMIN_TOKEN;
  if (!token) {
    throw new UsageError('No admin token: set LOCAL_ADMIN_TOKEN or pass --token (npm start prints it), or --stage <name> for a deployed stage.');
  }
  return {
    client: createAdminClient({ baseUrl, authorize: async (request) => ({ ...request.headers, authorization: `Bearer ${token}` }), ...fetchImplementation }),
    target: baseUrl.href,
  };
};
