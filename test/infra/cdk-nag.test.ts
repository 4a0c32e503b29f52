import { Validations, type Acknowledgment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stageNames } from '../../infra/stages/load-stage.ts';
import { synthesizeStage, synthesisTimeout } from './synthesize-stage.ts';

describe('cdk-nag AWS Solutions checks', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(stageNames)('finds nothing unacknowledged in stage %s', { timeout: synthesisTimeout }, (name) => {
    // Prepare
    const { app } = synthesizeStage(name);

    // Act
    const report = new AwsSolutionsChecks(app).validateScope(app);

    // Assess
    const findings = report.violations.map((violation) => ({
      rule: violation.ruleName,
      resources: violation.violatingResources.map((resource) => resource.constructPath),
    }));
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  it.each(stageNames)(
    'acknowledges only real findings in stage %s, each with a specific reason',
    { timeout: synthesisTimeout },
    (name) => {
      // Prepare: record acknowledgements instead of applying them, so every finding shows.
      const acknowledged: { path: string; id: string; reason: string }[] = [];
      vi.spyOn(Validations, 'of').mockImplementation((scope: IConstruct) => {
        return {
          acknowledge: (...rules: Acknowledgment[]) => {
            for (const rule of rules) acknowledged.push({ path: scope.node.path, id: rule.id, reason: rule.reason });
          },
          addPlugins: () => undefined,
        } as unknown as Validations;
      });
      const { app } = synthesizeStage(name);
      vi.restoreAllMocks();

      // Act
      const report = new AwsSolutionsChecks(app).validateScope(app);

      // Assess
      expect(acknowledged.length).toBeGreaterThan(0);
      for (const acknowledgement of acknowledged) {
        const suppressesSomething = report.violations.some(
          (violation) =>
            violation.ruleName === acknowledgement.id &&
            violation.violatingResources.some((resource) => resource.constructPath?.startsWith(`${acknowledgement.path}/`)),
        );
        expect(suppressesSomething, `${acknowledgement.id} on ${acknowledgement.path} suppresses no finding`).toBe(true);
        expect(acknowledgement.reason.length, `reason for ${acknowledgement.id} on ${acknowledgement.path}`).toBeGreaterThan(60);
      }
    },
  );
});
