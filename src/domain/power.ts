// Power analysis: what a stage of n devices can tell under a health policy, before the release starts, computed for
// the sequential design the workflow really runs, not for one look. Executions report one by one; the workflow looks
// at every failure (the early checks on failure events: only a rollback can come of them) and once more when all have
// reported (the bake end: promote, roll back or hold). The rollback and promotion rules are the judge's own
// (`rollbackRulesBreached`, `promotable`), and the probabilities are exact: a dynamic programme over (reports,
// failures), not a simulation, so `validate` prints the same numbers every time.
import { hasEnoughExecuted, type JudgePolicy, promotable, rollbackRulesBreached } from './judge.ts';
import { formatCount, formatLimit, formatQuantity, formatRate } from './percent.ts';
import { firstWhere, mostFailuresToPromote } from './sequential-test.ts';

/** The probability of catching a defect that power analyses speak of. */
export const DETECTION_PROBABILITY = 0.9;
/** A stage that only catches defects above this multiple of the limit is flagged as too small. */
export const TOO_COARSE_FACTOR = 5;
/** Reports analysed per stage: enough to settle every question here; a larger stage only adds evidence. */
export const ANALYSED_REPORTS = 20_000;
/** Multiples of the acceptable rate whose rollback speed `validate` prints. */
export const DEFECT_MULTIPLES = [2, 4] as const;
/** A good release, for the HOLD rate: failing at half the acceptable rate. */
export const GOOD_FRACTION = 0.5;

export interface LookScheduleOutcome {
  /** Chance the stage is rolled back at some look. */
  rollback: number;
  /** Chance it is promoted at the final look. */
  promote: number;
  /** Chance nothing is decisive at the final look (HOLD, or an extension that cannot add evidence). */
  hold: number;
  /** Mean reports (executions ended) at the look that rolls it back; NaN when it never rolls back. */
  meanReportsAtRollback: number;
}

export interface DefectSpeed {
  multiple: number;
  rate: number;
  rollbackProbability: number;
  /** The wrong call at this rate: promoted (at most 1 − confidence at or above the unacceptable rate). */
  promoteProbability: number;
  meanReportsAtRollback: number;
}

export interface PowerAnalysis {
  cohort: number;
  /** Reports the analysis covers: the cohort, or its first ANALYSED_REPORTS. */
  analysedReports: number;
  /** With every device reported, the fewest failures that roll the stage back; absent when none do. */
  failuresToRollBack?: number;
  /** The smallest true failure rate rolled back with probability ≥ 0.9 over all looks; absent when none is. */
  detectableRate?: number;
  /** Chance a stage failing exactly at the acceptable rate is ever rolled back, by any rule. */
  falseRollbackAtLimit: number;
  /** The same by the sequential test alone: at most 1 − confidence, whatever the looks. */
  falseRollbackAtLimitSequential: number;
  /**
   * Chance a stage is rolled back when its bad executions are timeouts at the acceptable rate: the timeout line is a
   * plain rate asked at every look, so it can break the promise the sequential test keeps.
   */
  falseRollbackOnTimeouts: number;
  /** How surely and how soon defects at 2× and 4× the acceptable rate are rolled back. */
  defects: DefectSpeed[];
  /** Chance a good stage (half the acceptable rate) ends in HOLD or is rolled back instead of promoted. */
  goodNotPromoted: number;
  /** Whether a stage of this size with no failures at all can be promoted. */
  canPromoteClean: boolean;
  /** The smallest stage that can be promoted when nothing fails. */
  minimumCohortToPromote: number;
  tooSmall: boolean;
  /** What the stage can catch, in one plain sentence. */
  summary: string;
  /** How fast it catches defects and how often a good stage waits for a person, one sentence each. */
  details: string[];
  /** What is wrong with the stage, in one short sentence ("is too small: …"); absent when nothing is. */
  warning?: string;
}

export type PowerPolicy = Omit<JudgePolicy, 'inconclusive' | 'maxExtensions' | 'extendBy'>;

/** Mass below this is dropped from the programme's edges: far below anything printed. */
const NEGLIGIBLE = 1e-13;

/**
 * The exact outcome of a stage of `cohort` devices whose executions each fail with probability `rate` (a failure
 * counts with the policy's weight for FAILED), under the workflow's look schedule, over its first `horizon` reports.
 *
 * The rule can only start to roll back by a failure (a success lowers the evidence, and the lines only rise with more
 * reports), so absorbing every state past the rollback line after each report is the same as looking at each failure.
 * The one exception is the report that meets the minimum executed: it is counted as a look, although the workflow
 * sees those counts at the next failure or the bake end. That errs towards more rollbacks, by very little.
 */
export function lookScheduleOutcome(
  cohort: number,
  policy: PowerPolicy,
  rate: number,
  horizon = Math.min(cohort, ANALYSED_REPORTS),
  outcome: 'failed' | 'timedOut' = 'failed',
): LookScheduleOutcome {
  if (cohort <= 0) return { rollback: 0, promote: 1, hold: 0, meanReportsAtRollback: Number.NaN };
  // Every bad execution ends the one way: FAILED, or TIMED_OUT (then the timeout line applies too: with no outright
  // failures, timeouts over succeeded + timed out is timeouts over reports).
  const weight = policy.failureWeights[outcome];
  const rollsBack = (reports: number, bad: number) => {
    const breached = rollbackRulesBreached(bad * weight, reports, cohort, policy, outcome === 'timedOut' ? bad / reports : 0);
    return breached.sequential || breached.hard || breached.timeouts;
  };
  // mass[k - low] = P(k failures among the reports so far, and no rollback yet).
  let mass = new Float64Array(64);
  let next = new Float64Array(64);
  let low = 0;
  let size = 1;
  mass[0] = 1;
  let rolledBack = 0;
  let reportsAtRollback = 0;
  let line = 0; // the fewest failures that roll back at n reports; never falls as n grows
  for (let n = 1; n <= horizon; n++) {
    if (size + 1 > next.length) {
      next = new Float64Array(next.length * 2);
      const grown = new Float64Array(mass.length * 2);
      grown.set(mass.subarray(0, size));
      mass = grown;
    }
    next[0] = mass[0]! * (1 - rate);
    for (let i = 1; i < size; i++) next[i] = mass[i]! * (1 - rate) + mass[i - 1]! * rate;
    next[size] = mass[size - 1]! * rate;
    let end = size + 1;
    if (hasEnoughExecuted(n, cohort, policy.minExecuted)) {
      while (line <= n && !rollsBack(n, line)) line++;
      for (let i = Math.max(0, line - low); i < end; i++) {
        rolledBack += next[i]!;
        reportsAtRollback += next[i]! * n;
        next[i] = 0;
      }
    }
    // Keep the window to the live part of the distribution.
    let start = 0;
    while (start < end - 1 && next[start]! < NEGLIGIBLE) start++;
    while (end > start + 1 && next[end - 1]! < NEGLIGIBLE) end--;
    for (let i = start; i < end; i++) mass[i - start] = next[i]!;
    low += start;
    size = end - start;
  }
  let promote = 0;
  let hold = 0;
  for (let i = 0; i < size; i++) {
    if (promotable((low + i) * weight, horizon, cohort, policy)) promote += mass[i]!;
    else hold += mass[i]!;
  }
  return { rollback: rolledBack, promote, hold, meanReportsAtRollback: rolledBack > 0 ? reportsAtRollback / rolledBack : Number.NaN };
}

export function analysePower(cohort: number, policy: PowerPolicy): PowerAnalysis {
  const minimumCohortToPromote = smallestPromotableCohort(policy);
  const rollbackConfidence = policy.rollbackConfidence ?? policy.confidence;
  const shared = rollbackConfidence === policy.confidence ? '' : ` (rollback line at ${formatLimit(rollbackConfidence)}: the install test's share beside the health gates)`;
  const conditions = `acceptable failure rate ${formatLimit(policy.maxFailureRate)}, unacceptable ${formatLimit(policy.unacceptableFailureRate)}, at ${formatLimit(policy.confidence)} confidence${shared}`;
  if (cohort <= 0) {
    return {
      cohort,
      analysedReports: 0,
      falseRollbackAtLimit: 0,
      falseRollbackAtLimitSequential: 0,
      falseRollbackOnTimeouts: 0,
      defects: [],
      goodNotPromoted: 0,
      canPromoteClean: true,
      minimumCohortToPromote,
      tooSmall: false,
      summary: 'the stage has no devices, so there is nothing to judge',
      details: [],
    };
  }
  const horizon = Math.min(cohort, ANALYSED_REPORTS);
  const outcome = (rate: number) => lookScheduleOutcome(cohort, policy, rate, horizon);
  const canPromoteClean = promotable(0, horizon, cohort, policy);
  const failuresToRollBack = fewestFailuresToRollBackAll(cohort, policy);
  const detectableRate = smallestDetectableRate(policy, outcome);
  const falseRollbackAtLimit = outcome(policy.maxFailureRate).rollback;
  // The hard line is IoT-style (a plain rate after minExecuted), so it adds wrong rollbacks of its own: say how many.
  const falseRollbackAtLimitSequential = lookScheduleOutcome(cohort, { ...policy, hardFailureRate: 1 }, policy.maxFailureRate, horizon).rollback;
  // Wrong rollbacks at the limit are bounded by the install test's share of the budget for them.
  const budget = 1 - rollbackConfidence;
  const hardLineTooLow = falseRollbackAtLimit > budget;
  const defects = DEFECT_MULTIPLES.filter((multiple) => multiple * policy.maxFailureRate <= 1).map((multiple) => {
    const rate = multiple * policy.maxFailureRate;
    const result = outcome(rate);
    return { multiple, rate, rollbackProbability: result.rollback, promoteProbability: result.promote, meanReportsAtRollback: result.meanReportsAtRollback };
  });
  // Timeouts count as failures in the test; the timeout line is a plain rate on top. A stage timing out at the
  // acceptable rate is acceptable, so the line must not roll it back more often than the confidence allows.
  const falseRollbackOnTimeouts = lookScheduleOutcome(cohort, policy, policy.maxFailureRate, horizon, 'timedOut').rollback;
  const timeoutLineTooLow = falseRollbackOnTimeouts > budget;
  const goodRate = GOOD_FRACTION * policy.maxFailureRate;
  const goodNotPromoted = 1 - outcome(goodRate).promote;
  const tooCoarse = detectableRate === undefined || detectableRate > TOO_COARSE_FACTOR * policy.maxFailureRate;
  const tooSmall = !canPromoteClean || tooCoarse;

  const stage = `with ${formatQuantity(cohort, 'device')} and ${conditions}`;
  const analysed = horizon < cohort ? ` within its first ${formatCount(horizon)} reports` : '';
  const summary =
    detectableRate === undefined
      ? `${stage}, no defect is caught with probability ≥ ${DETECTION_PROBABILITY}${analysed}`
      : `${stage}, a defect that fails ≥ ${formatRate(detectableRate)} of devices is caught with probability ≥ ${DETECTION_PROBABILITY} over every look${analysed}`;
  const details = [
    ...defects.map(
      (d) =>
        `at ${d.multiple}× the limit (${formatLimit(d.rate)}) it rolls back ${formatShare(d.rollbackProbability)} of the time${Number.isNaN(d.meanReportsAtRollback) ? '' : ` (after ${formatQuantity(Math.round(d.meanReportsAtRollback), 'report')} on average)`} and promotes ${formatShare(d.promoteProbability)}; a person decides the rest`,
    ),
    `a good release (${formatLimit(goodRate)}) waits for a person or rolls back ${formatShare(goodNotPromoted)} of the time instead of promoting`,
    `one failing at the limit is ever rolled back ${formatShare(falseRollbackAtLimit)} of the time${falseRollbackAtLimit - falseRollbackAtLimitSequential >= 0.001 ? `: ${formatShare(falseRollbackAtLimitSequential)} by the sequential test (at most ${formatLimit(budget)}), the rest by the hard limit` : ` (at most ${formatLimit(budget)})`}`,
    `one whose devices time out at the limit instead of failing is rolled back ${formatShare(falseRollbackOnTimeouts)} of the time (timeout line ${formatLimit(policy.maxTimeoutRate)})`,
  ];

  return {
    cohort,
    analysedReports: horizon,
    ...(failuresToRollBack === undefined ? {} : { failuresToRollBack }),
    ...(detectableRate === undefined ? {} : { detectableRate }),
    falseRollbackAtLimit,
    falseRollbackAtLimitSequential,
    falseRollbackOnTimeouts,
    defects,
    goodNotPromoted,
    canPromoteClean,
    minimumCohortToPromote,
    tooSmall,
    summary,
    details,
    ...(tooSmall
      ? { warning: `is too small: ${tooSmallBecause(policy, canPromoteClean, minimumCohortToPromote, detectableRate)}` }
      : hardLineTooLow
        ? {
            warning: `breaks the confidence: its hard limit of ${formatLimit(policy.hardFailureRate)} after ${formatQuantity(policy.minExecuted, 'execution')} rolls back a stage failing at the ${formatLimit(policy.maxFailureRate)} limit ${formatShare(falseRollbackAtLimit)} of the time, more than the ${formatLimit(budget)} the confidence allows; raise hardFailureRate or minExecuted`,
          }
        : timeoutLineTooLow
          ? {
              warning: `breaks the confidence: its timeout line of ${formatLimit(policy.maxTimeoutRate)} after ${formatQuantity(policy.minExecuted, 'execution')} rolls back a stage whose devices time out at the ${formatLimit(policy.maxFailureRate)} limit ${formatShare(falseRollbackOnTimeouts)} of the time, more than the ${formatLimit(budget)} the confidence allows; raise maxTimeoutRate or minExecuted`,
            }
          : {}),
  };
}

/** A probability as a share people read: `8 %`, `0.4 %`, `< 0.1 %`, `> 99.9 %`. */
function formatShare(probability: number): string {
  if (probability < 0.001) return '< 0.1 %';
  if (probability > 0.999) return '> 99.9 %';
  // One decimal near either end, where "100 %" would claim a certainty the numbers do not have.
  return `${Number((probability * 100).toFixed(probability < 0.1 || probability > 0.9 ? 1 : 0))} %`;
}

/** The one reason a stage is too small that matters most: a stage that can never be promoted says only that. */
function tooSmallBecause(policy: PowerPolicy, canPromoteClean: boolean, minimumCohortToPromote: number, detectableRate: number | undefined): string {
  if (!canPromoteClean) {
    return `even with no failures it cannot rule out the unacceptable ${formatLimit(policy.unacceptableFailureRate)} at ${formatLimit(policy.confidence)} confidence; promoting on evidence takes at least ${formatQuantity(minimumCohortToPromote, 'device')}`;
  }
  if (detectableRate === undefined) return `no defect is caught with probability ≥ ${DETECTION_PROBABILITY}`;
  return `it only catches defects above ${TOO_COARSE_FACTOR}× the ${formatLimit(policy.maxFailureRate)} limit`;
}

/** With the whole cohort reported, the fewest failures that roll it back (the test's line or the hard limit). */
function fewestFailuresToRollBackAll(cohort: number, policy: PowerPolicy): number | undefined {
  const weight = policy.failureWeights.failed;
  const line = firstWhere(0, cohort, (failures) => {
    const breached = rollbackRulesBreached(failures * weight, cohort, cohort, policy);
    return breached.sequential || breached.hard;
  });
  return line ?? undefined;
}

/** The smallest rate rolled back with probability ≥ 0.9, to 0.1 %: the chance of a rollback only grows with the rate. */
function smallestDetectableRate(policy: PowerPolicy, outcome: (rate: number) => LookScheduleOutcome): number | undefined {
  const permille = firstWhere(Math.floor(policy.maxFailureRate * 1000) + 1, 1000, (m) => outcome(m / 1000).rollback >= DETECTION_PROBABILITY);
  return permille === null ? undefined : permille / 1000;
}

/** The smallest stage that can be promoted when nothing fails: where the promotion line first admits 0 failures. */
function smallestPromotableCohort(policy: PowerPolicy): number {
  const opens = (n: number) => mostFailuresToPromote(n, policy) !== null;
  let high = 1;
  while (!opens(high) && high < 1e9) high *= 2;
  return firstWhere(1, high, opens) ?? high;
}
