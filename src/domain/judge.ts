// The judge: a stage's counts and the health policy in, a verdict with plain reasons and its evidence out.
// It takes plain numbers and a policy, never a client. The workflow asks it many times per stage (on failure events,
// at the end of the bake, after each extension), so its statistical rule is sequential (sequential-test.ts): the
// confidence the policy states bounds the chance of a wrong rollback, or a wrong promotion, over all those looks.
import { formatDuration } from './duration.ts';
import type { Evidence, Judgement, Route } from './decision.ts';
import { JudgeRule, Verdict } from './decision.ts';
import { collectEvidence, describeTestLines, pendingOf, targetedOf } from './evidence.ts';
import { formatCount, formatLimit, formatQuantity, formatRate } from './percent.ts';
import type { HealthPolicy } from './release-request.ts';
import { logLikelihoodRatio, promoteThreshold, rollbackThreshold, type SequentialPolicy } from './sequential-test.ts';
import type { StageCounts } from './stage-counts.ts';

export interface BakeProgress {
  /** How long the stage has baked so far, extensions included. */
  bakedSeconds: number;
  /** The stage's planned bake. */
  bakeSeconds: number;
  /** Extensions already granted to this stage (finishing the planned bake is not one). */
  extensionsUsed: number;
}

export type JudgePolicy = Pick<SequentialPolicy, 'rollbackConfidence'> & Pick<
  HealthPolicy,
  | 'maxFailureRate'
  | 'unacceptableFailureRate'
  | 'confidence'
  | 'minExecuted'
  | 'minCoverage'
  | 'hardFailureRate'
  | 'maxTimeoutRate'
  | 'failureWeights'
  | 'inconclusive'
  | 'maxExtensions'
  | 'extendBy'
>;

/**
 * Whether enough executions have ended for a verdict on the evidence: minExecuted, or every target of a smaller stage.
 * It holds back the statistical rule too, not only the hard lines: the first devices to report are not a fair sample
 * when failures report faster than successes (a download that fails at once against an install that takes minutes).
 */
export function hasEnoughExecuted(executed: number, targeted: number, minExecuted: number): boolean {
  return executed >= minExecuted || (targeted < minExecuted && executed >= targeted);
}

/** Which rollback rules the counts breach; the judge and the power analysis both ask this. */
export function rollbackRulesBreached(
  failures: number,
  executed: number,
  targeted: number,
  policy: Omit<JudgePolicy, 'inconclusive' | 'maxExtensions' | 'extendBy'>,
  timeoutRate = 0,
): { sequential: boolean; hard: boolean; timeouts: boolean } {
  const rate = executed === 0 ? 0 : Math.min(1, failures / executed);
  return {
    sequential: hasEnoughExecuted(executed, targeted, policy.minExecuted) && logLikelihoodRatio(failures, executed, policy) >= rollbackThreshold(policy),
    // The hard lines work as IoT Jobs abort criteria do: strictly greater, and only once enough executions have ended.
    hard: executed >= policy.minExecuted && rate > policy.hardFailureRate,
    timeouts: executed >= policy.minExecuted && timeoutRate > policy.maxTimeoutRate,
  };
}

/** Whether the failures clear the stage on evidence (minimum executed and the promotion line; bake and coverage aside). */
export function promotable(failures: number, executed: number, targeted: number, policy: Pick<JudgePolicy, 'maxFailureRate' | 'unacceptableFailureRate' | 'confidence' | 'minExecuted'>): boolean {
  return hasEnoughExecuted(executed, targeted, policy.minExecuted) && logLikelihoodRatio(failures, executed, policy) <= promoteThreshold(policy);
}

export function judge(counts: StageCounts, policy: JudgePolicy, progress: BakeProgress): Judgement {
  const evidence = collectEvidence(counts, policy, progress.bakedSeconds);
  const targeted = targetedOf(counts);
  const pending = pendingOf(counts);
  const { executed } = evidence;

  // IoT Jobs never aborts a job with no targets, and there is nothing to wait for: a wave of a tiny fleet can be empty.
  if (targeted === 0) {
    return { verdict: Verdict.PROMOTE, rules: [JudgeRule.NO_TARGETS], reasons: ['the stage has no targets, so there is nothing to judge'], evidence };
  }

  const enoughExecuted = hasEnoughExecuted(executed, targeted, policy.minExecuted);
  const rollback = rollbackReasonsFor(evidence, policy, targeted);
  if (rollback.rules.length > 0) return { verdict: Verdict.ROLLBACK, rules: rollback.rules, reasons: rollback.reasons, evidence };

  const remainingBake = Math.max(0, progress.bakeSeconds - progress.bakedSeconds);
  if (remainingBake > 0) {
    // Failures show up after installs (boot loops, crashes under load), so a stage is never promoted before its bake.
    const why =
      pending === 0
        ? `${executed === 1 ? 'the only execution has' : `all ${formatCount(executed)} executions have`} ended after ${formatDuration(progress.bakedSeconds)}, but failures can still show after install`
        : `the bake has run ${formatDuration(progress.bakedSeconds)} of ${formatDuration(progress.bakeSeconds)} and nothing is decisive yet`;
    return {
      verdict: Verdict.EXTEND,
      rules: [JudgeRule.BAKE_NOT_OVER],
      reasons: [`${why}; baking the remaining ${formatDuration(remainingBake)}`, describeRate(evidence)],
      evidence,
      extendSeconds: remainingBake,
      countsAsExtension: false,
    };
  }

  const acceptable = promotable(evidence.failures, executed, targeted, policy);
  const coverageOk = evidence.coverage >= policy.minCoverage;
  if (acceptable && coverageOk) {
    const reasons = [
      `failure rate ${formatRate(evidence.failureRate)} (${describeCount(evidence)}) is below the unacceptable ${formatLimit(policy.unacceptableFailureRate)}, at ${formatLimit(evidence.confidence)} confidence over every look: ${describeFailures(evidence, 'be')} within the promotion line (${formatCount(evidence.sequential.promoteAtFailures ?? 0)} of ${formatCount(executed)})`,
      `${formatCount(executed)} of ${formatQuantity(targeted, 'target')} reported (${formatRate(evidence.coverage)} coverage, ${formatLimit(policy.minCoverage)} needed)`,
      `baked ${formatDuration(progress.bakedSeconds)} of the planned ${formatDuration(progress.bakeSeconds)}`,
    ];
    if (executed < policy.minExecuted) {
      reasons.push(
        `the stage has only ${formatQuantity(targeted, 'target')}, fewer than the ${formatQuantity(policy.minExecuted, 'execution')} the policy asks for; ${targeted === 1 ? 'it' : 'all of them'} reported`,
      );
    }
    return { verdict: Verdict.PROMOTE, rules: [JudgeRule.SEQUENTIAL_PROMOTE], reasons, evidence };
  }

  const gaps: string[] = [];
  if (evidence.sequential.logLikelihoodRatio > evidence.sequential.promoteThreshold) gaps.push(notYetAcceptable(evidence, policy));
  if (!enoughExecuted) gaps.push(`only ${formatQuantity(executed, 'execution')} ${executed === 1 ? 'has' : 'have'} ended; the policy needs ${formatCount(policy.minExecuted)}`);
  if (!coverageOk) {
    gaps.push(`only ${formatCount(executed)} of ${formatQuantity(targeted, 'target')} reported (${formatRate(evidence.coverage)} coverage, ${formatLimit(policy.minCoverage)} needed)`);
  }
  return inconclusive(gaps, evidence, policy, progress, pending);
}

function rollbackReasonsFor(evidence: Evidence, policy: JudgePolicy, targeted: number): { rules: JudgeRule[]; reasons: string[] } {
  const reasons: string[] = [];
  const rules: JudgeRule[] = [];
  const { executed, counts, sequential } = evidence;
  const breached = rollbackRulesBreached(evidence.failures, executed, targeted, policy, evidence.timeoutRate);
  if (breached.sequential) {
    rules.push(JudgeRule.SEQUENTIAL_ROLLBACK);
    reasons.push(
      `failure rate ${formatRate(evidence.failureRate)} (${describeCount(evidence)}) is above the ${formatLimit(policy.maxFailureRate)} limit at ${formatLimit(1 - rollbackBudgetOf(sequential))} confidence over every look: ${describeFailures(evidence, 'reach')} the rollback line (${formatCount(sequential.rollbackAtFailures ?? 0)} of ${formatCount(executed)}), which a stage failing ${formatLimit(policy.maxFailureRate)} ever reaches with probability under ${formatLimit(rollbackBudgetOf(sequential))}`,
    );
  }
  if (breached.hard) {
    rules.push(JudgeRule.HARD_FAILURE_RATE);
    reasons.push(`failure rate ${formatRate(evidence.failureRate)} (${describeCount(evidence)}) is above the hard limit of ${formatLimit(policy.hardFailureRate)}`);
  }
  // Timeouts have a hard line of their own, drawn the same way.
  if (breached.timeouts) {
    rules.push(JudgeRule.HARD_TIMEOUT_RATE);
    reasons.push(
      `${formatCount(counts.timedOut)} of ${formatQuantity(counts.succeeded + counts.timedOut, 'execution')} that did not fail outright timed out (${formatRate(evidence.timeoutRate)}), above the ${formatLimit(policy.maxTimeoutRate)} limit`,
    );
  }
  return { rules, reasons };
}

/** Records from before health gates have one budget for both lines. */
function rollbackBudgetOf(sequential: Evidence['sequential']): number {
  return (sequential as Partial<Evidence['sequential']>).rollbackErrorBudget ?? sequential.errorBudget;
}

/** Why the counts do not yet clear the stage: how far they are from the promotion line, in failures. */
function notYetAcceptable(evidence: Evidence, policy: JudgePolicy): string {
  const { executed, sequential } = evidence;
  const limit = `the unacceptable ${formatLimit(policy.unacceptableFailureRate)}`;
  if (sequential.promoteAtFailures === null) {
    return `${formatQuantity(executed, 'execution')} cannot yet rule out ${limit} at ${formatLimit(evidence.confidence)} confidence, even with no failures`;
  }
  return `${describeFailures(evidence, 'be')} above the promotion line (${formatCount(sequential.promoteAtFailures)} of ${formatCount(executed)}), so the evidence cannot rule out ${limit} at ${formatLimit(evidence.confidence)} confidence`;
}

/**
 * The policy's answer to an undecided stage that waiting cannot settle or may not: roll back or ask a person (its
 * `inconclusive` setting), or ask a person once the extensions are used up; undefined when it may extend. The install
 * test and the health gates (health-gates/with-gates.ts) both ask it, so they say the same thing.
 */
export function inconclusiveStop(policy: Pick<JudgePolicy, 'inconclusive' | 'maxExtensions'>, extensionsUsed: number): { verdict: typeof Verdict.ROLLBACK | typeof Verdict.HOLD; reason: string } | undefined {
  if (policy.inconclusive === 'rollback') return { verdict: Verdict.ROLLBACK, reason: 'the policy rolls back a stage the evidence cannot clear' };
  if (policy.inconclusive === 'hold') return { verdict: Verdict.HOLD, reason: 'the policy asks a person to decide when the evidence is inconclusive' };
  if (extensionsUsed >= policy.maxExtensions) {
    return { verdict: Verdict.HOLD, reason: `the bake was already extended ${formatQuantity(extensionsUsed, 'time')}, the most the policy allows; a person must decide` };
  }
  return undefined;
}

/** One extension's length when nothing better is known: the policy's extendBy, or half the bake (at least a minute). */
export function defaultExtension(policy: Pick<JudgePolicy, 'extendBy'>, bakeSeconds: number): number {
  return policy.extendBy ?? Math.max(60, Math.round(bakeSeconds / 2));
}

function inconclusive(gaps: string[], evidence: Evidence, policy: JudgePolicy, progress: BakeProgress, pending: number): Judgement {
  // The policy's own action comes first; then, when every execution has ended, a longer bake cannot change the counts,
  // so waiting would only delay the person; then the bound on extensions.
  const byPolicy = policy.inconclusive === 'extend' ? undefined : inconclusiveStop(policy, progress.extensionsUsed);
  const stop = byPolicy ?? (pending === 0 ? { verdict: Verdict.HOLD, reason: 'every execution has ended, so baking longer cannot add evidence; a person must decide' } : inconclusiveStop(policy, progress.extensionsUsed));
  if (stop) return { verdict: stop.verdict, rules: [JudgeRule.INCONCLUSIVE], reasons: [...gaps, stop.reason], evidence };
  const extendSeconds = defaultExtension(policy, progress.bakeSeconds);
  return {
    verdict: Verdict.EXTEND,
    rules: [JudgeRule.INCONCLUSIVE],
    reasons: [...gaps, `${formatQuantity(pending, 'execution')} ${pending === 1 ? 'is' : 'are'} still running or queued; extending the bake by ${formatDuration(extendSeconds)} (extension ${progress.extensionsUsed + 1} of ${policy.maxExtensions})`],
    evidence,
    extendSeconds,
    countsAsExtension: true,
  };
}

function describeCount(evidence: Evidence): string {
  return `${formatFailures(evidence.failures)} of ${formatCount(evidence.executed)}`;
}

/** "3 failures reach" / "1 failure is": the failures as the subject of a sentence about the test's lines. */
function describeFailures(evidence: Evidence, verb: 'reach' | 'be'): string {
  const n = evidence.failures;
  const conjugated = verb === 'reach' ? (n === 1 ? 'reaches' : 'reach') : n === 1 ? 'is' : 'are';
  return `${formatFailures(n)} ${n === 1 ? 'failure' : 'failures'} ${conjugated}`;
}

// Weighted failures can be fractional: one decimal is enough to read them.
function formatFailures(failures: number): string {
  return Number.isInteger(failures) ? formatCount(failures) : failures.toFixed(1);
}

function describeRate(evidence: Evidence): string {
  return `failure rate so far ${formatRate(evidence.failureRate)} (${describeCount(evidence)}); test lines: ${describeTestLines(evidence)}`;
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
