import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '#aws/config.ts';
import { OUTPUT_KEYS, environmentOf, openAwsOperations, outputKeyOf } from '#cli/target/aws.ts';
import { readFile } from 'node:fs/promises';

describe('the operator view of a deployed stack', () => {
  it.each([
    ['RELEASE_TABLE', 'ReleaseTable'],
    ['STATE_MACHINE_ARN', 'StateMachineArn'],
    ['APPROVAL_KEY_SECRET_ARN', 'ApprovalKeySecretArn'],
  ])('reads %s from the stack output %s', (variable, key) => {
    expect(outputKeyOf(variable)).toBe(key);
  });

  it('builds the adapters\' environment from the outputs, the Region and the account', () => {
    const env = environmentOf({ ReleaseTableName: 't', FirmwareBucket: 'b', StateMachineArn: 'arn:sm', Unrelated: 'x' }, 'eu-west-1', '123456789012');
    expect(env).toEqual({ [ENV.region]: 'eu-west-1', [ENV.accountId]: '123456789012', [ENV.table]: 't', [ENV.firmwareBucket]: 'b', [ENV.stateMachineArn]: 'arn:sm' });
  });

  it('reads only outputs that serverless.yml declares', async () => {
    const template = await readFile(new URL('../../../../serverless.yml', import.meta.url), 'utf8');
    const outputs = template.slice(template.indexOf('\n  Outputs:'));
    for (const key of Object.values(OUTPUT_KEYS)) expect(outputs).toMatch(new RegExp(`\\n {4}${key}:`));
  });

  it('opens the stack named by stage and Region, as the calling IAM identity', async () => {
    const cfn = mockClient(CloudFormationClient);
    const sts = mockClient(STSClient);
    cfn.on(DescribeStacksCommand, { StackName: 'ota-release-prod' }).resolves({ Stacks: [{ StackName: 'ota-release-prod', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'ReleaseTableName', OutputValue: 'ota-release-prod-releases' }] }] });
    sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::123456789012:user/alice', Account: '123456789012' });
    const saved = { ...process.env };
    try {
      const operations = await openAwsOperations({ region: 'eu-west-1', stackName: 'ota-release-prod' });
      expect(operations.where).toBe('AWS stack ota-release-prod (eu-west-1, account 123456789012)');
      expect(process.env.RELEASE_TABLE).toBe('ota-release-prod-releases');
    } finally {
      process.env = saved;
      cfn.restore();
      sts.restore();
    }
  });
});
