import { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchHealthSignals, HEALTH_METRICS } from '#aws/cloudwatch-health-signals.ts';
import { TransientError } from '#ports/errors.ts';
import type { HealthQuery } from '#ports/health-signals.ts';
import { sdkError } from '../functions/helpers.ts';

const cloudwatch = mockClient(CloudWatchClient);
const signals = () => new CloudWatchHealthSignals(new CloudWatchClient({ region: 'eu-west-1' }), () => 'OtaRelease/Health/test');
const T0 = new Date('2026-03-01T10:00:00Z');
const T1 = new Date('2026-03-01T10:05:00Z');
const query = (overrides: Partial<HealthQuery> = {}): HealthQuery => ({
  product: 'gateway',
  treatmentVersion: '2.4.0',
  controlVersion: '2.3.1',
  from: T0,
  to: new Date('2026-03-01T10:10:00Z'),
  periodSeconds: 300,
  alarmNames: [],
  ...overrides,
});

beforeEach(() => cloudwatch.reset());

describe('CloudWatchHealthSignals', () => {
  it('asks for every metric of both cohorts in one GetMetricData call, keyed by product, version and (for rates) the steady phase', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    await signals().read(query());

    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(1);
    const input = cloudwatch.commandCalls(GetMetricDataCommand)[0]!.args[0].input as GetMetricDataCommandInput;
    expect(input).toMatchObject({ StartTime: T0, EndTime: new Date('2026-03-01T10:10:00Z'), ScanBy: 'TimestampAscending' });
    expect(input.MetricDataQueries).toHaveLength(10);
    expect(input.MetricDataQueries).toContainEqual({
      Id: 'treatment_crashes',
      MetricStat: {
        Metric: { Namespace: 'OtaRelease/Health/test', MetricName: 'Crashes', Dimensions: [{ Name: 'Product', Value: 'gateway' }, { Name: 'Version', Value: '2.4.0' }, { Name: 'Phase', Value: 'steady' }] },
        Period: 300,
        Stat: 'Sum',
      },
      ReturnData: true,
    });
    expect(input.MetricDataQueries).toContainEqual(
      expect.objectContaining({ Id: 'control_returned', MetricStat: expect.objectContaining({ Metric: { Namespace: 'OtaRelease/Health/test', MetricName: 'Returned', Dimensions: [{ Name: 'Product', Value: 'gateway' }, { Name: 'Version', Value: '2.3.1' }] } }) }),
    );
    expect(input.MetricDataQueries).toContainEqual(
      expect.objectContaining({ Id: 'treatment_reverted', MetricStat: expect.objectContaining({ Metric: { Namespace: 'OtaRelease/Health/test', MetricName: 'Reverted', Dimensions: [{ Name: 'Product', Value: 'gateway' }, { Name: 'RevertedFrom', Value: '2.4.0' }] } }) }),
    );
    expect(new Set(input.MetricDataQueries!.map((q) => q.MetricStat!.Metric!.MetricName))).toEqual(new Set(Object.values(HEALTH_METRICS)));
    expect(cloudwatch.commandCalls(DescribeAlarmsCommand)).toHaveLength(0);
  });

  it('turns the series into buckets of treatment against control, following NextToken, missing points as zero', async () => {
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'treatment_exposureseconds', Timestamps: [T0], Values: [36_000], StatusCode: 'PartialData' },
          { Id: 'control_exposureseconds', Timestamps: [T0, T1], Values: [360_000, 300_000], StatusCode: 'PartialData' },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'treatment_exposureseconds', Timestamps: [T1], Values: [30_000], StatusCode: 'Complete' },
          { Id: 'treatment_crashes', Timestamps: [T1], Values: [3], StatusCode: 'Complete' },
          { Id: 'treatment_returned', Timestamps: [T0], Values: [12], StatusCode: 'Complete' },
          { Id: 'treatment_reverted', Timestamps: [T1], Values: [1], StatusCode: 'Complete' },
          { Id: 'control_crashes', Timestamps: [T1], Values: [2], StatusCode: 'Complete' },
        ],
      });

    const reading = await signals().read(query());

    expect(cloudwatch.commandCalls(GetMetricDataCommand)).toHaveLength(2);
    expect(cloudwatch.commandCalls(GetMetricDataCommand)[1]!.args[0].input).toMatchObject({ NextToken: 'page-2' });
    expect(reading.buckets).toEqual([
      { start: T0.toISOString(), treatment: { exposureSeconds: 36_000, crashes: 0, reboots: 0, returned: 12, reverted: 0 }, control: { exposureSeconds: 360_000, crashes: 0, reboots: 0, returned: 0, reverted: 0 } },
      { start: T1.toISOString(), treatment: { exposureSeconds: 30_000, crashes: 3, reboots: 0, returned: 0, reverted: 1 }, control: { exposureSeconds: 300_000, crashes: 2, reboots: 0, returned: 0, reverted: 0 } },
    ]);
  });

  it('reads the named alarms with DescribeAlarms, metric and composite, and calls an absent one MISSING', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    cloudwatch.on(DescribeAlarmsCommand).resolves({
      MetricAlarms: [{ AlarmName: 'gateway-errors', StateValue: 'ALARM', StateReason: 'Threshold Crossed', StateUpdatedTimestamp: T1 }],
      CompositeAlarms: [{ AlarmName: 'gateway-health', StateValue: 'OK' }],
    });

    const reading = await signals().read(query({ alarmNames: ['gateway-errors', 'gateway-health', 'gateway-typo'] }));

    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['gateway-errors', 'gateway-health', 'gateway-typo'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
    expect(reading.alarms).toEqual([
      { name: 'gateway-errors', state: 'ALARM', reason: 'Threshold Crossed', since: T1.toISOString() },
      { name: 'gateway-health', state: 'OK' },
      { name: 'gateway-typo', state: 'MISSING' },
    ]);
  });

  it('makes a constant number of calls whatever the fleet: 1 GetMetricData and 1 DescribeAlarms per read without pagination', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'control_exposureseconds', Timestamps: [T0], Values: [3e11] }] });
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    const adapter = signals();
    await adapter.read(query({ alarmNames: ['a'] }));
    expect(adapter.calls).toEqual({ GetMetricData: 1, DescribeAlarms: 1 });
  });

  it('passes throttling on as a TransientError the state machine retries', async () => {
    cloudwatch.on(GetMetricDataCommand).rejects(sdkError('ThrottlingException', 400));
    await expect(signals().read(query())).rejects.toBeInstanceOf(TransientError);
  });

  it('fails the read when CloudWatch could not answer a series, rather than judging on a hole', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: 'treatment_crashes', StatusCode: 'InternalError' }] });
    await expect(signals().read(query())).rejects.toBeInstanceOf(TransientError);
  });
});
