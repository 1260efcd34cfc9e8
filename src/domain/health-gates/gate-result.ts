// What a health gate says about a stage: PASS, FAIL or INCONCLUSIVE, one plain reason, and the evidence behind it.
import type { AlarmStateValue } from '#ports/health-signals.ts';
import type { HealthGateSpec } from './gate-spec.ts';

export const GateStatus = { PASS: 'PASS', FAIL: 'FAIL', INCONCLUSIVE: 'INCONCLUSIVE' } as const;
export type GateStatus = (typeof GateStatus)[keyof typeof GateStatus];

/** One cohort's side of a rate gate. */
export interface CohortRate {
  events: number;
  exposureHours: number;
  /** events per device-hour (0 with no exposure). */
  perDeviceHour: number;
}

export interface RateGateEvidence {
  kind: 'rate';
  metric: string;
  treatment: CohortRate;
  control: CohortRate;
  /** Treatment rate over control rate (null until both have events and exposure). */
  ratio: number | null;
  /** A 1 − promoteErrorBudget interval for the ratio at this look only, for people (the verdict uses the sequential test). */
  ratioBand: [number, number] | null;
  maxRatio: number;
  unacceptableRatio: number;
  /** The bound on this gate failing an acceptable release, over every look (its share of the budget). */
  rollbackErrorBudget: number;
  /** The bound on this gate passing an unacceptable release, over every look. */
  promoteErrorBudget: number;
  /** ln Λ of "ratio = unacceptableRatio" against "ratio = maxRatio", summed over periods. */
  logLikelihoodRatio: number;
  failThreshold: number;
  passThreshold: number;
  /** Periods with exposure on both sides (the others carry no information about the ratio). */
  periodsUsed: number;
  /**
   * The latest period had devices on the new version and none left on the previous one (the last stage reached
   * them all): no more evidence can come.
   */
  controlGone: boolean;
}

export interface SilenceGateEvidence {
  kind: 'silence';
  /** Devices that reported SUCCEEDED at least `afterReports` report periods ago. */
  dueBack: number;
  /** Of those, devices whose first health report after the update has not arrived. */
  neverCameBack: number;
  rollbackErrorBudget: number;
  promoteErrorBudget: number;
  logLikelihoodRatio: number;
  failThreshold: number;
  passThreshold: number;
}

export interface AlarmGateEvidence {
  kind: 'alarm';
  alarmName: string;
  state: AlarmStateValue;
  reason?: string;
  since?: string;
}

export type GateEvidence = RateGateEvidence | SilenceGateEvidence | AlarmGateEvidence;

export interface GateResult {
  name: string;
  kind: HealthGateSpec['kind'];
  critical: boolean;
  status: GateStatus;
  reason: string;
  evidence: GateEvidence;
  /**
   * INCONCLUSIVE only: how much longer to bake, at the exposure the stage gains per second now, before the gate can
   * expect a verdict (extending by exposure, not by a fixed time). Absent when no estimate can be made.
   */
  needSeconds?: number;
}
