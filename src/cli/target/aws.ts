// The operator's view of a deployed stack: its outputs become the configuration the AWS adapters read (src/aws/config.ts),
// and the use cases run on AWS ports with the operator's own credentials. Approve and reject call answer-approval
// directly (DynamoDB + SendTaskSuccess/Failure), not the HTTP API: the same single-use take of the pending task and
// the same decision record, with no request signing to get wrong, and the caller's IAM ARN recorded as who answered.
import { type ConfigKey, ENV } from '#aws/config.ts';
import { awsPorts } from '#aws/ports.ts';
import { type CallerIdentity, readStackOutputs, whoAmI } from '#aws/stack-outputs.ts';
import type { Ports } from '#ports/index.ts';
import type { ReleaseOperations } from '#operator/operations.ts';
import { portsOperations } from '#operator/ports-operations.ts';
import type { Target } from './choose.ts';

/**
 * Which stack output (serverless.yml `resources.Outputs`) configures each adapter setting. CloudFormation output keys
 * are alphanumeric, so RELEASE_TABLE cannot be its own key; the PascalCase form of the variable is accepted as well.
 */
export const OUTPUT_KEYS: Partial<Record<ConfigKey, string>> = {
  table: 'ReleaseTableName',
  firmwareBucket: 'FirmwareBucketName',
  stateMachineArn: 'StateMachineArn',
  approvalTopicArn: 'ApprovalTopicArn',
  eventBusName: 'EventBusName',
  presignRoleArn: 'PresignRoleArn',
  signerProfile: 'SignerProfileName',
  approvalBaseUrl: 'ApprovalApiUrl',
};

export function outputKeyOf(variable: string): string {
  return variable.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

/** The environment the AWS adapters expect, from the stack's outputs. */
export function environmentOf(outputs: Record<string, string>, region: string, accountId: string): Record<string, string> {
  const env: Record<string, string> = { [ENV.region]: region, [ENV.accountId]: accountId };
  for (const [key, variable] of Object.entries(ENV) as [ConfigKey, string][]) {
    const named = OUTPUT_KEYS[key];
    const value = (named && outputs[named]) ?? outputs[outputKeyOf(variable)];
    if (value !== undefined && env[variable] === undefined) env[variable] = value;
  }
  return env;
}

type AwsTarget = Pick<Extract<Target, { kind: 'aws' }>, 'stackName' | 'region'>;

/** AWS ports configured from the stack's outputs (the adapters read their configuration from the environment). */
export async function awsPortsFor(target: AwsTarget): Promise<Ports & { caller: CallerIdentity }> {
  const [stack, caller] = await Promise.all([readStackOutputs(target.stackName, target.region), whoAmI(target.region)]);
  Object.assign(process.env, environmentOf(stack.outputs, target.region, caller.account));
  return { ...awsPorts(), caller };
}

export async function openAwsOperations(target: AwsTarget): Promise<ReleaseOperations> {
  const ports = await awsPortsFor(target);
  const { caller } = ports;
  const operations = portsOperations(ports, `AWS stack ${target.stackName} (${target.region}, account ${caller.account})`);
  // Who answers is the IAM identity that signed the calls; a --by name is kept beside it, never instead of it.
  const recorded = (by: string) => (by.startsWith('cli:') || by === caller.arn ? caller.arn : `${caller.arn} (as ${by})`);
  return {
    ...operations,
    answerApproval: (answer) => operations.answerApproval({ ...answer, by: recorded(answer.by) }),
    abortRelease: (input) => operations.abortRelease({ ...input, by: recorded(input.by) }),
  };
}
