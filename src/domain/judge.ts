// The judge: a stage's counts and the health policy in, a verdict with plain reasons and its evidence out.
// It takes plain numbers and a policy, never a client; the workflow calls it at the end of a bake (and may call it
// early, when failures arrive, to stop a bad release sooner).
import { formatDuration } from './duration.ts';
import type { Evidence, Judgement, Route } from './decision.ts';
import { Verdict } from './decision.ts';
import { collectEvidence, pendingOf, targetedOf } from './evidence.ts';
import { formatCount, formatLimit, formatQuantity, formatRate } from './percent.ts';
import type { HealthPolicy } from './release-request.ts';
import type { StageCounts } from './stage-counts.ts';

export interface BakeProgress {
  /** How long the stage has baked so far, extensions included. */
  bakedSeconds: number;
  /** The stage's planned bake. */
  bakeSeconds: number;
  /** Extensions already granted to this stage (finishing the planned bake is not one). */
  extensionsUsed: number;
}

type JudgePolicy = Pick<
  HealthPolicy,
  'maxFailureRate' | 'confidence' | 'minExecuted' | 'minCoverage' | 'hardFailureRate' | 'maxTimeoutRate' | 'failureWeights' | 'inconclusive' | 'maxExtensions' | 'extendBy'
>;

export function judge(counts: StageCounts, policy: JudgePolicy, progress: BakeProgress): Judgement {
  const evidence = collectEvidence(counts, policy, progress.bakedSeconds);
  const targeted = targetedOf(counts);
  const pending = pendingOf(counts);
  const { executed } = evidence;

  // IoT Jobs never aborts a job with no targets, and there is nothing to wait for: a wave of a tiny fleet can be empty.
  if (targeted === 0) {
    return { verdict: Verdict.PROMOTE, reasons: ['the stage has no targets, so there is nothing to judge'], evidence };
  }

  const rollbackReasons = rollbackReasonsFor(evidence, policy);
  if (rollbackReasons.length > 0) return { verdict: Verdict.ROLLBACK, reasons: rollbackReasons, evidence };

  const remainingBake = Math.max(0, progress.bakeSeconds - progress.bakedSeconds);
  if (remainingBake > 0) {
    // Failures show up after installs (boot loops, crashes under load), so a stage is never promoted before its bake.
    const why =
      pending === 0
        ? `${executed === 1 ? 'the only execution has' : `all ${formatCount(executed)} executions have`} ended after ${formatDuration(progress.bakedSeconds)}, but failures can still show after install`
        : `the bake has run ${formatDuration(progress.bakedSeconds)} of ${formatDuration(progress.bakeSeconds)} and nothing is decisive yet`;
    return {
      verdict: Verdict.EXTEND,
      reasons: [`${why}; baking the remaining ${formatDuration(remainingBake)}`, describeRate(evidence)],
      evidence,
      extendSeconds: remainingBake,
      countsAsExtension: false,
    };
  }

  const enoughExecuted = executed >= policy.minExecuted || (targeted < policy.minExecuted && executed >= targeted);
  const boundOk = evidence.upper <= policy.maxFailureRate;
  const coverageOk = evidence.coverage >= policy.minCoverage;
  if (enoughExecuted && boundOk && coverageOk) {
    const reasons = [
      `failure rate ${formatRate(evidence.failureRate)} (${describeCount(evidence)}, upper bound ${formatRate(evidence.upper)} at ${formatLimit(evidence.confidence)} confidence) is within the ${formatLimit(policy.maxFailureRate)} limit`,
      `${formatCount(executed)} of ${formatQuantity(targeted, 'target')} reported (${formatRate(evidence.coverage)} coverage, ${formatLimit(policy.minCoverage)} needed)`,
      `baked ${formatDuration(progress.bakedSeconds)} of the planned ${formatDuration(progress.bakeSeconds)}`,
    ];
    if (executed < policy.minExecuted) {
      reasons.push(
        `the stage has only ${formatQuantity(targeted, 'target')}, fewer than the ${formatQuantity(policy.minExecuted, 'execution')} the policy asks for; ${targeted === 1 ? 'it' : 'all of them'} reported`,
      );
    }
    return { verdict: Verdict.PROMOTE, reasons, evidence };
  }

  const gaps: string[] = [];
  if (!boundOk) {
    gaps.push(
      `the failure rate's upper bound ${formatRate(evidence.upper)} (${describeCount(evidence)} at ${formatLimit(evidence.confidence)} confidence) is above the ${formatLimit(policy.maxFailureRate)} limit, so the stage cannot be called healthy`,
    );
  }
  if (!enoughExecuted) gaps.push(`only ${formatQuantity(executed, 'execution')} ${executed === 1 ? 'has' : 'have'} ended; the policy needs ${formatCount(policy.minExecuted)}`);
  if (!coverageOk) {
    gaps.push(`only ${formatCount(executed)} of ${formatQuantity(targeted, 'target')} reported (${formatRate(evidence.coverage)} coverage, ${formatLimit(policy.minCoverage)} needed)`);
  }
  return inconclusive(gaps, evidence, policy, progress, pending);
}

function rollbackReasonsFor(evidence: Evidence, policy: JudgePolicy): string[] {
  const reasons: string[] = [];
  const { executed, counts } = evidence;
  if (executed > 0 && evidence.lower > policy.maxFailureRate) {
    reasons.push(
      `failure rate ${formatRate(evidence.failureRate)} (${describeCount(evidence)}, lower bound ${formatRate(evidence.lower)} at ${formatLimit(evidence.confidence)} confidence) is above the ${formatLimit(policy.maxFailureRate)} limit`,
    );
  }
  // The hard lines work as IoT Jobs abort criteria do: strictly greater, and only once enough executions have ended.
  if (executed >= policy.minExecuted && evidence.failureRate > policy.hardFailureRate) {
    reasons.push(`failure rate ${formatRate(evidence.failureRate)} (${describeCount(evidence)}) is above the hard limit of ${formatLimit(policy.hardFailureRate)}`);
  }
  if (executed >= policy.minExecuted && evidence.timeoutRate > policy.maxTimeoutRate) {
    reasons.push(
      `${formatCount(counts.timedOut)} of ${formatQuantity(counts.succeeded + counts.timedOut, 'execution')} that did not fail outright timed out (${formatRate(evidence.timeoutRate)}), above the ${formatLimit(policy.maxTimeoutRate)} limit`,
    );
  }
  return reasons;
}

function inconclusive(gaps: string[], evidence: Evidence, policy: JudgePolicy, progress: BakeProgress, pending: number): Judgement {
  if (policy.inconclusive === 'rollback') {
    return { verdict: Verdict.ROLLBACK, reasons: [...gaps, 'the policy rolls back a stage the evidence cannot clear'], evidence };
  }
  if (policy.inconclusive === 'hold') {
    return { verdict: Verdict.HOLD, reasons: [...gaps, 'the policy asks a person to decide when the evidence is inconclusive'], evidence };
  }
  if (pending === 0) {
    // Every execution has ended: a longer bake cannot change the counts, so waiting would only delay the person.
    return { verdict: Verdict.HOLD, reasons: [...gaps, 'every execution has ended, so baking longer cannot add evidence; a person must decide'], evidence };
  }
  if (progress.extensionsUsed >= policy.maxExtensions) {
    return {
      verdict: Verdict.HOLD,
      reasons: [...gaps, `the bake was already extended ${formatQuantity(progress.extensionsUsed, 'time')}, the most the policy allows; a person must decide`],
      evidence,
    };
  }
  const extendSeconds = policy.extendBy ?? Math.max(60, Math.round(progress.bakeSeconds / 2));
  return {
    verdict: Verdict.EXTEND,
    reasons: [...gaps, `${formatQuantity(pending, 'execution')} ${pending === 1 ? 'is' : 'are'} still running or queued; extending the bake by ${formatDuration(extendSeconds)} (extension ${progress.extensionsUsed + 1} of ${policy.maxExtensions})`],
    evidence,
    extendSeconds,
    countsAsExtension: true,
  };
}

function describeCount(evidence: Evidence): string {
  // Weighted failures can be fractional: one decimal is enough to read them.
  const failures = Number.isInteger(evidence.failures) ? formatCount(evidence.failures) : evidence.failures.toFixed(1);
  return `${failures} of ${formatCount(evidence.executed)}`;
}

function describeRate(evidence: Evidence): string {
  return `failure rate so far ${formatRate(evidence.failureRate)} (${describeCount(evidence)}, bounds ${formatRate(evidence.lower)}–${formatRate(evidence.upper)})`;
}

/**
 * Where a judged stage goes next. A manual stage always asks a person before promoting; HOLD always does.
 * `approval` is the stage's policy (`auto` | `manual`).
 */
export function routeFor(judgement: Pick<Judgement, 'verdict'>, approval: 'auto' | 'manual'): Route {
  switch (judgement.verdict) {
    case Verdict.PROMOTE:
      return approval === 'manual' ? 'approve' : 'promote';
    case Verdict.HOLD:
      return 'approve';
    case Verdict.EXTEND:
      return 'extend';
    case Verdict.ROLLBACK:
      return 'rollback';
  }
}
