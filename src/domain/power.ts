// Power analysis: what a stage of n devices can tell under a health policy, before the release starts.
// "With 100 devices and max failure rate 2 % at 95 % confidence, a defect that fails ≥ 7.6 % of devices is caught
// with probability ≥ 0.9." It asks the judge itself (exactly, over every failure count), so it cannot drift from it.
import { binomialUpperTail } from './binomial.ts';
import { Verdict } from './decision.ts';
import { judge } from './judge.ts';
import { formatLimit, formatQuantity, formatRate } from './percent.ts';
import type { HealthPolicy } from './release-request.ts';
import { ZERO_COUNTS } from './stage-counts.ts';
import { wilsonBounds, zForConfidence } from './wilson.ts';

/** The probability of catching a defect that power analyses speak of. */
export const DETECTION_PROBABILITY = 0.9;
/** A stage that only catches defects above this multiple of the limit is flagged as too small. */
export const TOO_COARSE_FACTOR = 5;

export interface PowerAnalysis {
  cohort: number;
  /** The fewest failures among `cohort` executions that make the judge roll back; absent when none do. */
  failuresToRollBack?: number;
  /** The smallest true failure rate the judge catches with probability ≥ 0.9; absent when it cannot. */
  detectableRate?: number;
  /** Whether a stage of this size with no failures at all can be promoted. */
  canPromoteClean: boolean;
  /** The smallest stage that can be promoted when nothing fails. */
  minimumCohortToPromote: number;
  tooSmall: boolean;
  /** What the stage can catch, in one plain sentence. */
  summary: string;
  /** Why the stage is too small, in one short sentence; present only when `tooSmall`. */
  warning?: string;
}

type PowerPolicy = Omit<HealthPolicy, 'inconclusive' | 'maxExtensions' | 'extendBy'> & Partial<HealthPolicy>;

export function analysePower(cohort: number, policy: PowerPolicy): PowerAnalysis {
  // Judge as at the end of a complete bake, on evidence alone: a policy that rolls back inconclusive stages would
  // otherwise make a clean stage look like a detected defect.
  const evidencePolicy = { ...policy, inconclusive: 'hold' as const, maxExtensions: 0, extendBy: undefined };
  const verdictWith = (n: number, failures: number) =>
    judge({ ...ZERO_COUNTS, targeted: n, succeeded: n - failures, failed: failures }, evidencePolicy, { bakedSeconds: 1, bakeSeconds: 1, extensionsUsed: 0 }).verdict;

  const minimumCohortToPromote = smallestPromotableCohort(policy, (n) => verdictWith(n, 0) === Verdict.PROMOTE);
  const conditions = `max failure rate ${formatLimit(policy.maxFailureRate)} at ${formatLimit(policy.confidence)} confidence`;
  if (cohort <= 0) {
    return { cohort, canPromoteClean: true, minimumCohortToPromote, tooSmall: false, summary: 'the stage has no devices, so there is nothing to judge' };
  }

  const canPromoteClean = verdictWith(cohort, 0) === Verdict.PROMOTE;
  const failuresToRollBack = fewestFailuresToRollBack(cohort, (f) => verdictWith(cohort, f) === Verdict.ROLLBACK);
  const detectableRate = failuresToRollBack === undefined ? undefined : smallestDetectableRate(failuresToRollBack, cohort);
  const tooCoarse = detectableRate === undefined || detectableRate > TOO_COARSE_FACTOR * policy.maxFailureRate;
  const tooSmall = !canPromoteClean || tooCoarse;

  const stage = `with ${formatQuantity(cohort, 'device')} and ${conditions}`;
  const summary =
    detectableRate === undefined || failuresToRollBack === undefined
      ? `${stage}, no number of failures makes the judge roll back`
      : `${stage}, a defect that fails ≥ ${formatRate(detectableRate)} of devices is caught with probability ≥ ${DETECTION_PROBABILITY} (${formatQuantity(failuresToRollBack, 'failure')} ${failuresToRollBack === 1 ? 'rolls' : 'roll'} it back)`;

  return {
    cohort,
    ...(failuresToRollBack === undefined ? {} : { failuresToRollBack }),
    ...(detectableRate === undefined ? {} : { detectableRate }),
    canPromoteClean,
    minimumCohortToPromote,
    tooSmall,
    summary,
    ...(tooSmall ? { warning: `too small: ${tooSmallBecause(cohort, policy, canPromoteClean, minimumCohortToPromote, detectableRate)}` } : {}),
  };
}

/** The one reason a stage is too small that matters most: a stage that can never be promoted says only that. */
function tooSmallBecause(cohort: number, policy: PowerPolicy, canPromoteClean: boolean, minimumCohortToPromote: number, detectableRate: number | undefined): string {
  const limit = `the ${formatLimit(policy.maxFailureRate)} limit`;
  if (!canPromoteClean) {
    const { upper } = wilsonBounds(0, cohort, policy.confidence);
    return `even with no failures the upper bound ${formatRate(upper)} stays above ${limit}, so promoting on evidence takes at least ${formatQuantity(minimumCohortToPromote, 'device')}`;
  }
  if (detectableRate === undefined) return 'no number of failures rolls it back';
  return `it only catches defects above ${TOO_COARSE_FACTOR}× ${limit}`;
}

/** The judge's ROLLBACK is monotone in failures for a fixed cohort (a property test holds it to that): bisect. */
function fewestFailuresToRollBack(cohort: number, rollsBack: (failures: number) => boolean): number | undefined {
  if (!rollsBack(cohort)) return undefined;
  let low = 0;
  let high = cohort;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (rollsBack(middle)) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** The smallest p with P(X ≥ k) ≥ 0.9 for X ~ Binomial(n, p), rounded up to 0.1 %. */
function smallestDetectableRate(k: number, n: number): number {
  let low = 0;
  let high = 1;
  for (let i = 0; i < 60; i++) {
    const middle = (low + high) / 2;
    if (binomialUpperTail(k, n, middle) >= DETECTION_PROBABILITY) high = middle;
    else low = middle;
  }
  return Math.ceil(high * 1000 - 1e-9) / 1000;
}

/** Starts from the Wilson formula (z²(1−m)/m for zero failures) and lets the judge have the last word. */
function smallestPromotableCohort(policy: PowerPolicy, promotes: (n: number) => boolean): number {
  const m = policy.maxFailureRate;
  if (m >= 1) return 1;
  const z = zForConfidence(policy.confidence);
  const z2 = z * z;
  let n = Math.max(1, Math.floor((z2 * (1 - m)) / m) - 2);
  while (!promotes(n) && n < 1e9) n += 1;
  return n;
}
