import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { createLatchkeyStacks } from './create-latchkey-stacks.ts';
import { loadStage } from './stages/load-stage.ts';
import { StageConfigError } from './stages/validate-stage-config.ts';
import { selectTableIndexes, TableIndexSelectionError } from './table-indexes.ts';

/**
 * CDK entry point: `npx cdk synth -c stage=<dev|staging|prod>`. Builds the stage's two
 * stacks; cdk-nag's AWS Solutions checks run at synth, so an unacknowledged finding fails it.
 * `-c tableIndexes=<name,…>` builds the table with only those indexes, to add new indexes to
 * a deployed table one deployment at a time (docs/deploy.md, "Table indexes").
 */
const app = new App();
try {
  const stage = loadStage(app.node.tryGetContext('stage'));
  createLatchkeyStacks(app, stage, { tableIndexes: selectTableIndexes(app.node.tryGetContext('tableIndexes')) });
} catch (error) {
  if (!(error instanceof StageConfigError || error instanceof TableIndexSelectionError)) throw error;
  // A sentence for the operator, not a stack trace.
  console.error(error.message);
  process.exit(1);
}
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
