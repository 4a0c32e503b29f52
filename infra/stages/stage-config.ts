import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { PolicyOverrides } from '../../shared/domain/policy.ts';

/**
 * Everything that differs between two Latchkey deployments. One file per stage
 * (dev.ts, staging.ts, prod.ts) fills this in; validateStageConfig checks it at synth.
 */
export interface StageConfig {
  /** Lower-case stage name; part of every physical name (`latchkey-<name>`). */
  readonly name: string;
  /**
   * The production guard rails: https-only origins, WAF on, an alarm e-mail, and stateful
   * resources retained with deletion and termination protection.
   */
  readonly production: boolean;
  /** Account and region to deploy to; both undefined make the stacks environment-agnostic. */
  readonly environment: { readonly account: string | undefined; readonly region: string | undefined };
  /** WebAuthn relying party: its ID must be a registrable suffix of every allowed origin's host. */
  readonly relyingParty: { readonly id: string; readonly name: string };
  /** Exact origins (`https://host[:port]`) allowed to run ceremonies and call the API from a browser. */
  readonly allowedOrigins: readonly string[];
  /** `aud` of the access tokens this stage issues. */
  readonly tokenAudience: string;
  /** The stage's defaults over `basePolicy` (token lifetime lives here: accessTokenLifetimeSeconds). */
  readonly policy: PolicyOverrides;
  /** Retention of function and API access logs. */
  readonly logRetention: RetentionDays;
  /** Retention of the audit log group that security teams query. */
  readonly auditLogRetention: RetentionDays;
  readonly logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  readonly alarms: {
    /** Subscribed to the alarm topic when given (required in production). */
    readonly email?: string;
    /** Sign-In Failed events in five minutes that page someone. */
    readonly failedSignInsPerFiveMinutes: number;
    /** Percentage of API requests answered 5xx over five minutes. */
    readonly serverErrorRatePercent: number;
    /** p99 duration of the verify functions (attestation, assertion). */
    readonly verifyLatencyP99Milliseconds: number;
  };
  readonly firewall: {
    readonly enabled: boolean;
    /** Requests one source IP may make in any five-minute window before AWS WAF blocks it. */
    readonly requestsPerFiveMinutesPerIp: number;
  };
  /** API Gateway stage throttling: steady requests per second and burst. */
  readonly apiThrottling: { readonly rateLimit: number; readonly burstLimit: number };
  /** Days the event bus archive keeps audit events for replay. */
  readonly eventArchiveRetentionDays: number;
  /**
   * KMS token-signing key generations, oldest first. The last one signs; the others only
   * verify (published in the JWKS) until they are removed. See docs/deploy.md, key rotation.
   */
  readonly signingKeyGenerations: readonly string[];
  /** CloudWatch Contributor Insights on the table, to find hot keys. */
  readonly tableContributorInsights: boolean;
}
