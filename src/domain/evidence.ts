// The evidence a verdict rests on, derived from a stage's counts and the health policy (never stored twice).
import type { Evidence } from './decision.ts';
import type { HealthPolicy } from './release-request.ts';
import { formatCount } from './percent.ts';
import { executedOf, type StageCounts } from './stage-counts.ts';
import { sequentialTest } from './sequential-test.ts';

type EvidencePolicy = Pick<HealthPolicy, 'maxFailureRate' | 'unacceptableFailureRate' | 'confidence' | 'failureWeights'>;

/** Weighted failures: failed, rejected and timed out, each with the policy's weight. */
export function weightedFailures(counts: StageCounts, weights: HealthPolicy['failureWeights']): number {
  return counts.failed * weights.failed + counts.rejected * weights.rejected + counts.timedOut * weights.timedOut;
}

/** Executions still to come: queued or in progress. */
export function pendingOf(counts: StageCounts): number {
  return counts.inProgress + counts.queued;
}

/**
 * Things the stage reaches. The stored `targeted` can lag behind the job (a retried CreateJob, a group that grew), so
 * it is never taken as less than what the job itself reports.
 */
export function targetedOf(counts: StageCounts): number {
  return Math.max(counts.targeted, executedOf(counts) + pendingOf(counts));
}

export function collectEvidence(counts: StageCounts, policy: EvidencePolicy, bakedSeconds: number): Evidence {
  const executed = executedOf(counts);
  const failures = weightedFailures(counts, policy.failureWeights);
  const targeted = targetedOf(counts);
  // Timeouts are measured against the executions that did not fail outright, so that one more outright failure can
  // never make the timeout picture look better (it would, with all executions as the denominator).
  const answeredOrSilent = counts.succeeded + counts.timedOut;
  return {
    counts: { ...counts },
    executed,
    failures,
    failureRate: executed === 0 ? 0 : Math.min(1, failures / executed),
    confidence: policy.confidence,
    maxFailureRate: policy.maxFailureRate,
    unacceptableFailureRate: policy.unacceptableFailureRate,
    sequential: sequentialTest(failures, executed, policy),
    coverage: targeted === 0 ? 1 : executed / targeted,
    timeoutRate: answeredOrSilent === 0 ? 0 : counts.timedOut / answeredOrSilent,
    bakedSeconds,
  };
}

/**
 * The sequential test's two lines at the evidence's count of executions, for people: "promotes at ≤ 4, rolls back at
 * ≥ 11 failures (100 reported)"; a line no count of failures can reach yet says so.
 */
export function describeTestLines(evidence: Pick<Evidence, 'executed' | 'sequential'>): string {
  // Records kept from before the sequential test have no lines to show.
  const sequential = evidence.sequential as Evidence['sequential'] | undefined;
  if (!sequential) return 'has no lines on record (judged before the sequential test)';
  const { promoteAtFailures, rollbackAtFailures } = sequential;
  const promote = promoteAtFailures === null ? 'too few reports to promote' : `promotes at ≤ ${formatCount(promoteAtFailures)}`;
  const rollback = rollbackAtFailures === null ? 'too few reports to roll back' : `rolls back at ≥ ${formatCount(rollbackAtFailures)}`;
  const unit = promoteAtFailures === null && rollbackAtFailures === null ? '' : ' failures';
  return `${promote}, ${rollback}${unit} (${formatCount(evidence.executed)} reported)`;
}
