// The health adapter against moto on loopback: metrics shaped as the health topic rule writes them (namespace,
// names, Product/Version/Phase dimensions) come back as treatment against control sums, and alarms are read by name.
import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CloudWatchHealthSignals } from '#aws/cloudwatch-health-signals.ts';
import { describeWithMoto, motoRequest, useMoto } from './moto-server.ts';

const NAMESPACE = 'OtaRelease/Health/moto';
const request = motoRequest();

describeWithMoto('CloudWatchHealthSignals against moto', () => {
  const motoServer = useMoto();

  it('reads back what the rules wrote, per cohort, and the named alarms (an absent one MISSING)', async () => {
    const client = new CloudWatchClient(motoServer().clientConfig);
    const minute = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
    const at = new Date(minute + 10_000);
    const datum = (name: string, version: string, value: number, phase?: string): MetricDatum => ({
      MetricName: name,
      Dimensions: [{ Name: 'Product', Value: request.product }, { Name: name === 'Reverted' ? 'RevertedFrom' : 'Version', Value: version }, ...(phase ? [{ Name: 'Phase', Value: phase }] : [])],
      Timestamp: at,
      Value: value,
      Unit: name === 'ExposureSeconds' ? 'Seconds' : 'Count',
    });
    await client.send(
      new PutMetricDataCommand({
        Namespace: NAMESPACE,
        MetricData: [
          datum('ExposureSeconds', '2.4.0', 300, 'steady'),
          datum('ExposureSeconds', '2.4.0', 300, 'steady'),
          datum('ExposureSeconds', '2.4.0', 300, 'warm-up'), // not counted: warm-up
          datum('Crashes', '2.4.0', 2, 'steady'),
          datum('Returned', '2.4.0', 1),
          datum('ExposureSeconds', '2.3.1', 300, 'steady'),
          datum('Crashes', '2.3.1', 1, 'steady'),
          datum('Reverted', '2.4.0', 1),
          datum('Reverted', '(none)', 0),
        ],
      }),
    );
    await client.send(new PutMetricAlarmCommand({ AlarmName: 'gateway-errors', Namespace: NAMESPACE, MetricName: 'Crashes', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 100, ComparisonOperator: 'GreaterThanThreshold' }));
    const signals = new CloudWatchHealthSignals(client, () => NAMESPACE);

    const reading = await signals.read({
      product: request.product,
      treatmentVersion: '2.4.0',
      controlVersion: '2.3.1',
      from: new Date(minute - 60_000),
      to: new Date(minute + 120_000),
      periodSeconds: 60,
      alarmNames: ['gateway-errors', 'not-there'],
    });

    const sum = (cohort: 'treatment' | 'control', field: 'exposureSeconds' | 'crashes' | 'returned' | 'reverted') => reading.buckets.reduce((total, bucket) => total + bucket[cohort][field], 0);
    expect([sum('treatment', 'exposureSeconds'), sum('treatment', 'crashes'), sum('treatment', 'returned'), sum('treatment', 'reverted')]).toEqual([600, 2, 1, 1]);
    expect([sum('control', 'exposureSeconds'), sum('control', 'crashes')]).toEqual([300, 1]);
    expect(reading.alarms).toEqual([expect.objectContaining({ name: 'gateway-errors', state: expect.stringMatching(/^(OK|ALARM|INSUFFICIENT_DATA)$/) }), { name: 'not-there', state: 'MISSING' }]);
    expect(signals.calls).toEqual({ GetMetricData: 1, DescribeAlarms: 1 });
  }, 60_000);
});
