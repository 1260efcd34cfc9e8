// The embedded cloud's health metrics: what an IoT topic rule writing CloudWatch metrics keeps on AWS, kept here.
// Real agents' reports (the MQTT fleet) are summed into one-minute cells keyed by product, version and phase, as the
// rule's metric action would; the simulated fleet's health model answers for its devices without a report per device
// (sources). Alarms are set by tests and fault profiles, standing in for CloudWatch alarms.
import type { HealthReport } from '#domain/health-report.ts';
import { type AlarmState, type AlarmStateValue, type CohortHealth, type HealthBucket, type HealthQuery, type HealthReading, type HealthSignals, NO_HEALTH } from '#ports/health-signals.ts';
import type { Clock } from '#ports/clock.ts';

/** Anything that can answer for its devices' health over a window, bucket by bucket (the simulated fleet). */
export interface HealthSource {
  buckets(query: HealthQuery): HealthBucket[];
}

const MINUTE_MS = 60_000;


export class LocalHealthMetrics implements HealthSignals {
  /** `${product}\u0000${version}\u0000${cohortKind}` → minute → sums; cohortKind `steady` or `any`. */
  private readonly cells = new Map<string, Map<number, CohortHealth>>();
  private readonly sources: HealthSource[] = [];
  private readonly alarms = new Map<string, AlarmState>();
  /** Reports received, for the report and tests. */
  reports = 0;

  constructor(private readonly clock: Clock) {}

  addSource(source: HealthSource): void {
    this.sources.push(source);
  }

  /** One device report, as the topic rule would turn it into metric data at the time it arrives. */
  record(report: HealthReport): void {
    this.reports++;
    const minute = Math.floor(this.clock.now().getTime() / MINUTE_MS);
    if (report.phase === 'steady') {
      const cell = this.cell(report.product, report.version, 'steady', minute);
      cell.exposureSeconds += report.periodSeconds;
      cell.crashes += report.crashes;
      cell.reboots += report.reboots;
    }
    if (report.firstSinceUpdate) this.cell(report.product, report.version, 'any', minute).returned++;
    if (report.revertedFrom) this.cell(report.product, report.revertedFrom, 'any', minute).reverted++;
  }

  setAlarm(name: string, state: AlarmStateValue, reason?: string): void {
    this.alarms.set(name, { name, state, ...(reason ? { reason } : {}), since: this.clock.now().toISOString() });
  }

  async read(query: HealthQuery): Promise<HealthReading> {
    const buckets = new QueryBuckets(query);
    const fromMs = query.from.getTime();
    const toMs = query.to.getTime();
    for (const [cohort, version] of [['treatment', query.treatmentVersion], ['control', query.controlVersion]] as const) {
      for (const kind of ['steady', 'any'] as const) {
        const minutes = this.cells.get(key(query.product, version, kind));
        if (!minutes) continue;
        for (const [minute, cell] of minutes) {
          const ms = minute * MINUTE_MS;
          if (ms < fromMs || ms >= toMs) continue;
          add(buckets.holding(ms)[cohort], cell);
        }
      }
    }
    for (const source of this.sources) {
      for (const bucket of source.buckets(query)) {
        const into = buckets.holding(Date.parse(bucket.start));
        add(into.treatment, bucket.treatment);
        add(into.control, bucket.control);
      }
    }
    const alarms = query.alarmNames.map((name): AlarmState => this.alarms.get(name) ?? { name, state: 'MISSING' });
    return { buckets: buckets.inOrder(), alarms };
  }

  private cell(product: string, version: string, kind: 'steady' | 'any', minute: number): CohortHealth {
    const id = key(product, version, kind);
    let minutes = this.cells.get(id);
    if (!minutes) this.cells.set(id, (minutes = new Map()));
    let cell = minutes.get(minute);
    if (!cell) minutes.set(minute, (cell = { ...NO_HEALTH }));
    return cell;
  }
}

/** A read's buckets by start: the period (aligned on the query's `from`) a time falls in, made empty when first used. */
export class QueryBuckets {
  private readonly byStart = new Map<number, HealthBucket>();
  private readonly fromMs: number;
  private readonly periodMs: number;

  constructor(query: Pick<HealthQuery, 'from' | 'periodSeconds'>) {
    this.fromMs = query.from.getTime();
    this.periodMs = query.periodSeconds * 1000;
  }

  holding(ms: number): HealthBucket {
    const startMs = this.fromMs + Math.floor((ms - this.fromMs) / this.periodMs) * this.periodMs;
    let bucket = this.byStart.get(startMs);
    if (!bucket) this.byStart.set(startMs, (bucket = { start: new Date(startMs).toISOString(), treatment: { ...NO_HEALTH }, control: { ...NO_HEALTH } }));
    return bucket;
  }

  inOrder(): HealthBucket[] {
    return [...this.byStart.entries()].sort(([a], [b]) => a - b).map(([, bucket]) => bucket);
  }
}

const key = (product: string, version: string, kind: string) => `${product}\u0000${version}\u0000${kind}`;

function add(into: CohortHealth, from: CohortHealth): void {
  into.exposureSeconds += from.exposureSeconds;
  into.crashes += from.crashes;
  into.reboots += from.reboots;
  into.returned += from.returned;
  into.reverted += from.reverted;
}
