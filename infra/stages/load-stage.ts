import { devStage } from './dev.ts';
import { prodStage } from './prod.ts';
import { stagingStage } from './staging.ts';
import type { StageConfig } from './stage-config.ts';
import { StageConfigError, validateStageConfig, type ValidatedStage } from './validate-stage-config.ts';

/** Every stage this repository deploys, by the name given with `-c stage=<name>`. */
export const stages: Readonly<Record<string, StageConfig>> = {
  dev: devStage,
  staging: stagingStage,
  prod: prodStage,
};

export const stageNames = Object.keys(stages);

/** Looks a stage up by name and validates it; throws StageConfigError naming what is wrong. */
export const loadStage = (name: unknown, registry: Readonly<Record<string, StageConfig>> = stages): ValidatedStage => {
  const known = Object.keys(registry).join(', ');
  if (name === undefined || name === null || name === '') {
    throw new StageConfigError('(none)', [`no stage given: run with -c stage=<name>, one of ${known}`]);
  }
  if (typeof name !== 'string' || !Object.hasOwn(registry, name)) {
    throw new StageConfigError(String(name), [`unknown stage "${String(name)}": expected one of ${known}`]);
  }
  const config = registry[name] as StageConfig;
  // Ensure the registry key and the config agree, since physical names use config.name.
  if (config.name !== name) {
    throw new StageConfigError(name, [`the config registered as "${name}" is named "${config.name}"`]);
  }
  return validateStageConfig(config);
};
