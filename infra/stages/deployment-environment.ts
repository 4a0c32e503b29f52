/**
 * Where a stage deploys. `LATCHKEY_<STAGE>_ACCOUNT` / `LATCHKEY_<STAGE>_REGION` pin a stage to
 * one account and region (the CDK CLI then refuses to deploy it with another account's
 * credentials); otherwise the CLI's defaults apply, and with no credentials at all (offline
 * synth) both stay undefined and the stacks are environment-agnostic.
 */
export const deploymentEnvironment = (
  stageName: string,
  env: Record<string, string | undefined> = process.env,
): { account: string | undefined; region: string | undefined } => {
  const prefix = `LATCHKEY_${stageName.toUpperCase()}`;
  return {
    account: nonEmpty(env[`${prefix}_ACCOUNT`]) ?? nonEmpty(env.CDK_DEFAULT_ACCOUNT),
    region: nonEmpty(env[`${prefix}_REGION`]) ?? nonEmpty(env.CDK_DEFAULT_REGION),
  };
};

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();
