// Finding a deployed stack from the operator's machine: its outputs (CloudFormation DescribeStacks) and who the
// operator is (STS GetCallerIdentity, recorded as `by` on every answer and abort). Both run with the operator's own
// credentials (profile, SSO or environment), never the functions' roles.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { NotFoundError } from '#ports/errors.ts';
import { NoCredentialsError, StackNotReadyError } from './errors.ts';
import { messageOf, rethrow } from './sdk-errors.ts';

export interface StackOutputs {
  stackName: string;
  region: string;
  status: string;
  /** OutputKey → OutputValue. */
  outputs: Record<string, string>;
}

/** Stack statuses in which the stack's resources exist and work. */
const USABLE = /^(CREATE_COMPLETE|UPDATE_COMPLETE|UPDATE_ROLLBACK_COMPLETE|UPDATE_IN_PROGRESS|UPDATE_COMPLETE_CLEANUP_IN_PROGRESS|UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS|IMPORT_COMPLETE)$/;

export async function readStackOutputs(stackName: string, region: string, client = new CloudFormationClient({ region })): Promise<StackOutputs> {
  let stack;
  try {
    stack = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    // CloudFormation answers an unknown stack with a ValidationError "Stack with id X does not exist".
    noCredentials(error);
    if ((error as { name?: string }).name === 'ValidationError' && /does not exist/.test(messageOf(error))) {
      throw new NotFoundError(`no stack named ${stackName} in ${region}; deploy it with \`npx osls deploy --stage <stage> --region ${region}\``, { cause: error });
    }
    rethrow(error, `CloudFormation DescribeStacks ${stackName}`);
  }
  if (!stack) throw new NotFoundError(`no stack named ${stackName} in ${region}`);
  const status = stack.StackStatus ?? 'UNKNOWN';
  if (!USABLE.test(status)) throw new StackNotReadyError(`stack ${stackName} in ${region} is ${status}; wait for the deploy to finish or fix it first`);
  const outputs: Record<string, string> = {};
  for (const output of stack.Outputs ?? []) {
    if (output.OutputKey && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
  }
  return { stackName, region, status, outputs };
}

export interface CallerIdentity {
  arn: string;
  account: string;
}

export async function whoAmI(region: string, client = new STSClient({ region })): Promise<CallerIdentity> {
  try {
    const identity = await client.send(new GetCallerIdentityCommand({}));
    return { arn: identity.Arn ?? 'unknown', account: identity.Account ?? 'unknown' };
  } catch (error) {
    noCredentials(error);
    rethrow(error, 'STS GetCallerIdentity');
  }
}

function noCredentials(error: unknown): void {
  if ((error as { name?: string }).name === 'CredentialsProviderError') {
    throw new NoCredentialsError('no AWS credentials found; set AWS_PROFILE (or run `aws sso login`) or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', { cause: error });
  }
}
