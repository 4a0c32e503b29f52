import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { z } from 'zod';
import { createLatchkeyStacks } from '../../infra/create-latchkey-stacks.ts';
import type { StatefulStack } from '../../infra/stacks/stateful-stack.ts';
import type { StatelessStack } from '../../infra/stacks/stateless-stack.ts';
import { loadStage } from '../../infra/stages/load-stage.ts';
import type { StageConfig } from '../../infra/stages/stage-config.ts';
import { validateStageConfig, type ValidatedStage } from '../../infra/stages/validate-stage-config.ts';
import type { TableIndexName } from '../../infra/table-indexes.ts';

/** Synthesis can take a while on a small, busy machine (aws-cdk-lib loads lazily, esbuild runs). */
export const synthesisTimeout = 300_000;

/** The feature flags and context the CLI reads from cdk.json, so tests synthesize the same app. */
const cdkJson = z
  .object({ context: z.record(z.string(), z.unknown()) })
  .parse(JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')));

export interface SynthesizedStage {
  readonly app: App;
  readonly stage: ValidatedStage;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
}

export interface SynthesizeOptions {
  /** Run esbuild for the functions (slow); off by default, so templates reference source hashes. */
  readonly bundle?: boolean;
  /** Replace parts of the registered stage config (validated like the real one). */
  readonly override?: Partial<StageConfig>;
  /** Build the table with only these indexes, as `-c tableIndexes=…` does. */
  readonly tableIndexes?: readonly TableIndexName[];
}

/**
 * Builds a registered stage's two stacks the way `cdk synth -c stage=<name>` does, but
 * environment-agnostic (no account or region), so assertions do not depend on who runs them.
 */
export const synthesizeStage = (name: string, options: SynthesizeOptions = {}): SynthesizedStage => {
  const registered = loadStage(name);
  const stage = validateStageConfig({
    ...registered,
    environment: { account: undefined, region: undefined },
    ...options.override,
  });
  const app = new App({
    context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': options.bundle ? ['**'] : [] },
  });
  const { stateful, stateless } = createLatchkeyStacks(app, stage, options.tableIndexes ? { tableIndexes: options.tableIndexes } : {});
  return {
    app,
    stage,
    stateful,
    stateless,
    statefulTemplate: Template.fromStack(stateful),
    statelessTemplate: Template.fromStack(stateless),
  };
};

const cache = new Map<string, SynthesizedStage>();

/** synthesizeStage for an unmodified stage, once per test file. */
export const synthesizedStage = (name: string): SynthesizedStage => {
  let synthesized = cache.get(name);
  if (!synthesized) {
    synthesized = synthesizeStage(name);
    cache.set(name, synthesized);
  }
  return synthesized;
};

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown }>;

/** A Lambda function's logical id, found by its physical name (`latchkey-<stage>-<name>`). */
export const functionLogicalId = (template: Template, functionName: string): string => {
  const matches = Object.keys(template.findResources('AWS::Lambda::Function', { Properties: { FunctionName: functionName } }));
  if (matches.length !== 1) throw new Error(`Expected one function named ${functionName}, found ${matches.length}`);
  return matches[0] as string;
};

export interface IamStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** Every statement of the identity policies attached to a function's role. */
export const roleStatementsOf = (template: Template, functionName: string): IamStatement[] => {
  const functions = template.findResources('AWS::Lambda::Function') as Resources;
  const fn = functions[functionLogicalId(template, functionName)];
  const role = (fn?.Properties?.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = template.findResources('AWS::IAM::Policy') as Resources;
  return Object.values(policies)
    .filter((policy) => (policy.Properties?.Roles as { Ref: string }[]).some((ref) => ref.Ref === role))
    .flatMap((policy) => (policy.Properties?.PolicyDocument as { Statement: IamStatement[] }).Statement);
};

export const actionsOf = (statement: IamStatement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** The statements of a role that allow a given action. */
export const statementsAllowing = (statements: IamStatement[], action: string): IamStatement[] =>
  statements.filter((statement) => statement.Effect === 'Allow' && actionsOf(statement).includes(action));

/** The leading-key prefixes a statement is restricted to, or undefined when it is not restricted. */
export const leadingKeysOf = (statement: IamStatement): unknown =>
  statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
