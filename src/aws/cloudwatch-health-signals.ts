// HealthSignals on CloudWatch (@aws-sdk/client-cloudwatch). Devices publish health reports on
// `ota-release/health/<thing>`; the IoT topic rule in serverless.yml (HealthMetricsTopicRule) writes each one to a log group in CloudWatch embedded metric format, and CloudWatch Logs turns it into the metrics
// below, summed per minute over the whole fleet. Reading a release's evidence is then one GetMetricData call (paginated)
// for every metric of both cohorts, and one DescribeAlarms for the alarms it names: the same calls for ten devices or
// ten million. docs/backend.md, Health data path.
import { CloudWatchClient, DescribeAlarmsCommand, type DescribeAlarmsCommandOutput, GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { TransientError } from '#ports/errors.ts';
import { type AlarmState, type AlarmStateValue, type CohortHealth, type HealthBucket, type HealthQuery, type HealthReading, type HealthSignals } from '#ports/health-signals.ts';
import { type Instrument, noInstrument, required } from './config.ts';
import { rethrow } from './sdk-errors.ts';

/** The metrics the topic rule writes; their names and dimensions are the contract with serverless.yml. */
export const HEALTH_METRICS = {
  /** Dimensions Product, Version, Phase; the adapter reads Phase = steady. */
  exposureSeconds: 'ExposureSeconds',
  crashes: 'Crashes',
  reboots: 'Reboots',
  /** Dimensions Product, Version. */
  returned: 'Returned',
  /** Dimensions Product, RevertedFrom (the version the device went back from). */
  reverted: 'Reverted',
} as const satisfies Record<keyof CohortHealth, string>;

const BY_PHASE = new Set<keyof CohortHealth>(['exposureSeconds', 'crashes', 'reboots']);
const FIELDS = Object.keys(HEALTH_METRICS) as Array<keyof CohortHealth>;
const COHORTS = ['treatment', 'control'] as const;
/** DescribeAlarms takes at most 100 names a call. */
const ALARM_NAMES_PER_CALL = 100;

export class CloudWatchHealthSignals implements HealthSignals {
  /** Calls made, by API: what the evaluation costs (tests and the bench read it). */
  readonly calls = { GetMetricData: 0, DescribeAlarms: 0 };

  constructor(
    private readonly client: CloudWatchClient,
    private readonly namespace: () => string,
  ) {}

  async read(query: HealthQuery): Promise<HealthReading> {
    const [buckets, alarms] = await Promise.all([this.buckets(query), this.alarms(query.alarmNames)]);
    return { buckets, alarms };
  }

  /** One GetMetricData for all ten series (5 metrics × 2 cohorts), following NextToken. */
  private async buckets(query: HealthQuery): Promise<HealthBucket[]> {
    const queries = this.queries(query);
    const series = new Map<string, Map<number, number>>();
    let nextToken: string | undefined;
    do {
      this.calls.GetMetricData += 1;
      const output = await this.client
        .send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: query.from, EndTime: query.to, ScanBy: 'TimestampAscending', ...(nextToken ? { NextToken: nextToken } : {}) }))
        .catch((error: unknown) => rethrow(error, 'CloudWatch GetMetricData'));
      for (const result of output.MetricDataResults ?? []) collect(series, result);
      nextToken = output.NextToken;
    } while (nextToken);
    const starts = [...new Set([...series.values()].flatMap((points) => [...points.keys()]))].sort((a, b) => a - b);
    return starts.map((start) => {
      const sums = (cohort: (typeof COHORTS)[number]) => Object.fromEntries(FIELDS.map((field) => [field, series.get(queryId(cohort, field))?.get(start) ?? 0])) as unknown as CohortHealth;
      return { start: new Date(start).toISOString(), treatment: sums('treatment'), control: sums('control') };
    });
  }

  private queries(query: HealthQuery): MetricDataQuery[] {
    const namespace = this.namespace();
    const versionOf = { treatment: query.treatmentVersion, control: query.controlVersion };
    return COHORTS.flatMap((cohort) =>
      FIELDS.map((field): MetricDataQuery => ({
        Id: queryId(cohort, field),
        MetricStat: {
          Metric: {
            Namespace: namespace,
            MetricName: HEALTH_METRICS[field],
            Dimensions: [
              { Name: 'Product', Value: query.product },
              { Name: field === 'reverted' ? 'RevertedFrom' : 'Version', Value: versionOf[cohort] },
              ...(BY_PHASE.has(field) ? [{ Name: 'Phase', Value: 'steady' }] : []),
            ],
          },
          Period: query.periodSeconds,
          Stat: 'Sum',
        },
        ReturnData: true,
      })),
    );
  }

  private async alarms(names: string[]): Promise<AlarmState[]> {
    if (names.length === 0) return [];
    const found = new Map<string, AlarmState>();
    for (let from = 0; from < names.length; from += ALARM_NAMES_PER_CALL) {
      let nextToken: string | undefined;
      do {
        this.calls.DescribeAlarms += 1;
        const output: DescribeAlarmsCommandOutput = await this.client
          .send(new DescribeAlarmsCommand({ AlarmNames: names.slice(from, from + ALARM_NAMES_PER_CALL), AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], ...(nextToken ? { NextToken: nextToken } : {}) }))
          .catch((error: unknown) => rethrow(error, 'CloudWatch DescribeAlarms'));
        for (const alarm of [...(output.MetricAlarms ?? []), ...(output.CompositeAlarms ?? [])]) {
          if (!alarm.AlarmName) continue;
          found.set(alarm.AlarmName, {
            name: alarm.AlarmName,
            state: (alarm.StateValue ?? 'INSUFFICIENT_DATA') as AlarmStateValue,
            ...(alarm.StateReason ? { reason: alarm.StateReason } : {}),
            ...(alarm.StateUpdatedTimestamp ? { since: alarm.StateUpdatedTimestamp.toISOString() } : {}),
          });
        }
        nextToken = output.NextToken;
      } while (nextToken);
    }
    // An alarm the release names that does not exist is MISSING, never "all clear".
    return names.map((name) => found.get(name) ?? { name, state: 'MISSING' });
  }
}

const queryId = (cohort: (typeof COHORTS)[number], field: keyof CohortHealth) => `${cohort}_${field}`.toLowerCase();

/** Adds a page's datapoints to its series; a query CloudWatch could not answer fails the read (the workflow retries). */
function collect(series: Map<string, Map<number, number>>, result: MetricDataResult): void {
  if (result.StatusCode === 'InternalError') throw new TransientError(`CloudWatch GetMetricData: ${result.Id} could not be read (InternalError)`);
  if (result.StatusCode === 'Forbidden') throw new Error(`CloudWatch GetMetricData: not allowed to read ${result.Id}`);
  if (!result.Id) return;
  const points = series.get(result.Id) ?? new Map<number, number>();
  series.set(result.Id, points);
  const timestamps = result.Timestamps ?? [];
  const values = result.Values ?? [];
  timestamps.forEach((timestamp, index) => {
    const at = timestamp.getTime();
    points.set(at, (points.get(at) ?? 0) + (values[index] ?? 0));
  });
}

export function awsHealthSignals(instrument: Instrument = noInstrument): CloudWatchHealthSignals {
  return new CloudWatchHealthSignals(instrument(new CloudWatchClient({})), () => required('healthNamespace'));
}
