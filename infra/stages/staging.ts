import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StageConfig } from './stage-config.ts';
import { deploymentEnvironment } from './deployment-environment.ts';

/**
 * Production's rehearsal: the same policy and the same WAF rules, so a managed rule that
 * blocks real WebAuthn payloads shows up here first. Data is disposable.
 */
export const stagingStage: StageConfig = {
  name: 'staging',
  production: false,
  environment: deploymentEnvironment('staging'),
  relyingParty: { id: 'staging.latchkey.example.com', name: 'Latchkey (staging)' },
  allowedOrigins: ['https://staging.latchkey.example.com', 'https://app.staging.latchkey.example.com'],
  tokenAudience: 'latchkey',
  policy: {},
  logRetention: RetentionDays.ONE_MONTH,
  auditLogRetention: RetentionDays.THREE_MONTHS,
  logLevel: 'INFO',
  alarms: { failedSignInsPerFiveMinutes: 100, serverErrorRatePercent: 2, verifyLatencyP99Milliseconds: 2000 },
  firewall: { enabled: true, requestsPerFiveMinutesPerIp: 1000 },
  apiThrottling: { rateLimit: 100, burstLimit: 200 },
  eventArchiveRetentionDays: 30,
  signingKeyGenerations: ['v1'],
  tableContributorInsights: false,
};
