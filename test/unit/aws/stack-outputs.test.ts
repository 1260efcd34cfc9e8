import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { NoCredentialsError, StackNotReadyError } from '#aws/errors.ts';
import { readStackOutputs, whoAmI } from '#aws/stack-outputs.ts';
import { NotFoundError, TransientError } from '#ports/errors.ts';

const cfn = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);
const client = () => new CloudFormationClient({ region: 'eu-west-1' });

const sdkError = (name: string, message: string, httpStatusCode = 400) => Object.assign(new Error(message), { name, $metadata: { httpStatusCode } });

describe('readStackOutputs', () => {
  beforeEach(() => {
    cfn.reset();
    sts.reset();
  });

  it('returns the outputs of a deployed stack by key', async () => {
    cfn.on(DescribeStacksCommand, { StackName: 'ota-release-prod' }).resolves({
      Stacks: [{ StackName: 'ota-release-prod', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'ReleaseTableName', OutputValue: 'ota-release-prod-releases' }, { OutputKey: 'Dangling' }] }],
    });

    const stack = await readStackOutputs('ota-release-prod', 'eu-west-1', client());

    expect(stack).toEqual({ stackName: 'ota-release-prod', region: 'eu-west-1', status: 'UPDATE_COMPLETE', outputs: { ReleaseTableName: 'ota-release-prod-releases' } });
  });

  it('says how to deploy when the stack does not exist', async () => {
    cfn.on(DescribeStacksCommand).rejects(sdkError('ValidationError', 'Stack with id ota-release-dev does not exist'));

    const error = await readStackOutputs('ota-release-dev', 'eu-west-1', client()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain('npx osls deploy');
  });

  it.each(['CREATE_IN_PROGRESS', 'ROLLBACK_COMPLETE', 'DELETE_IN_PROGRESS', 'CREATE_FAILED'] as const)('refuses a stack that is %s', async (StackStatus) => {
    cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 's', StackStatus, CreationTime: new Date() }] });
    await expect(readStackOutputs('s', 'eu-west-1', client())).rejects.toBeInstanceOf(StackNotReadyError);
  });

  it('reports throttling as a transient error', async () => {
    cfn.on(DescribeStacksCommand).rejects(sdkError('Throttling', 'Rate exceeded'));
    await expect(readStackOutputs('s', 'eu-west-1', client())).rejects.toBeInstanceOf(TransientError);
  });

  it('explains missing credentials in one line', async () => {
    cfn.on(DescribeStacksCommand).rejects(sdkError('CredentialsProviderError', 'Could not load credentials from any providers'));
    await expect(readStackOutputs('s', 'eu-west-1', client())).rejects.toBeInstanceOf(NoCredentialsError);
  });

  it('names the caller for the audit trail', async () => {
    sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:sts::123456789012:assumed-role/Operator/alice', Account: '123456789012' });
    await expect(whoAmI('eu-west-1', new STSClient({ region: 'eu-west-1' }))).resolves.toEqual({ arn: 'arn:aws:sts::123456789012:assumed-role/Operator/alice', account: '123456789012' });
  });
});
