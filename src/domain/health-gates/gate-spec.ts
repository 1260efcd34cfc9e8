// Health gates as a release file states them (`health.gates`). Each kind has its pure evaluator in this folder,
// listed in gates.ts; adding a gate is one file there and one schema entry here.
import { z } from 'zod';

const NAME = /^[a-zA-Z0-9_-]+$/;
const gateName = z.string().min(1).max(32).regex(NAME, 'letters, digits, _ and - only').optional();
/** A critical gate that fails rolls the release back; a non-critical one asks a person (HOLD). */
const critical = z.boolean().default(true);

export const RateMetric = z.enum(['crashes', 'reboots']);
export type RateMetric = z.infer<typeof RateMetric>;

/**
 * Events per device-hour on the new version against the previous version over the same time (the concurrent
 * control), after the warm-up: acceptable up to `maxRatio` times the control's rate; `unacceptableRatio` (default
 * twice maxRatio) is the ratio a release must not be promoted at.
 */
export const RateGateSpec = z.strictObject({
  kind: z.literal('rate'),
  name: gateName,
  metric: RateMetric,
  maxRatio: z.number().gt(0).max(100),
  unacceptableRatio: z.number().gt(0).max(1000).optional(),
  critical,
  /**
   * For planning only: the previous version's events per device-hour as you expect it, so `validate` can say how long
   * each stage needs. The gate itself measures the control's rate and never uses this.
   */
  baselinePerDeviceHour: z.number().gt(0).max(1000).optional(),
});

/**
 * Devices that reported SUCCEEDED but sent no health report within `afterReports` report periods ("never came
 * back") count as failed installs, judged by the install test.
 */
export const SilenceGateSpec = z.strictObject({
  kind: z.literal('silence'),
  name: gateName,
  afterReports: z.number().int().min(1).max(100).default(2),
  critical,
});

/** A CloudWatch alarm in ALARM fails the gate at once; a missing alarm is reported, never read as healthy. */
export const AlarmGateSpec = z.strictObject({
  kind: z.literal('alarm'),
  name: gateName,
  alarmName: z.string().min(1).max(255),
  critical,
});

export const HealthGateSpec = z.discriminatedUnion('kind', [RateGateSpec, SilenceGateSpec, AlarmGateSpec], {
  error: 'expected a gate with kind rate (metric, maxRatio), silence (afterReports) or alarm (alarmName)',
});
export type HealthGateSpec = z.infer<typeof HealthGateSpec>;
export type RateGateSpec = z.infer<typeof RateGateSpec>;
export type SilenceGateSpec = z.infer<typeof SilenceGateSpec>;
export type AlarmGateSpec = z.infer<typeof AlarmGateSpec>;

/** The name a gate is shown and recorded under: its own, or its kind and subject. */
export function gateNameOf(gate: HealthGateSpec): string {
  if (gate.name) return gate.name;
  switch (gate.kind) {
    case 'rate':
      return `${gate.metric}-rate`;
    case 'silence':
      return 'silence';
    case 'alarm':
      return `alarm-${gate.alarmName}`;
  }
}
