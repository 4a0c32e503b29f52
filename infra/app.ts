import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createLatchkeyStacks } from './create-latchkey-stacks.ts';
import { loadStage } from './stages/load-stage.ts';
import { StageConfigError } from './stages/validate-stage-config.ts';

/**
 * CDK entry point: `npx cdk synth -c stage=<dev|staging|prod>`. Builds the stage's two
 * stacks; cdk-nag's AWS Solutions checks run at synth, so an unacknowledged finding fails it.
 */
const app = new App();
try {
  const stage = loadStage(app.node.tryGetContext('stage'));
  createLatchkeyStacks(app, stage);
} catch (error) {
  if (!(error instanceof StageConfigError)) throw error;
  // A sentence for the operator, not a stack trace.
  console.error(error.message);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
