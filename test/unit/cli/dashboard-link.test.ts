import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { checkViewToken } from '#app/view-links.ts';
import { awsViewLink } from '#cli/commands/dashboard-link.ts';

const cfn = mockClient(CloudFormationClient);
const sts = mockClient(STSClient);
const db = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);
const KEY = 'k'.repeat(64);
const TARGET = { kind: 'aws' as const, stage: 'prod', region: 'eu-west-1', stackName: 'ota-release-prod' };
const NOW = new Date('2026-11-24T10:00:00.000Z');
const OUTPUTS = [
  { OutputKey: 'ReleaseTableName', OutputValue: 'ota-release-prod-releases' },
  { OutputKey: 'ApprovalApiUrl', OutputValue: 'https://abc123.execute-api.eu-west-1.amazonaws.com' },
  { OutputKey: 'ApprovalKeySecretArn', OutputValue: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:ApprovalLinkKey-abc' },
];

let saved: NodeJS.ProcessEnv;
beforeEach(() => {
  saved = { ...process.env };
  for (const mock of [cfn, sts, db, secrets]) mock.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Arn: 'arn:aws:iam::123456789012:user/alice', Account: '123456789012' });
  secrets.on(GetSecretValueCommand).resolves({ SecretString: KEY });
  db.on(GetCommand).resolves({ Item: { record: { releaseId: 'fw-2-4-0' } } });
});
afterEach(() => {
  process.env = saved;
});

const stackWith = (outputs: typeof OUTPUTS) =>
  cfn.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'ota-release-prod', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: outputs }] });

describe('a view link from the deployed stack', () => {
  it('is signed with the stack\'s link key, for the release asked, on the stack\'s API', async () => {
    stackWith(OUTPUTS);

    const link = await awsViewLink(TARGET, { releaseId: 'fw-2-4-0', validForSeconds: 3600, now: NOW });

    const url = new URL(link.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://abc123.execute-api.eu-west-1.amazonaws.com/dashboard');
    expect(link.expiresAt).toBe('2026-11-24T11:00:00.000Z');
    expect(checkViewToken(new TextEncoder().encode(KEY), url.searchParams.get('view') ?? undefined, NOW, 'fw-2-4-0')).toEqual({ check: 'valid', releaseId: 'fw-2-4-0' });
    expect(secrets).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: OUTPUTS[2]!.OutputValue });
  });

  it('is refused for a release the stack does not have, before the key is read', async () => {
    stackWith(OUTPUTS);
    db.on(GetCommand).resolves({});

    await expect(awsViewLink(TARGET, { releaseId: 'nope', validForSeconds: 3600, now: NOW })).rejects.toThrow('no release named nope in ota-release-prod');
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 0);
  });

  it('is refused by a stack deployed before the dashboard was served, saying why', async () => {
    stackWith(OUTPUTS.slice(0, 2));
    delete process.env.APPROVAL_KEY_SECRET_ARN;

    await expect(awsViewLink(TARGET, { releaseId: 'fw-2-4-0', validForSeconds: 3600, now: NOW })).rejects.toThrow(/has no ApprovalApiUrl \/ ApprovalKeySecretArn output: deploy this version/);
  });
});
