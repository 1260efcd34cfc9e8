// The judge's statistical rule: Wald's sequential probability ratio test (SPRT) between an acceptable failure rate p0
// and an unacceptable one p1, with Ville's thresholds, so that the stated confidence holds over every look the workflow
// takes (each failure event, the bake end, every extension), not just one.
//
// After n executions with x (weighted) failures the likelihood ratio of "rate = p1" against "rate = p0" is
//   Λ = (p1/p0)^x · ((1−p1)/(1−p0))^(n−x).
// For any true rate ≤ p0 the sequence Λ₁, Λ₂, … is a non-negative supermartingale with Λ₀ = 1, so by Ville's inequality
// the chance it EVER reaches 1/α is at most α, whatever the looks and whenever the workflow stops (Ville 1939; Wald
// 1945; Ramdas et al. 2023, "Game-theoretic statistics and safe anytime-valid inference", §3). Symmetrically 1/Λ is a
// supermartingale for any rate ≥ p1. Hence:
//   ROLLBACK when Λ ≥ 1/α  — a stage at or below the acceptable rate is ever rolled back with probability ≤ α;
//   PROMOTE  when Λ ≤ α    — a stage at or above the unacceptable rate is ever promoted with probability ≤ α.
// Between p0 and p1 (the indifference zone) either answer is acceptable. α = 1 − confidence.
// Weighted failures (weights in [0, 1]) keep both bounds: Λ is convex in each execution's failure score, so its
// expectation is largest when scores are 0 or 1 (docs/architecture.md, "The judge").
// Pure arithmetic on counts and policy: no clock, no I/O.
import type { HealthPolicy } from './release-request.ts';

export type SequentialPolicy = Pick<HealthPolicy, 'maxFailureRate' | 'unacceptableFailureRate' | 'confidence'> & {
  /**
   * The confidence of the rollback line when it differs from the promotion line's: with health gates, the tests that
   * can roll a release back share the budget for wrong rollbacks (health-gates/gates.ts), while each keeps the whole
   * budget for wrong promotions (a release bad in one respect is promoted only if that respect's test passes it).
   */
  rollbackConfidence?: number;
};

export interface SequentialEvidence {
  rule: 'sprt';
  /** p0: a stage at or below this rate should go on (the policy's maxFailureRate). */
  acceptableRate: number;
  /** p1: a stage at or above this rate must be stopped. */
  unacceptableRate: number;
  /** α = 1 − confidence: the bound on a wrong promotion over all looks together. */
  errorBudget: number;
  /** The bound on a wrong rollback over all looks: α, or this test's share of it when health gates share it. */
  rollbackErrorBudget: number;
  /** ln Λ: positive when the counts favour the unacceptable rate. */
  logLikelihoodRatio: number;
  /** ln Λ at or above this (ln 1/α) rolls back. */
  rollbackThreshold: number;
  /** ln Λ at or below this (ln α) is evidence enough to promote. */
  promoteThreshold: number;
  /**
   * The chance that a stage at the acceptable rate would ever show evidence this strong against it: min(1, 1/Λ), an
   * anytime-valid p-value. The rule rolls back once it is at most the error budget.
   */
  anytimePValue: number;
  /** With this many executions: the fewest failures that roll back, or null when none would. */
  rollbackAtFailures: number | null;
  /** With this many executions: the most failures that still allow promotion, or null when even none would not. */
  promoteAtFailures: number | null;
}

/** The default unacceptable rate: twice the acceptable one (a 2:1 indifference zone), kept below 1. */
export function defaultUnacceptableRate(acceptable: number): number {
  return Math.min(2 * acceptable, (1 + acceptable) / 2);
}

/** ln Λ for `failures` (weighted, so possibly fractional) among `executed`. */
export function logLikelihoodRatio(failures: number, executed: number, policy: Pick<SequentialPolicy, 'maxFailureRate' | 'unacceptableFailureRate'>): number {
  const p0 = policy.maxFailureRate;
  const p1 = policy.unacceptableFailureRate;
  const x = Math.min(Math.max(failures, 0), executed);
  const successes = executed - x;
  // 0 · ln(anything) is 0 here, also when the log is infinite (p0 = 0 or p1 = 1): no failures, no failure evidence.
  const failureTerm = x === 0 ? 0 : x * Math.log(p1 / p0);
  const successTerm = successes === 0 ? 0 : successes * Math.log((1 - p1) / (1 - p0));
  return failureTerm + successTerm;
}

/** ln(1/α) (α this test's share for wrong rollbacks): ln Λ at or above it rolls back. */
export function rollbackThreshold(policy: Pick<SequentialPolicy, 'confidence' | 'rollbackConfidence'>): number {
  return -Math.log(1 - (policy.rollbackConfidence ?? policy.confidence));
}

/** ln α: ln Λ at or below it is evidence enough to promote. */
export function promoteThreshold(policy: Pick<SequentialPolicy, 'confidence'>): number {
  return Math.log(1 - policy.confidence);
}

export function sequentialTest(failures: number, executed: number, policy: SequentialPolicy): SequentialEvidence {
  const llr = logLikelihoodRatio(failures, executed, policy);
  return {
    rule: 'sprt',
    acceptableRate: policy.maxFailureRate,
    unacceptableRate: policy.unacceptableFailureRate,
    errorBudget: 1 - policy.confidence,
    rollbackErrorBudget: 1 - (policy.rollbackConfidence ?? policy.confidence),
    logLikelihoodRatio: llr,
    rollbackThreshold: rollbackThreshold(policy),
    promoteThreshold: promoteThreshold(policy),
    anytimePValue: Math.min(1, Math.exp(-llr)),
    rollbackAtFailures: fewestFailuresToRollBack(executed, policy),
    promoteAtFailures: mostFailuresToPromote(executed, policy),
  };
}

/**
 * The first whole number in [low, high] for which a monotone predicate (false … false, true … true) holds, or null
 * when it never does. Lines in failures and the power analysis's bisections all ask this.
 */
export function firstWhere(low: number, high: number, holds: (n: number) => boolean): number | null {
  if (high < low || !holds(high)) return null;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (holds(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** The fewest whole failures among `executed` that reach the rollback line, or null. Monotone in failures. */
export function fewestFailuresToRollBack(executed: number, policy: SequentialPolicy): number | null {
  const threshold = rollbackThreshold(policy);
  return executed <= 0 ? null : firstWhere(0, executed, (x) => logLikelihoodRatio(x, executed, policy) >= threshold);
}

/** The most whole failures among `executed` that still reach the promotion line, or null. */
export function mostFailuresToPromote(executed: number, policy: SequentialPolicy): number | null {
  const threshold = promoteThreshold(policy);
  if (executed <= 0) return null;
  const firstOver = firstWhere(0, executed, (x) => logLikelihoodRatio(x, executed, policy) > threshold);
  if (firstOver === 0) return null;
  return firstOver === null ? executed : firstOver - 1;
}
