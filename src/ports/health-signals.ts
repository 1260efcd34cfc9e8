// HealthSignals: what devices on the new version do after the update, against a concurrent control (devices of the
// same product still on the previous version, over the same time). AWS: GetMetricData over the metrics an IoT topic
// rule writes from device health reports, and DescribeAlarms; a constant number of calls whatever the fleet size.
// Local: the embedded metrics store, fed by the simulated fleet's health model or by real agents' reports.

/** Sums over one cohort and one period. */
export interface CohortHealth {
  /** Device-seconds of steady running (warm-up excluded for the treatment). */
  exposureSeconds: number;
  crashes: number;
  reboots: number;
  /** Devices whose first report after the update arrived in the period (they came back). */
  returned: number;
  /** Devices that reported SUCCEEDED for this version and were later found running another (silent rollback). */
  reverted: number;
}

export const NO_HEALTH: CohortHealth = Object.freeze({ exposureSeconds: 0, crashes: 0, reboots: 0, returned: 0, reverted: 0 });

export interface HealthBucket {
  /** ISO 8601 start of the period. */
  start: string;
  /** Devices on the release's new version. */
  treatment: CohortHealth;
  /** Devices on the release's previous version. */
  control: CohortHealth;
}

export interface HealthQuery {
  product: string;
  treatmentVersion: string;
  controlVersion: string;
  from: Date;
  to: Date;
  /** Bucket length: a multiple of 60 (CloudWatch's finest period for standard-resolution metrics). */
  periodSeconds: number;
  /** CloudWatch alarms the release names; their states come back in `alarms`. */
  alarmNames: string[];
}

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'MISSING';

export interface AlarmState {
  name: string;
  /** MISSING: no alarm of that name exists (a typo in the release file must not read as "all clear"). */
  state: AlarmStateValue;
  reason?: string;
  /** ISO 8601 time of the last state change. */
  since?: string;
}

export interface HealthReading {
  /** Periods in time order; a period with no data may be absent. */
  buckets: HealthBucket[];
  alarms: AlarmState[];
}

export interface HealthSignals {
  read(query: HealthQuery): Promise<HealthReading>;
}
