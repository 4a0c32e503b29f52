import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { functionNames, type FunctionName } from '../shared/routes.ts';
import { environmentVariables as names } from '../shared/runtime/variables.ts';
import { localPolicyOverrides, type PolicyOverrides } from '../shared/domain/policy.ts';
import { startDynamoDbLocal, type DynamoDbLocal } from './dynamodb-local.ts';
import { ensureTable } from './table.ts';
import { createLocalServer, type LambdaHandler, type LocalApplication } from './server.ts';
import { startLocalRelay, type LocalRelay } from './stream-poller.ts';
import { lambdaContext } from './api-gateway-event.ts';
import type { MetadataRefreshResult } from '../shared/metadata/refresh-result.ts';
import { serveSdkBundle } from './sdk-bundle.ts';
import { createExampleApi } from '../examples/resource-server.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface LocalStageOptions {
  /** Port to listen on; 0 picks a free one. Default: PORT or 3000. */
  port?: number;
  /** Folder for DynamoDB Local files, keys and events. Default: `.local` in the project. */
  dataDirectory?: string;
  /** Use an already running DynamoDB Local (tests share one per run) instead of starting one. */
  dynamodbEndpoint?: string;
  /** Keep DynamoDB Local in memory (tests). */
  inMemory?: boolean;
  tableName?: string;
  /** More allowed origins besides http://localhost:<port> (ALLOWED_ORIGINS). */
  extraOrigins?: string[];
  /** LOCAL_ADMIN_TOKEN; generated when absent. */
  adminToken?: string;
  /** LOCAL_EVENTS_FILE; default `<dataDirectory>/events.jsonl`. */
  eventsFile?: string;
  /** Stage policy defaults over the local ones. */
  policyOverrides?: PolicyOverrides;
  /** Extra environment for the handlers (e.g. LOG_LEVEL). */
  environment?: Record<string, string>;
}

export interface LocalStage {
  url: string;
  port: number;
  adminToken: string;
  tableName: string;
  dynamodbEndpoint: string;
  eventsFile: string;
  /** Resolves once every audit event written so far is in the events file. */
  eventsDrained(): Promise<void>;
  /**
   * FIDO MDS on this stage: on when LOCAL_MDS_BLOB is set (trusted through LOCAL_MDS_ROOT), then
   * refreshed once at start; off otherwise, with names from the curated list only.
   */
  metadata: { enabled: boolean; atStart?: MetadataRefreshResult | undefined };
  /** Runs the metadata-refresh function once, as the daily schedule does in AWS. */
  refreshMetadata(): Promise<MetadataRefreshResult>;
  stop(): Promise<void>;
}

/**
 * The whole backend on one machine: DynamoDB Local, the table from the shared schema, and the
 * same Lambda handlers behind a local API Gateway. One stage per process: the handlers read
 * their configuration from the environment at import, as they do in Lambda.
 */
export const startLocalStage = async (options: LocalStageOptions = {}): Promise<LocalStage> => {
  const dataDirectory = resolve(options.dataDirectory ?? join(projectRoot, '.local'));
  mkdirSync(dataDirectory, { recursive: true });
  const tableName = options.tableName ?? 'latchkey-local';
  const eventsFile = resolve(options.eventsFile ?? join(dataDirectory, 'events.jsonl'));
  const adminToken = options.adminToken ?? randomBytes(24).toString('base64url');

  let dynamodb: DynamoDbLocal | undefined;
  let relay: LocalRelay | undefined;
  const endpoint =
    options.dynamodbEndpoint ??
    (dynamodb = await startDynamoDbLocal(options.inMemory ? {} : { dbPath: join(dataDirectory, 'dynamodb') })).endpoint;

  try {
    const client = new DynamoDBClient({ endpoint, region: 'localhost', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const { streamArn } = await ensureTable(client, tableName);
    client.destroy();
    // The same relay handler AWS runs on the table's stream, fed by a local poller.
    relay = await startLocalRelay({ dynamodbEndpoint: endpoint, streamArn, eventsFile });

    let allowedOrigins: string[] = [];
    const handlers = {} as Record<FunctionName, LambdaHandler>;
    // The example resource server needs the stage URL (its token issuer), known once listening.
    const applications: LocalApplication[] = [serveSdkBundle()];
    const server = createLocalServer({
      // Filled once the environment is set (below); the server reads it per request.
      handlers,
      allowedOrigins: () => allowedOrigins,
      adminToken,
      demoDirectory: join(projectRoot, 'local', 'demo'),
      applications,
    });
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? Number(process.env.PORT ?? 3000), resolveListen);
    });
    const port = (server.address() as AddressInfo).port;
    const url = `http://localhost:${port}`;
    allowedOrigins = [url, ...(options.extraOrigins ?? [])];
    applications.push(createExampleApi({ issuer: url, audience: 'latchkey' }));

    Object.assign(process.env, {
      [names.stage]: 'local',
      [names.tableName]: tableName,
      [names.dynamodbEndpoint]: endpoint,
      [names.rpId]: 'localhost',
      [names.rpName]: 'Latchkey (local)',
      [names.allowedOrigins]: allowedOrigins.join(','),
      [names.tokenIssuer]: url,
      [names.tokenAudience]: 'latchkey',
      [names.keySource]: 'local',
      [names.localKeyDirectory]: join(dataDirectory, 'keys'),
      [names.policyDefaults]: JSON.stringify({ ...localPolicyOverrides, ...options.policyOverrides }),
      [names.policyCacheSeconds]: '0',
      [names.localEventsFile]: eventsFile,
      // Offline, a CRL the BLOB's chain names usually cannot be fetched: warn, never refuse (docs/metadata.md).
      [names.mdsCrlPolicy]: 'warn',
      [names.mdsCacheSeconds]: '0',
      POWERTOOLS_SERVICE_NAME: 'latchkey',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? process.env.LOG_LEVEL ?? 'WARN',
      AWS_REGION: 'localhost',
      ...options.environment,
    });
    // Imported only now, with the environment set, exactly as a Lambda cold start reads it.
    for (const name of functionNames) {
      const module = (await import(`../functions/${name}/handler.ts`)) as { handler: LambdaHandler };
      handlers[name] = module.handler;
    }
    const refreshModule = await import('../functions/metadata-refresh/handler.ts');
    const refreshMetadata = async (): Promise<MetadataRefreshResult> => {
      try {
        return await refreshModule.handler({}, lambdaContext('latchkey-local-metadata-refresh'));
      } catch (error) {
        if (error instanceof refreshModule.MetadataRefreshFailedError) return error.result;
        throw error;
      }
    };
    const metadataEnabled = (process.env[names.localMdsBlob] ?? '').trim() !== '';
    const metadataAtStart = metadataEnabled ? await refreshMetadata() : undefined;

    return {
      url,
      port,
      adminToken,
      tableName,
      dynamodbEndpoint: endpoint,
      eventsFile,
      eventsDrained: () => relay?.drained() ?? Promise.resolve(),
      metadata: { enabled: metadataEnabled, atStart: metadataAtStart },
      refreshMetadata,
      async stop() {
        await new Promise<void>((resolveClose) => {
          server.close(() => resolveClose());
          server.closeAllConnections();
        });
        await relay?.stop();
        await dynamodb?.stop();
      },
    };
  } catch (error) {
    await relay?.stop();
    await dynamodb?.stop();
    throw error;
  }
};
