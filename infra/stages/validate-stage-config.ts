import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { $ZodError } from 'zod/v4/core';
import { resolvePolicyDefaults, type Policy } from '../../shared/domain/policy.ts';
import type { StageConfig } from './stage-config.ts';

/** A stage config that passed every check, with its policy resolved over the base policy. */
export interface ValidatedStage extends StageConfig {
  readonly resolvedPolicy: Policy;
}

/** Thrown at synth when a stage config is unusable; the message lists every problem found. */
export class StageConfigError extends Error {
  override readonly name = 'StageConfigError';
  constructor(
    readonly stageName: string,
    readonly problems: readonly string[],
  ) {
    super(`Stage "${stageName}" is invalid:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
  }
}

const stageNamePattern = /^[a-z][a-z0-9]{1,15}$/;
const hostnamePattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const accountPattern = /^\d{12}$/;
const regionPattern = /^[a-z]{2}(-[a-z]+)+-\d$/;
const keyGenerationPattern = /^[a-z0-9][a-z0-9-]{0,19}$/;

/**
 * Checks a stage config before any construct is built, so a bad value fails `cdk synth` with
 * a sentence instead of a CloudFormation rollback. Collects every problem, not just the first.
 */
export const validateStageConfig = (config: StageConfig): ValidatedStage => {
  const problems: string[] = [];
  const problem = (message: string) => problems.push(message);

  // Ensure the name can be part of physical names (`latchkey-<name>`, alarm and alias names).
  if (!stageNamePattern.test(config.name)) {
    problem(`name "${config.name}" must be 2-16 lower-case letters or digits, starting with a letter`);
  }

  const { account, region } = config.environment;
  if (account !== undefined && !accountPattern.test(account)) {
    problem(`environment.account "${account}" must be a 12-digit AWS account id`);
  }
  if (region !== undefined && !regionPattern.test(region)) {
    problem(`environment.region "${region}" is not an AWS region name such as eu-west-1`);
  }

  const rpId = config.relyingParty.id;
  // Ensure the RP ID is a bare domain (WebAuthn §5.1.2): no scheme, port, path or IP address.
  const rpIdIsDomain = hostnamePattern.test(rpId) && isIP(rpId) === 0 && (rpId.includes('.') || rpId === 'localhost');
  if (!rpIdIsDomain) {
    problem(`relyingParty.id "${rpId}" must be a lower-case domain name such as example.com (no scheme, port or IP)`);
  }
  if (config.production && rpId === 'localhost') {
    problem('relyingParty.id "localhost" is not allowed in a production stage');
  }
  if (config.relyingParty.name.trim() === '') {
    problem('relyingParty.name must not be empty');
  }

  if (config.allowedOrigins.length === 0) {
    problem('allowedOrigins must list at least one origin');
  }
  if (new Set(config.allowedOrigins).size !== config.allowedOrigins.length) {
    problem('allowedOrigins lists an origin twice');
  }
  for (const origin of config.allowedOrigins) {
    const originProblem = checkOrigin(origin, rpId, config.production);
    if (originProblem) problem(originProblem);
  }

  if (config.tokenAudience.trim() === '') {
    problem('tokenAudience must not be empty');
  }

  for (const [field, retention] of [
    ['logRetention', config.logRetention],
    ['auditLogRetention', config.auditLogRetention],
  ] as const) {
    if (retention === RetentionDays.INFINITE) {
      problem(`${field} must be finite (logs are kept forever otherwise, and paid for)`);
    }
  }

  const { alarms, firewall, apiThrottling } = config;
  if (alarms.email !== undefined && !emailPattern.test(alarms.email)) {
    problem(`alarms.email "${alarms.email}" is not an e-mail address`);
  }
  if (config.production && alarms.email === undefined) {
    problem('alarms.email is required in a production stage, or alarms reach no one');
  }
  if (!isPositiveInteger(alarms.failedSignInsPerFiveMinutes)) {
    problem(`alarms.failedSignInsPerFiveMinutes must be a positive integer, got ${alarms.failedSignInsPerFiveMinutes}`);
  }
  if (!(alarms.serverErrorRatePercent > 0 && alarms.serverErrorRatePercent <= 100)) {
    problem(`alarms.serverErrorRatePercent must be in (0, 100], got ${alarms.serverErrorRatePercent}`);
  }
  if (!isPositiveInteger(alarms.verifyLatencyP99Milliseconds)) {
    problem(`alarms.verifyLatencyP99Milliseconds must be a positive integer, got ${alarms.verifyLatencyP99Milliseconds}`);
  }

  if (config.production && !firewall.enabled) {
    problem('firewall.enabled must be true in a production stage');
  }
  // AWS WAF rate-based rules accept limits from 10 to 2,000,000,000.
  if (!(Number.isInteger(firewall.requestsPerFiveMinutesPerIp) && firewall.requestsPerFiveMinutesPerIp >= 10)) {
    problem(`firewall.requestsPerFiveMinutesPerIp must be an integer of at least 10, got ${firewall.requestsPerFiveMinutesPerIp}`);
  }

  if (!(apiThrottling.rateLimit > 0)) {
    problem(`apiThrottling.rateLimit must be positive, got ${apiThrottling.rateLimit}`);
  }
  if (!isPositiveInteger(apiThrottling.burstLimit)) {
    problem(`apiThrottling.burstLimit must be a positive integer, got ${apiThrottling.burstLimit}`);
  }

  if (!isPositiveInteger(config.eventArchiveRetentionDays)) {
    problem(`eventArchiveRetentionDays must be a positive integer, got ${config.eventArchiveRetentionDays}`);
  }

  const generations = config.signingKeyGenerations;
  if (generations.length === 0) {
    problem('signingKeyGenerations must name at least one key generation (the last one signs)');
  }
  if (new Set(generations).size !== generations.length) {
    problem('signingKeyGenerations lists a generation twice');
  }
  for (const generation of generations) {
    if (!keyGenerationPattern.test(generation)) {
      problem(`signingKeyGenerations entry "${generation}" must be 1-20 lower-case letters, digits or hyphens`);
    }
  }

  if (config.fidoMetadataRootCertificate !== undefined) {
    for (const rootProblem of checkRootCertificates(config.fidoMetadataRootCertificate)) problem(rootProblem);
  }

  let resolvedPolicy: Policy | undefined;
  try {
    resolvedPolicy = resolvePolicyDefaults(config.policy);
  } catch (error) {
    if (!(error instanceof $ZodError)) throw error;
    for (const issue of error.issues) {
      problem(`policy.${issue.path.join('.') || '(root)'}: ${issue.message}`);
    }
  }

  if (problems.length > 0 || resolvedPolicy === undefined) {
    throw new StageConfigError(config.name, problems);
  }
  return { ...config, resolvedPolicy };
};

/** Returns why an origin is unusable for this relying party, or undefined when it is fine. */
const checkOrigin = (origin: string, rpId: string, production: boolean): string | undefined => {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `allowed origin "${origin}" is not a URL`;
  }
  // Ensure the value is an origin exactly as browsers send it: no path, query or trailing slash.
  if (url.origin !== origin) {
    return `allowed origin "${origin}" must be an exact origin such as "${url.origin}"`;
  }
  if (production && url.protocol !== 'https:') {
    return `allowed origin "${origin}" must use https in a production stage`;
  }
  // WebAuthn needs a secure context: https, or http only on localhost.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && url.hostname === 'localhost')) {
    return `allowed origin "${origin}" must use https (http is only allowed for localhost outside production)`;
  }
  // WebAuthn §5.1.3: the RP ID must equal the origin's host or be a registrable suffix of it.
  if (url.hostname !== rpId && !url.hostname.endsWith(`.${rpId}`)) {
    return `allowed origin "${origin}" is not on the relying party's domain: its host "${url.hostname}" is neither "${rpId}" nor a subdomain of it`;
  }
  return undefined;
};

/**
 * Returns why the FIDO MDS root PEM is unusable: the refresh function parses it at cold start
 * and would fail every run, so a bad one should fail the synth instead.
 */
const checkRootCertificates = (pem: string): string[] => {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) {
    return ['fidoMetadataRootCertificate holds no PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)'];
  }
  const problems: string[] = [];
  for (const [index, block] of blocks.entries()) {
    const which = `fidoMetadataRootCertificate certificate ${index + 1}`;
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block);
    } catch {
      problems.push(`${which} does not parse as an X.509 certificate`);
      continue;
    }
    // Ensure it is a root the BLOB's chain can end in: a CA, still valid.
    if (!certificate.ca) {
      problems.push(`${which} (${certificate.subject.replaceAll('\n', ', ')}) is not a CA certificate: give the root the MDS BLOB chains to (GlobalSign Root CA - R3)`);
    }
    if (Date.parse(certificate.validTo) < Date.now()) {
      problems.push(`${which} expired on ${certificate.validTo}`);
    }
  }
  return problems;
};

const isPositiveInteger = (value: number): boolean => Number.isInteger(value) && value > 0;
