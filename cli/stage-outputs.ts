import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

/** The stateless stack of a stage, as the CDK app names it. */
export const statelessStackName = (stage: string): string => `Latchkey-${stage}-Stateless`;

export class StageLookupError extends Error {
  override readonly name = 'StageLookupError';
}

/**
 * The API URL of a deployed stage: the output of its stateless stack whose key contains
 * `ApiUrl` (CDK appends a hash to output keys of nested constructs).
 */
export const findStageApiUrl = async (stage: string, client: CloudFormationClient): Promise<URL> => {
  const stackName = statelessStackName(stage);
  let outputs;
  try {
    outputs = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0]?.Outputs ?? [];
  } catch (cause) {
    throw new StageLookupError(`Could not read stack ${stackName}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  const output = outputs.find((candidate) => candidate.OutputKey?.includes('ApiUrl') && candidate.OutputValue);
  if (!output?.OutputValue) {
    throw new StageLookupError(`Stack ${stackName} has no output whose key contains "ApiUrl"; is stage "${stage}" deployed?`);
  }
  return new URL(output.OutputValue.endsWith('/') ? output.OutputValue : `${output.OutputValue}/`);
};
