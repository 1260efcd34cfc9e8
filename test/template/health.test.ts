// The device health data path in the packaged template: a topic rule from ota-release/health/+ writing embedded metric
// format to a log group, with a role that can do nothing else, and evaluate-metrics reading the same namespace.
import { HEALTH_METRICS } from '#aws/cloudwatch-health-signals.ts';
import { HEALTH_TOPIC_PREFIX } from '#domain/health-report.ts';
import { loadTemplate, statementsOf } from './packaged-template.ts';

const template = loadTemplate();
const resource = (name: string) => template.Resources[name]!;
const payloadOf = (name: string) => resource(name).Properties.TopicRulePayload as { Sql: string; Actions: unknown[]; ErrorAction: unknown; AwsIotSqlVersion: string };
const namespace = (resource('EvaluateMetricsLambdaFunction').Properties.Environment as { Variables: Record<string, string> }).Variables.HEALTH_METRICS_NAMESPACE!;

/** The `_aws` object a rule builds, read as JSON (IoT SQL object literals are JSON with single quotes). */
function emfDirectiveOf(sql: string): { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> } {
  const literal = /^SELECT (\{.*\}) AS _aws, /.exec(sql)?.[1];
  expect(literal).toBeDefined();
  return JSON.parse(literal!.replace('timestamp()', '0').replaceAll("'", '"'));
}

describe('the health data path in the template', () => {
  it('reads every device health topic and writes to the health log group, with an error action', () => {
    const payload = payloadOf('HealthMetricsTopicRule');
    expect(payload.AwsIotSqlVersion).toBe('2016-03-23');
    expect(payload.Sql).toContain(`FROM '${HEALTH_TOPIC_PREFIX}/+'`);
    expect(payload.Actions).toEqual([{ CloudwatchLogs: { LogGroupName: { Ref: 'HealthMetricsLogGroup' }, RoleArn: { 'Fn::GetAtt': ['HealthTopicRuleRole', 'Arn'] } } }]);
    expect(payload.ErrorAction).toEqual({ CloudwatchLogs: { LogGroupName: { Ref: 'IotRuleErrorLogGroup' }, RoleArn: { 'Fn::GetAtt': ['IotRuleErrorRole', 'Arn'] } } });
  });

  it('writes, in the namespace evaluate-metrics reads, every metric the adapter asks for with the dimensions it asks with', () => {
    const written = [payloadOf('HealthMetricsTopicRule')].flatMap(({ Sql }) =>
      emfDirectiveOf(Sql).CloudWatchMetrics.flatMap((directive) => directive.Metrics.map((metric) => ({ namespace: directive.Namespace, name: metric.Name, dimensions: directive.Dimensions }))),
    );
    expect(namespace).toBe('OtaRelease/Health/dev');
    expect(written.map((metric) => metric.name).sort()).toEqual(Object.values(HEALTH_METRICS).sort());
    for (const metric of written) {
      expect(metric.namespace).toBe(namespace);
      const byPhase = ['ExposureSeconds', 'Crashes', 'Reboots'].includes(metric.name);
      expect(metric.dimensions).toEqual([byPhase ? ['Product', 'Version', 'Phase'] : ['Product', metric.name === 'Reverted' ? 'RevertedFrom' : 'Version']]);
    }
  });

  it('puts every metric value and dimension value at the top level of the event, as embedded metric format requires', () => {
    const { Sql } = payloadOf('HealthMetricsTopicRule');
    for (const directive of emfDirectiveOf(Sql).CloudWatchMetrics) {
      for (const field of [...directive.Dimensions.flat(), ...directive.Metrics.map((metric) => metric.Name)]) expect(Sql).toMatch(new RegExp(` AS ${field}[, ]`));
    }
    // A report without revertedFrom counts 0 under a RevertedFrom no version can match.
    expect(Sql).toContain("CASE isUndefined(revertedFrom) WHEN true THEN '(none)' ELSE revertedFrom END AS RevertedFrom");
    expect(Sql).toContain('CASE isUndefined(revertedFrom) WHEN true THEN 0 ELSE 1 END AS Reverted');
  });

  it('keeps out what would mint metrics at will: only two phases, well-formed versions', () => {
    const { Sql } = payloadOf('HealthMetricsTopicRule');
    expect(Sql).toMatch(/WHERE \(phase = 'steady' OR phase = 'warm-up'\) AND regexp_matches\(version, /);
    expect(Sql).toMatch(/\(isUndefined\(revertedFrom\) OR regexp_matches\(revertedFrom, /);
  });

  it('lets IoT only write the health log group, and only for this account', () => {
    const role = resource('HealthTopicRuleRole');
    expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({ Statement: [{ Principal: { Service: 'iot.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }] });
    expect(statementsOf(role)).toEqual([{ Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'], Resource: { 'Fn::GetAtt': ['HealthMetricsLogGroup', 'Arn'] } }]);
    expect(resource('HealthMetricsLogGroup').Properties.RetentionInDays).toBe(7);
  });

  it('lets evaluate-metrics read metrics and alarms, and write none', () => {
    const actions = statementsOf(resource('EvaluateMetricsRole')).flatMap((statement) => [statement.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms']));
    expect(actions.filter((action) => action.startsWith('cloudwatch:'))).toEqual(['cloudwatch:GetMetricData', 'cloudwatch:DescribeAlarms']);
  });

  it('outputs the namespace for the CLI, and names the rule for agents that publish through Basic Ingest', () => {
    expect(template.Outputs.HealthMetricsNamespace).toMatchObject({ Value: 'OtaRelease/Health/dev' });
    expect(resource('HealthMetricsTopicRule').Properties.RuleName).toBe('ota_release_device_health_dev');
    expect(template.Outputs.HealthRuleName).toMatchObject({ Value: { Ref: 'HealthMetricsTopicRule' } });
  });
});
