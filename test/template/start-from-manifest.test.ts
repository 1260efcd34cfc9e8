// The S3 path of starting a release, on the packaged CloudFormation template (`npm run package` writes it).
import { loadTemplate, statementsOf } from './packaged-template.ts';

const { Resources } = loadTemplate();
const statements = statementsOf(Resources.StartFromManifestRole!);
const statementFor = (action: string) => statements.filter((s) => [s.Action].flat().includes(action));
const FUNCTION_ARN = { 'Fn::GetAtt': ['StartFromManifestLambdaFunction', 'Arn'] };

describe('starting a release from a manifest in the firmware bucket', () => {
  it('has the firmware bucket send its events to EventBridge', () => {
    expect(Resources.FirmwareBucket!.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
  });

  it('routes Object Created events of manifest keys in this bucket, on the default bus, to start-from-manifest', () => {
    const rule = Resources.ReleaseManifestUploadedRule!.Properties;
    expect(rule.EventBusName).toBeUndefined();
    expect(rule.State).toBe('ENABLED');
    expect(rule.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [{ Ref: 'FirmwareBucket' }] },
        object: { key: [{ suffix: 'release.yaml' }, { suffix: 'release.yml' }, { suffix: 'release.json' }] },
      },
    });
    expect(rule.Targets).toEqual([expect.objectContaining({ Arn: FUNCTION_ARN })]);
  });

  it('lets only that rule invoke the function', () => {
    const permissions = Object.values(Resources).filter((r) => r.Type === 'AWS::Lambda::Permission' && JSON.stringify(r.Properties.FunctionName) === JSON.stringify(FUNCTION_ARN));
    expect(permissions).toEqual([
      expect.objectContaining({ Properties: expect.objectContaining({ Principal: 'events.amazonaws.com', SourceArn: { 'Fn::GetAtt': ['ReleaseManifestUploadedRule', 'Arn'] } }) }),
    ]);
  });

  it('retries failed invocations twice and sends what still fails to the notice topic', () => {
    const config = Object.values(Resources).find((r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && JSON.stringify(r.Properties.FunctionName).includes('StartFromManifest'));
    expect(config?.Properties).toEqual(expect.objectContaining({ MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: { Ref: 'ApprovalTopic' } } } }));
  });

  it('tells the function where the state machine and the notice topic are', () => {
    const variables = (Resources.StartFromManifestLambdaFunction!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(JSON.stringify(variables.STATE_MACHINE_ARN)).toContain(':stateMachine:ota-release-dev-staged-release');
    expect(variables.APPROVAL_TOPIC_ARN).toEqual({ Ref: 'ApprovalTopic' });
  });

  it('grants the role exactly what the function calls, each on this stack', () => {
    const granted = statements.flatMap((s) => [s.Action].flat()).sort();
    expect(granted).toEqual(
      ['logs:CreateLogStream', 'logs:PutLogEvents', 's3:GetObject', 's3:GetObjectVersion', 'sns:Publish', 'states:DescribeExecution', 'states:StartExecution', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments'].sort(),
    );
    expect(statementFor('s3:GetObject')[0]!.Resource).toEqual({ 'Fn::Sub': '${FirmwareBucket.Arn}/*' });
    expect(statementFor('sns:Publish')[0]!.Resource).toEqual({ Ref: 'ApprovalTopic' });
    expect(JSON.stringify(statementFor('states:StartExecution')[0]!.Resource)).toMatch(/:stateMachine:ota-release-dev-staged-release"/);
    expect(JSON.stringify(statementFor('states:DescribeExecution')[0]!.Resource)).toMatch(/:execution:ota-release-dev-staged-release:\*"/);
  });
});
