import { Tags, type App } from 'aws-cdk-lib';
import { StatefulStack } from './stacks/stateful-stack.ts';
import { StatelessStack } from './stacks/stateless-stack.ts';
import type { ValidatedStage } from './stages/validate-stage-config.ts';
import type { TableIndexName } from './table-indexes.ts';

export interface LatchkeyStacksOptions {
  /** The table's indexes; default every index of the schema (see selectTableIndexes). */
  readonly tableIndexes?: readonly TableIndexName[];
}

/** The two stacks of one stage: data that outlives deploys, and code that does not hold any. */
export const createLatchkeyStacks = (
  app: App,
  stage: ValidatedStage,
  options: LatchkeyStacksOptions = {},
): { stateful: StatefulStack; stateless: StatelessStack } => {
  const common = {
    stage,
    env: stage.environment,
    // A production stack cannot be deleted until someone turns this off on purpose.
    terminationProtection: stage.production,
  };
  const stateful = new StatefulStack(app, `Latchkey-${stage.name}-Stateful`, {
    ...common,
    ...(options.tableIndexes ? { tableIndexes: options.tableIndexes } : {}),
    description: `Latchkey ${stage.name}: table, audit bus and archive, KMS keys, dead-letter queue, alarm topic`,
  });
  const stateless = new StatelessStack(app, `Latchkey-${stage.name}-Stateless`, {
    ...common,
    stateful,
    description: `Latchkey ${stage.name}: functions, REST API, WAF, audit relay, metadata refresh schedule, alarms and dashboard`,
  });
  for (const stack of [stateful, stateless]) {
    Tags.of(stack).add('project', 'latchkey');
    Tags.of(stack).add('stage', stage.name);
  }
  return { stateful, stateless };
};
