// The judge as it was before the sequential test (ota-release 0.1), kept only as bench/judge's baseline: a
// fixed-sample two-sided Wilson interval asked afresh at every look. Decision rules only; the wording is gone.
import { Verdict } from '#domain/decision.ts';
import { weightedFailures } from '#domain/evidence.ts';
import type { BakeProgress, JudgePolicy } from '#domain/judge.ts';
import { executedOf, type StageCounts } from '#domain/stage-counts.ts';
import { wilsonBounds } from './wilson.ts';

export function wilsonPerLookVerdict(counts: StageCounts, policy: JudgePolicy, progress: BakeProgress): Verdict {
  const executed = executedOf(counts);
  const pending = counts.inProgress + counts.queued;
  const targeted = Math.max(counts.targeted, executed + pending);
  if (targeted === 0) return Verdict.PROMOTE;
  const failures = weightedFailures(counts, policy.failureWeights);
  const rate = executed === 0 ? 0 : Math.min(1, failures / executed);
  const { lower, upper } = wilsonBounds(failures, executed, policy.confidence);
  const answeredOrSilent = counts.succeeded + counts.timedOut;
  const timeoutRate = answeredOrSilent === 0 ? 0 : counts.timedOut / answeredOrSilent;
  // 0.1 rolled back on the lower bound whatever the minimum executed; the hard lines waited for it.
  if (executed > 0 && lower > policy.maxFailureRate) return Verdict.ROLLBACK;
  if (executed >= policy.minExecuted && (rate > policy.hardFailureRate || timeoutRate > policy.maxTimeoutRate)) return Verdict.ROLLBACK;
  if (progress.bakeSeconds > progress.bakedSeconds) return Verdict.EXTEND;
  const enough = executed >= policy.minExecuted || (targeted < policy.minExecuted && executed >= targeted);
  const coverage = executed / targeted;
  if (enough && upper <= policy.maxFailureRate && coverage >= policy.minCoverage) return Verdict.PROMOTE;
  if (policy.inconclusive === 'rollback') return Verdict.ROLLBACK;
  if (policy.inconclusive === 'hold' || pending === 0 || progress.extensionsUsed >= policy.maxExtensions) return Verdict.HOLD;
  return Verdict.EXTEND;
}
