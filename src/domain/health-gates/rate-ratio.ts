// The rate gate: events per device-hour (crashes, reboots) on the new version against the previous version over the
// same periods (the concurrent control), as a sequential test that holds over every look, like the install test.
//
// Within one period, given that n events happened on either side, each of them is a treatment event with probability
//   π(ρ) = ρ·Eₜ / (ρ·Eₜ + E꜀)
// when the treatment's rate is ρ times the control's (Eₜ, E꜀ the two sides' device-seconds in the period): the Poisson
// counts conditioned on their sum are binomial, and the unknown control rate drops out (Cox 1953; the conditional
// test for comparing Poisson rates, Lehmann & Romano, "Testing Statistical Hypotheses", §4.6). So a period is a
// binomial trial with p0 = π(maxRatio) against p1 = π(unacceptableRatio), and its likelihood ratio is the install
// test's (sequential-test.ts). The product over periods is a non-negative supermartingale for any ratio ≤ maxRatio
// (periods are independent given the exposures), so by Ville's inequality it ever reaches 1/α with probability ≤ α:
// FAIL then. Symmetrically PASS at ≤ α. A bad night for the network raises both sides and leaves the ratio alone.
// Pure arithmetic on the buckets: no clock, no I/O.
import type { HealthBucket } from '#ports/health-signals.ts';
import { wilsonInterval } from '../binomial-interval.ts';
import { logLikelihoodRatio } from '../sequential-test.ts';
import { formatCount, formatHours, formatLimit } from '../percent.ts';
import { formatDuration } from '../duration.ts';
import { GateStatus, type CohortRate, type GateResult, type RateGateEvidence } from './gate-result.ts';
import { gateNameOf, type RateGateSpec } from './gate-spec.ts';
import type { GateBudgets } from './gates.ts';

const HOUR = 3600;

/** The ratio a release must not be promoted at: the gate's own, or twice the acceptable one. */
export function unacceptableRatioOf(spec: Pick<RateGateSpec, 'maxRatio' | 'unacceptableRatio'>): number {
  return spec.unacceptableRatio ?? 2 * spec.maxRatio;
}

/** The chance that one event is the treatment's when its rate is `ratio` times the control's. */
export function treatmentShare(ratio: number, treatmentSeconds: number, controlSeconds: number): number {
  return (ratio * treatmentSeconds) / (ratio * treatmentSeconds + controlSeconds);
}

export function rateRatioEvidence(buckets: readonly HealthBucket[], spec: RateGateSpec, budgets: GateBudgets): RateGateEvidence {
  const metric = spec.metric;
  const unacceptableRatio = unacceptableRatioOf(spec);
  let llr = 0;
  let periodsUsed = 0;
  const totals = { treatment: { events: 0, seconds: 0 }, control: { events: 0, seconds: 0 } };
  // The ratio's point estimate and band use only the periods the test uses, so they describe the same comparison.
  const paired = { treatment: { events: 0, seconds: 0 }, control: { events: 0, seconds: 0 } };
  for (const bucket of buckets) {
    const t = bucket.treatment;
    const c = bucket.control;
    totals.treatment.events += t[metric];
    totals.treatment.seconds += t.exposureSeconds;
    totals.control.events += c[metric];
    totals.control.seconds += c.exposureSeconds;
    // Without exposure on both sides an event says nothing about the ratio (it belongs to the only side there is).
    if (t.exposureSeconds <= 0 || c.exposureSeconds <= 0) continue;
    periodsUsed++;
    paired.treatment.events += t[metric];
    paired.treatment.seconds += t.exposureSeconds;
    paired.control.events += c[metric];
    paired.control.seconds += c.exposureSeconds;
    const events = t[metric] + c[metric];
    if (events === 0) continue;
    llr += logLikelihoodRatio(t[metric], events, {
      maxFailureRate: treatmentShare(spec.maxRatio, t.exposureSeconds, c.exposureSeconds),
      unacceptableFailureRate: treatmentShare(unacceptableRatio, t.exposureSeconds, c.exposureSeconds),
    });
  }
  return {
    kind: 'rate',
    metric,
    treatment: cohortRate(totals.treatment),
    control: cohortRate(totals.control),
    ratio: ratioOf(paired),
    ratioBand: ratioBand(paired, budgets.promote),
    maxRatio: spec.maxRatio,
    unacceptableRatio,
    rollbackErrorBudget: budgets.rollback,
    promoteErrorBudget: budgets.promote,
    logLikelihoodRatio: llr,
    failThreshold: -Math.log(budgets.rollback),
    passThreshold: Math.log(budgets.promote),
    periodsUsed,
    controlGone: controlGone(buckets),
  };
}

function controlGone(buckets: readonly HealthBucket[]): boolean {
  const latest = buckets.at(-1);
  return latest !== undefined && latest.treatment.exposureSeconds > 0 && latest.control.exposureSeconds === 0;
}

export function evaluateRateGate(spec: RateGateSpec, buckets: readonly HealthBucket[], budgets: GateBudgets): GateResult {
  const evidence = rateRatioEvidence(buckets, spec, budgets);
  const base = { name: gateNameOf(spec), kind: 'rate' as const, critical: spec.critical, evidence };
  const { treatment, control } = evidence;
  const sides = `${describeSide(spec.metric, treatment)} on the new version against ${describeSide(spec.metric, control)} on the previous one`;
  const bound = (budget: number) => `at ${formatLimit(1 - budget)} confidence over every look`;
  if (evidence.logLikelihoodRatio >= evidence.failThreshold) {
    return { ...base, status: GateStatus.FAIL, reason: `${spec.metric} rate ${describeRatio(evidence)} the previous version's is above ${spec.maxRatio}× ${bound(budgets.rollback)} (${sides})` };
  }
  if (evidence.logLikelihoodRatio <= evidence.passThreshold) {
    return { ...base, status: GateStatus.PASS, reason: `${spec.metric} rate ${describeRatio(evidence)} the previous version's is below ${evidence.unacceptableRatio}× ${bound(budgets.promote)} (${sides})` };
  }
  if (evidence.controlGone && evidence.periodsUsed > 0) {
    // Waiting cannot add evidence, and what there is did not reach the failing line: this stage (a last stage at
    // 100 % soon leaves no control) cannot be judged on this gate, and the stages before it were judged with one.
    return { ...base, status: GateStatus.PASS, reason: `${spec.metric} rate: not decisive when the last devices left the previous version, so the earlier stages' verdicts stand (${sides})` };
  }
  const needSeconds = evidence.controlGone ? undefined : secondsToPass(evidence, buckets);
  const wait = needSeconds === undefined ? '' : `; about ${formatDuration(needSeconds)} more at this exposure to pass a release as good as the previous one`;
  const why = evidence.controlGone
    ? 'no device on the previous version was ever running beside the new version past its warm-up, so there is nothing to compare with'
    : evidence.periodsUsed === 0
      ? 'no period yet has devices on both versions past their warm-up'
      : `cannot yet tell ${spec.maxRatio}× from ${evidence.unacceptableRatio}× (${sides})`;
  return { ...base, status: GateStatus.INCONCLUSIVE, reason: `${spec.metric} rate: ${why}${wait}`, ...(needSeconds === undefined ? {} : { needSeconds }) };
}

/**
 * How long, at the exposure the latest period gained per second and the control's rate so far, until a release as
 * good as the previous one (ratio 1) is expected to reach the PASS line: the expected drift of ln Λ per second is
 *   λ꜀ · (Eₜ′ · ln(π₁/π₀) + E꜀′ · ln((1−π₁)/(1−π₀)))
 * (Wald's approximation, overshoot ignored). Undefined when the control shows no events yet or the drift is not down.
 */
function secondsToPass(evidence: RateGateEvidence, buckets: readonly HealthBucket[]): number | undefined {
  const latest = [...buckets].reverse().find((b) => b.treatment.exposureSeconds > 0 && b.control.exposureSeconds > 0);
  if (!latest || evidence.control.exposureHours === 0) return undefined;
  const controlRate = evidence.control.events / (evidence.control.exposureHours * HOUR);
  if (controlRate <= 0) return undefined;
  const periodSeconds = periodLength(buckets);
  const et = latest.treatment.exposureSeconds / periodSeconds;
  const ec = latest.control.exposureSeconds / periodSeconds;
  const p0 = treatmentShare(evidence.maxRatio, et, ec);
  const p1 = treatmentShare(evidence.unacceptableRatio, et, ec);
  const drift = controlRate * (et * Math.log(p1 / p0) + ec * Math.log((1 - p1) / (1 - p0)));
  if (!(drift < 0)) return undefined;
  return Math.ceil((evidence.logLikelihoodRatio - evidence.passThreshold) / -drift);
}

function periodLength(buckets: readonly HealthBucket[]): number {
  if (buckets.length < 2) return 60;
  return Math.max(60, (Date.parse(buckets[1]!.start) - Date.parse(buckets[0]!.start)) / 1000);
}

function cohortRate(side: { events: number; seconds: number }): CohortRate {
  const exposureHours = side.seconds / HOUR;
  return { events: side.events, exposureHours, perDeviceHour: exposureHours > 0 ? side.events / exposureHours : 0 };
}

function ratioOf(paired: { treatment: { events: number; seconds: number }; control: { events: number; seconds: number } }): number | null {
  const { treatment: t, control: c } = paired;
  if (t.seconds <= 0 || c.seconds <= 0 || c.events === 0) return null;
  return t.events / t.seconds / (c.events / c.seconds);
}

/**
 * The ratio's band at this look: the Wilson interval for the treatment's share of the events (Wilson 1927), mapped to
 * a ratio through the exposures. For people reading one look; it is not what decides.
 */
function ratioBand(paired: { treatment: { events: number; seconds: number }; control: { events: number; seconds: number } }, errorBudget: number): [number, number] | null {
  const { treatment: t, control: c } = paired;
  const n = t.events + c.events;
  if (n === 0 || t.seconds <= 0 || c.seconds <= 0) return null;
  const share = wilsonInterval(t.events, n, 1 - errorBudget);
  const toRatio = (p: number) => (p >= 1 ? Number.POSITIVE_INFINITY : (p / (1 - p)) * (c.seconds / t.seconds));
  return [toRatio(share.low), toRatio(share.high)];
}

function describeSide(metric: string, side: CohortRate): string {
  // "crashes" / "reboots" are plural metric names; one event reads "1 crash" / "1 reboot".
  const unit = side.events === 1 ? metric.replace(/es$/, '').replace(/s$/, '') : metric;
  return `${formatCount(side.events)} ${unit} in ${formatHours(side.exposureHours)} device-hours`;
}

function describeRatio(evidence: RateGateEvidence): string {
  return evidence.ratio === null ? 'against' : `at ${evidence.ratio.toFixed(2)}× of`;
}
