import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { deploymentEnvironment } from '../../infra/stages/deployment-environment.ts';
import { loadStage, stageNames, stages } from '../../infra/stages/load-stage.ts';
import { prodStage } from '../../infra/stages/prod.ts';
import { devStage } from '../../infra/stages/dev.ts';
import type { StageConfig } from '../../infra/stages/stage-config.ts';
import { StageConfigError, validateStageConfig } from '../../infra/stages/validate-stage-config.ts';
import { basePolicy } from '../../shared/domain/policy.ts';
import { createTestRootPem } from './test-root-certificate.ts';

/** The problems validateStageConfig reports for a config, or [] when it passes. */
const problemsOf = (config: StageConfig): readonly string[] => {
  try {
    validateStageConfig(config);
    return [];
  } catch (error) {
    if (error instanceof StageConfigError) return error.problems;
    throw error;
  }
};

describe('stage configs in the repository', () => {
  it.each(stageNames)('validates stage "%s"', (name) => {
    // Act
    const stage = loadStage(name);

    // Assess
    expect(stage.name).toBe(name);
    expect(stage.resolvedPolicy).toEqual({ ...basePolicy, ...stages[name]?.policy });
  });

  it('has dev, staging and prod', () => {
    expect(stageNames).toEqual(['dev', 'staging', 'prod']);
  });

  it('holds prod to the production rules', () => {
    expect(prodStage.production).toBe(true);
    expect(prodStage.firewall.enabled).toBe(true);
    expect(prodStage.alarms.email).toBeDefined();
  });
});

describe('loadStage', () => {
  it('rejects an unknown stage name, listing the known ones', () => {
    expect(() => loadStage('qa')).toThrowError(StageConfigError);
    expect(() => loadStage('qa')).toThrowError('unknown stage "qa": expected one of dev, staging, prod');
  });

  it('asks for a stage when none is given', () => {
    expect(() => loadStage(undefined)).toThrowError('no stage given: run with -c stage=<name>, one of dev, staging, prod');
  });

  it('rejects a registry entry whose config carries another name', () => {
    expect(() => loadStage('dev', { dev: { ...devStage, name: 'develop' } })).toThrowError(
      'the config registered as "dev" is named "develop"',
    );
  });
});

describe('validateStageConfig', () => {
  it('rejects an http:// origin in production', () => {
    // Prepare
    const config: StageConfig = { ...prodStage, allowedOrigins: ['http://app.latchkey.example.com'] };

    // Act
    const problems = problemsOf(config);

    // Assess
    expect(problems).toContain('allowed origin "http://app.latchkey.example.com" must use https in a production stage');
  });

  it('allows http only for localhost, and only outside production', () => {
    const local: StageConfig = { ...devStage, relyingParty: { id: 'localhost', name: 'Local' }, allowedOrigins: ['http://localhost:3000'] };
    expect(problemsOf(local)).toEqual([]);
    expect(problemsOf({ ...devStage, allowedOrigins: ['http://dev.latchkey.example.com'] })).toEqual([
      'allowed origin "http://dev.latchkey.example.com" must use https (http is only allowed for localhost outside production)',
    ]);
    expect(problemsOf({ ...prodStage, relyingParty: { id: 'localhost', name: 'x' }, allowedOrigins: ['http://localhost:3000'] })).toEqual(
      expect.arrayContaining(['relyingParty.id "localhost" is not allowed in a production stage']),
    );
  });

  it('rejects an origin whose host is not under the RP ID', () => {
    const problems = problemsOf({ ...devStage, allowedOrigins: ['https://dev.latchkey.example.com', 'https://evil-latchkey.example.com'] });
    expect(problems).toEqual([
      'allowed origin "https://evil-latchkey.example.com" is not on the relying party\'s domain: its host "evil-latchkey.example.com" is neither "dev.latchkey.example.com" nor a subdomain of it',
    ]);
  });

  it('accepts subdomains of the RP ID and rejects a mere string suffix', () => {
    const config: StageConfig = { ...prodStage, allowedOrigins: ['https://a.b.latchkey.example.com', 'https://notlatchkey.example.com'] };
    expect(problemsOf(config)).toEqual([
      expect.stringContaining('"https://notlatchkey.example.com" is not on the relying party\'s domain'),
    ]);
  });

  it('rejects origins that are not exact origins', () => {
    const problems = problemsOf({ ...devStage, allowedOrigins: ['https://dev.latchkey.example.com/', 'https://dev.latchkey.example.com/app', 'dev.latchkey.example.com'] });
    expect(problems).toEqual([
      'allowed origin "https://dev.latchkey.example.com/" must be an exact origin such as "https://dev.latchkey.example.com"',
      'allowed origin "https://dev.latchkey.example.com/app" must be an exact origin such as "https://dev.latchkey.example.com"',
      'allowed origin "dev.latchkey.example.com" is not a URL',
    ]);
  });

  it('rejects an RP ID that is not a bare domain', () => {
    expect(problemsOf({ ...devStage, relyingParty: { id: 'https://dev.latchkey.example.com', name: 'x' } })).toContain(
      'relyingParty.id "https://dev.latchkey.example.com" must be a lower-case domain name such as example.com (no scheme, port or IP)',
    );
    expect(problemsOf({ ...devStage, relyingParty: { id: '10.0.0.1', name: 'x' } })).toContain(
      'relyingParty.id "10.0.0.1" must be a lower-case domain name such as example.com (no scheme, port or IP)',
    );
  });

  it('rejects invalid policy overrides, naming the field', () => {
    const problems = problemsOf({ ...devStage, policy: { maxCredentialsPerUser: 0, attestation: 'maybe' as never } });
    expect(problems).toEqual([
      expect.stringMatching(/^policy\.attestation: /),
      expect.stringMatching(/^policy\.maxCredentialsPerUser: .*>=1/),
    ]);
  });

  it('rejects a policy override the schema does not know', () => {
    const problems = problemsOf({ ...devStage, policy: { tokenLifetime: 60 } as never });
    expect(problems).toEqual([expect.stringContaining('tokenLifetime')]);
  });

  it('lists every production rule a config breaks at once', () => {
    // Prepare
    const config: StageConfig = {
      ...prodStage,
      alarms: { ...prodStage.alarms, email: undefined },
      firewall: { enabled: false, requestsPerFiveMinutesPerIp: 5 },
      logRetention: RetentionDays.INFINITE,
    };

    // Act
    const problems = problemsOf(config);

    // Assess
    expect(problems).toEqual([
      'logRetention must be finite (logs are kept forever otherwise, and paid for)',
      'alarms.email is required in a production stage, or alarms reach no one',
      'firewall.enabled must be true in a production stage',
      'firewall.requestsPerFiveMinutesPerIp must be an integer of at least 10, got 5',
    ]);
  });

  it('rejects bad names, accounts, regions, throttles and key generations', () => {
    const problems = problemsOf({
      ...devStage,
      name: 'Dev_1',
      environment: { account: '1234', region: 'mars' },
      apiThrottling: { rateLimit: 0, burstLimit: 1.5 },
      eventArchiveRetentionDays: 0,
      signingKeyGenerations: ['v1', 'v1', 'V 2'],
    });
    expect(problems).toEqual([
      'name "Dev_1" must be 2-16 lower-case letters or digits, starting with a letter',
      'environment.account "1234" must be a 12-digit AWS account id',
      'environment.region "mars" is not an AWS region name such as eu-west-1',
      'apiThrottling.rateLimit must be positive, got 0',
      'apiThrottling.burstLimit must be a positive integer, got 1.5',
      'eventArchiveRetentionDays must be a positive integer, got 0',
      'signingKeyGenerations lists a generation twice',
      'signingKeyGenerations entry "V 2" must be 1-20 lower-case letters, digits or hyphens',
    ]);
  });

  describe('fidoMetadataRootCertificate', () => {
    it('accepts a root CA certificate in PEM', async () => {
      expect(problemsOf({ ...prodStage, fidoMetadataRootCertificate: await createTestRootPem() })).toEqual([]);
    });

    it('rejects text that holds no PEM certificate', () => {
      expect(problemsOf({ ...prodStage, fidoMetadataRootCertificate: 'GlobalSign Root CA - R3' })).toEqual([
        'fidoMetadataRootCertificate holds no PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)',
      ]);
    });

    it('rejects a PEM block that does not parse', () => {
      const broken = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----';
      expect(problemsOf({ ...devStage, fidoMetadataRootCertificate: broken })).toEqual([
        'fidoMetadataRootCertificate certificate 1 does not parse as an X.509 certificate',
      ]);
    });

    it('rejects a certificate that is not a CA, and an expired one', async () => {
      // Prepare
      const leaf = await createTestRootPem({ ca: false });
      const expired = await createTestRootPem({ notAfter: new Date(Date.now() - 3600_000) });

      // Act
      const problems = problemsOf({ ...devStage, fidoMetadataRootCertificate: `${leaf}\n${expired}` });

      // Assess
      expect(problems).toEqual([
        expect.stringMatching(/^fidoMetadataRootCertificate certificate 1 \(.*Latchkey Test Root CA - R3.*\) is not a CA certificate/),
        expect.stringMatching(/^fidoMetadataRootCertificate certificate 2 expired on /),
      ]);
    });
  });

  it('formats every problem into the error message', () => {
    expect(() => validateStageConfig({ ...prodStage, allowedOrigins: ['http://latchkey.example.com'] })).toThrowError(
      'Stage "prod" is invalid:\n  - allowed origin "http://latchkey.example.com" must use https in a production stage',
    );
  });
});

describe('deploymentEnvironment', () => {
  it('prefers the stage pin over the CLI defaults', () => {
    const env = { LATCHKEY_PROD_ACCOUNT: '111111111111', CDK_DEFAULT_ACCOUNT: '222222222222', CDK_DEFAULT_REGION: 'eu-west-1' };
    expect(deploymentEnvironment('prod', env)).toEqual({ account: '111111111111', region: 'eu-west-1' });
  });

  it('is environment-agnostic without credentials', () => {
    expect(deploymentEnvironment('dev', {})).toEqual({ account: undefined, region: undefined });
  });
});

describe('the CDK app entry point', () => {
  const runApp = (context: Record<string, unknown>) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'infra/app.ts'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: mkdtempSync(join(tmpdir(), 'latchkey-cdk-')) },
      encoding: 'utf8',
    });

  it('fails with a sentence, not a stack trace, for an unknown stage', { timeout: 180_000 }, () => {
    const result = runApp({ stage: 'qa' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Stage "qa" is invalid:\n  - unknown stage "qa": expected one of dev, staging, prod');
    expect(result.stderr).not.toContain('    at ');
  });

  it('fails when no stage is given', { timeout: 180_000 }, () => {
    const result = runApp({});
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no stage given: run with -c stage=<name>');
  });

  it('fails with a sentence for a table index the schema does not have', { timeout: 180_000 }, () => {
    const result = runApp({ stage: 'dev', tableIndexes: 'byUsername,byEmail' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('-c tableIndexes names "byEmail", which is not an index of the table schema');
    expect(result.stderr).not.toContain('    at ');
  });
});
