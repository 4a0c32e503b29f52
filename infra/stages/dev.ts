import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StageConfig } from './stage-config.ts';
import { deploymentEnvironment } from './deployment-environment.ts';

/** A developer sandbox: cheap, short-lived data, self sign-up on for trying ceremonies. */
export const devStage: StageConfig = {
  name: 'dev',
  production: false,
  environment: deploymentEnvironment('dev'),
  relyingParty: { id: 'dev.latchkey.example.com', name: 'Latchkey (dev)' },
  allowedOrigins: ['https://dev.latchkey.example.com'],
  tokenAudience: 'latchkey',
  policy: { allowSelfSignUp: true, attestation: 'direct', accessTokenLifetimeSeconds: 3600 },
  logRetention: RetentionDays.ONE_WEEK,
  auditLogRetention: RetentionDays.ONE_MONTH,
  logLevel: 'DEBUG',
  alarms: { failedSignInsPerFiveMinutes: 50, serverErrorRatePercent: 5, verifyLatencyP99Milliseconds: 3000 },
  firewall: { enabled: false, requestsPerFiveMinutesPerIp: 500 },
  apiThrottling: { rateLimit: 50, burstLimit: 100 },
  eventArchiveRetentionDays: 7,
  signingKeyGenerations: ['v1'],
  tableContributorInsights: false,
};
