import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StageConfig } from './stage-config.ts';
import { deploymentEnvironment } from './deployment-environment.ts';

/**
 * Production. The relying party, origins and alarm address are placeholders an operator
 * replaces before the first deploy; validateStageConfig holds this file to the production rules.
 */
export const prodStage: StageConfig = {
  name: 'prod',
  production: true,
  environment: deploymentEnvironment('prod'),
  relyingParty: { id: 'latchkey.example.com', name: 'Latchkey' },
  allowedOrigins: ['https://latchkey.example.com', 'https://app.latchkey.example.com'],
  tokenAudience: 'latchkey',
  policy: { accessTokenLifetimeSeconds: 900 },
  logRetention: RetentionDays.THREE_MONTHS,
  auditLogRetention: RetentionDays.ONE_YEAR,
  logLevel: 'INFO',
  alarms: {
    email: 'latchkey-oncall@example.com',
    failedSignInsPerFiveMinutes: 200,
    serverErrorRatePercent: 1,
    verifyLatencyP99Milliseconds: 1500,
  },
  // A busy office behind one NAT address signs in through a single IP: 2,000 requests are
  // about 1,000 sign-ins (options + verify) in five minutes before WAF steps in.
  firewall: { enabled: true, requestsPerFiveMinutesPerIp: 2000 },
  apiThrottling: { rateLimit: 1000, burstLimit: 2000 },
  eventArchiveRetentionDays: 365,
  signingKeyGenerations: ['v1'],
  tableContributorInsights: true,
};
