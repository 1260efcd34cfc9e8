// Properties a judge must keep whatever the numbers: evidence of failure never argues for promotion.
import fc from 'fast-check';
import { Verdict } from '#domain/decision.ts';
import { judge, type BakeProgress } from '#domain/judge.ts';
import type { HealthPolicy } from '#domain/release-request.ts';
import type { StageCounts } from '#domain/stage-counts.ts';

const SEED = 424242;
const RUNS = 3000;

const countsArb = fc
  .record({
    succeeded: fc.integer({ min: 0, max: 400 }),
    failed: fc.integer({ min: 0, max: 40 }),
    rejected: fc.integer({ min: 0, max: 20 }),
    timedOut: fc.integer({ min: 0, max: 20 }),
    inProgress: fc.integer({ min: 0, max: 100 }),
    queued: fc.integer({ min: 0, max: 100 }),
    canceled: fc.integer({ min: 0, max: 5 }),
    extra: fc.integer({ min: 0, max: 20 }),
  })
  .map(({ extra, ...c }): StageCounts => ({ ...c, removed: 0, targeted: c.succeeded + c.failed + c.rejected + c.timedOut + c.inProgress + c.queued + c.canceled + extra }));

const policyArb = (weights: fc.Arbitrary<number>) =>
  fc
    .record({
      maxFailureRate: fc.double({ min: 0.001, max: 0.5, noNaN: true }),
      unacceptableFactor: fc.double({ min: 1.05, max: 5, noNaN: true }),
      hardExtra: fc.double({ min: 0, max: 0.5, noNaN: true }),
      confidence: fc.constantFrom(0.8, 0.9, 0.95, 0.99),
      minExecuted: fc.integer({ min: 1, max: 100 }),
      minCoverage: fc.double({ min: 0, max: 1, noNaN: true }),
      maxTimeoutRate: fc.double({ min: 0, max: 0.5, noNaN: true }),
      failureWeights: fc.record({ failed: weights, rejected: weights, timedOut: weights }),
      inconclusive: fc.constantFrom('extend', 'hold', 'rollback'),
      maxExtensions: fc.integer({ min: 0, max: 3 }),
    })
    .map(
      ({ hardExtra, unacceptableFactor, ...p }): HealthPolicy =>
        ({ ...p, unacceptableFailureRate: Math.min(0.999, p.maxFailureRate * unacceptableFactor), hardFailureRate: Math.min(1, p.maxFailureRate + hardExtra) }) as HealthPolicy,
    );

const progressArb: fc.Arbitrary<BakeProgress> = fc.record({
  bakeSeconds: fc.integer({ min: 60, max: 86400 }),
  bakedSeconds: fc.integer({ min: 0, max: 200000 }),
  extensionsUsed: fc.integer({ min: 0, max: 3 }),
});

const failureKind = fc.constantFrom('failed', 'rejected', 'timedOut') as fc.Arbitrary<'failed' | 'rejected' | 'timedOut'>;

/** One more execution ends in failure: a queued or running one if there is one, else a new target. */
function oneMoreFailure(c: StageCounts, kind: 'failed' | 'rejected' | 'timedOut'): StageCounts {
  const next = { ...c, [kind]: c[kind] + 1 };
  if (c.inProgress > 0) next.inProgress -= 1;
  else if (c.queued > 0) next.queued -= 1;
  else next.targeted += 1;
  return next;
}

describe('judge properties', () => {
  it('never turns ROLLBACK into PROMOTE when a success turns out to be a failure', () => {
    fc.assert(
      fc.property(countsArb, policyArb(fc.double({ min: 0, max: 1, noNaN: true })), progressArb, failureKind, (c, policy, progress, kind) => {
        fc.pre(c.succeeded > 0);
        const before = judge(c, policy, progress).verdict;
        const after = judge({ ...c, succeeded: c.succeeded - 1, [kind]: c[kind] + 1 }, policy, progress).verdict;
        return before !== Verdict.ROLLBACK || after === Verdict.ROLLBACK;
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it('never turns a non-PROMOTE into PROMOTE when a success turns out to be a failure', () => {
    fc.assert(
      fc.property(countsArb, policyArb(fc.double({ min: 0, max: 1, noNaN: true })), progressArb, failureKind, (c, policy, progress, kind) => {
        fc.pre(c.succeeded > 0);
        const before = judge(c, policy, progress).verdict;
        const after = judge({ ...c, succeeded: c.succeeded - 1, [kind]: c[kind] + 1 }, policy, progress).verdict;
        return before === Verdict.PROMOTE || after !== Verdict.PROMOTE;
      }),
      { seed: SEED + 1, numRuns: RUNS },
    );
  });

  // A further failed execution is also more coverage, so with `inconclusive: rollback` a stage short of coverage can
  // become promotable; these properties are about ROLLBACKs the failure evidence itself called. Weights are at least
  // 1 here: a weight below 1 makes one failure count partly as a success.
  it('keeps a ROLLBACK on evidence when another execution fails', () => {
    const evidencePolicy = policyArb(fc.double({ min: 1, max: 3, noNaN: true })).filter((p) => p.inconclusive !== 'rollback');
    fc.assert(
      fc.property(countsArb, evidencePolicy, progressArb, failureKind, (c, policy, progress, kind) => {
        const before = judge(c, policy, progress).verdict;
        const after = judge(oneMoreFailure(c, kind), policy, progress).verdict;
        return before !== Verdict.ROLLBACK || after === Verdict.ROLLBACK;
      }),
      { seed: SEED + 2, numRuns: RUNS },
    );
  });

  it('never turns PROMOTE into ROLLBACK when a running execution succeeds', () => {
    fc.assert(
      fc.property(countsArb, policyArb(fc.double({ min: 0, max: 1, noNaN: true })), progressArb, (c, policy, progress) => {
        fc.pre(c.inProgress > 0);
        const before = judge(c, policy, progress).verdict;
        const after = judge({ ...c, inProgress: c.inProgress - 1, succeeded: c.succeeded + 1 }, policy, progress).verdict;
        return before !== Verdict.PROMOTE || after !== Verdict.ROLLBACK;
      }),
      { seed: SEED + 3, numRuns: RUNS },
    );
  });

  it('draws the promotion line below the rollback line, gives reasons, and an extension only with EXTEND', () => {
    fc.assert(
      fc.property(countsArb, policyArb(fc.double({ min: 0, max: 1, noNaN: true })), progressArb, (c, policy, progress) => {
        const j = judge(c, policy, progress);
        const { promoteAtFailures, rollbackAtFailures } = j.evidence.sequential;
        const linesOk = promoteAtFailures === null || rollbackAtFailures === null || promoteAtFailures < rollbackAtFailures;
        const extendOk = j.verdict === Verdict.EXTEND ? (j.extendSeconds ?? 0) > 0 : j.extendSeconds === undefined;
        return linesOk && j.reasons.length > 0 && extendOk;
      }),
      { seed: SEED + 4, numRuns: RUNS },
    );
  });

  it('never rolls back on the evidence before the minimum executed, unless every target has reported', () => {
    fc.assert(
      fc.property(countsArb, policyArb(fc.double({ min: 0, max: 1, noNaN: true })), progressArb, (c, policy, progress) => {
        const executed = c.succeeded + c.failed + c.rejected + c.timedOut;
        fc.pre(executed < policy.minExecuted && executed < c.targeted);
        return judge(c, { ...policy, maxTimeoutRate: 1, inconclusive: 'hold' }, progress).verdict !== Verdict.ROLLBACK;
      }),
      { seed: SEED + 6, numRuns: RUNS },
    );
  });

  it('never promotes before the bake is complete', () => {
    fc.assert(
      fc.property(countsArb, policyArb(fc.double({ min: 0, max: 1, noNaN: true })), progressArb, (c, policy, progress) => {
        fc.pre(progress.bakedSeconds < progress.bakeSeconds && c.targeted > 0);
        return judge(c, policy, progress).verdict !== Verdict.PROMOTE;
      }),
      { seed: SEED + 5, numRuns: RUNS },
    );
  });
});
