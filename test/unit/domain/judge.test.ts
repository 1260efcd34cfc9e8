import { Verdict } from '#domain/decision.ts';
import { judge, routeFor } from '#domain/judge.ts';
import { aPolicy, counts } from './support/requests.ts';

const BAKED = { bakedSeconds: 7200, bakeSeconds: 7200, extensionsUsed: 0 };
// A lenient soft limit so the Wilson rule stays quiet and the hard line is what the test looks at.
const hardLineOnly = aPolicy({ maxFailureRate: 0.6, hardFailureRate: 0.1, minExecuted: 20 });

describe('judge: the hard threshold, as IoT Jobs draws it', () => {
  it('does not roll back exactly at the threshold', () => {
    const judgement = judge(counts({ succeeded: 18, failed: 2 }), hardLineOnly, BAKED);
    expect(judgement.verdict).not.toBe(Verdict.ROLLBACK);
    expect(judgement.reasons.join(' ')).not.toMatch(/hard limit/);
  });

  it('rolls back one failure over the threshold', () => {
    const judgement = judge(counts({ succeeded: 17, failed: 3 }), hardLineOnly, BAKED);
    expect(judgement.verdict).toBe(Verdict.ROLLBACK);
    expect(judgement.reasons).toContain('failure rate 15.0 % (3 of 20) is above the hard limit of 10 %');
  });

  it('does not apply the threshold before the minimum executed', () => {
    const judgement = judge(counts({ succeeded: 9, failed: 10, inProgress: 5 }), hardLineOnly, BAKED);
    expect(judgement.reasons.join(' ')).not.toMatch(/hard limit/);
    expect(judgement.verdict).toBe(Verdict.EXTEND);
  });

  it('applies the threshold from the minimum executed on', () => {
    const judgement = judge(counts({ succeeded: 10, failed: 10, inProgress: 5 }), hardLineOnly, BAKED);
    expect(judgement.verdict).toBe(Verdict.ROLLBACK);
  });

  it('never rolls back a stage with zero targets', () => {
    const judgement = judge(counts({}), aPolicy(), BAKED);
    expect(judgement.verdict).toBe(Verdict.PROMOTE);
    expect(judgement.reasons).toEqual(['the stage has no targets, so there is nothing to judge']);
  });

  it.each([
    ['does not roll back exactly at the timeout limit', 95, 5, false],
    ['rolls back one timeout over the limit', 94, 6, true],
  ])('%s', (_name, succeeded, timedOut, rollsBack) => {
    const policy = aPolicy({ maxFailureRate: 0.3, hardFailureRate: 0.5, maxTimeoutRate: 0.05, minExecuted: 20 });
    const judgement = judge(counts({ succeeded, timedOut }), policy, BAKED);
    expect(judgement.verdict === Verdict.ROLLBACK).toBe(rollsBack);
  });

  it('measures timeouts against the executions that did not fail outright', () => {
    const policy = aPolicy({ maxFailureRate: 0.5, hardFailureRate: 0.6, maxTimeoutRate: 0.05, minExecuted: 20 });
    const judgement = judge(counts({ succeeded: 90, failed: 4, timedOut: 6 }), policy, BAKED);
    expect(judgement.evidence.timeoutRate).toBeCloseTo(6 / 96, 10);
    expect(judgement.reasons).toContain('6 of 96 executions that did not fail outright timed out (6.3 %), above the 5 % limit');
  });
});

describe('judge: the sequential test', () => {
  // Default policy: acceptable 2 %, unacceptable 4 %, 95 % confidence, so the lines at 20 reports are 5 failures
  // (roll back) and none (promote needs 146 clean reports).
  it('rolls back once the failures reach the rollback line', () => {
    const judgement = judge(counts({ succeeded: 15, failed: 5, inProgress: 80 }), aPolicy(), BAKED);
    expect(judgement.verdict).toBe(Verdict.ROLLBACK);
    expect(judgement.reasons[0]).toBe(
      'failure rate 25.0 % (5 of 20) is above the 2 % limit at 95 % confidence over every look: 5 failures reach the rollback line (5 of 20), which a stage failing 2 % ever reaches with probability under 5 %',
    );
    expect(judgement.evidence.sequential).toMatchObject({ rule: 'sprt', acceptableRate: 0.02, unacceptableRate: 0.04, rollbackAtFailures: 5, promoteAtFailures: null });
    expect(judgement.evidence.sequential.errorBudget).toBeCloseTo(0.05, 12);
  });

  it('does not roll back one failure short of the line', () => {
    expect(judge(counts({ succeeded: 16, failed: 4, inProgress: 80 }), aPolicy({ hardFailureRate: 0.5 }), BAKED).verdict).not.toBe(Verdict.ROLLBACK);
  });

  it('waits for the minimum executed before rolling back on the evidence', () => {
    const judgement = judge(counts({ succeeded: 3, failed: 2, inProgress: 95 }), aPolicy({ minExecuted: 50 }), BAKED);
    expect(judgement.verdict).toBe(Verdict.EXTEND);
    expect(judgement.reasons).toContain('only 5 executions have ended; the policy needs 50');
  });

  it('judges a stage smaller than the minimum executed once every target has reported', () => {
    const judgement = judge(counts({ succeeded: 5, failed: 5 }), aPolicy({ minExecuted: 50 }), BAKED);
    expect(judgement.verdict).toBe(Verdict.ROLLBACK);
  });

  it('promotes when the counts are within the promotion line and everything else is met', () => {
    const judgement = judge(counts({ succeeded: 200 }), aPolicy(), BAKED);
    expect(judgement.verdict).toBe(Verdict.PROMOTE);
    expect(judgement.reasons[0]).toBe(
      'failure rate 0.0 % (0 of 200) is below the 4 % the policy must catch, at 95 % confidence over every look: 0 failures are within the promotion line (1 of 200)',
    );
    expect(judgement.evidence).toMatchObject({ executed: 200, failures: 0, coverage: 1, confidence: 0.95, maxFailureRate: 0.02, unacceptableFailureRate: 0.04 });
  });

  it('cannot promote a healthy stage too small to rule out the unacceptable rate, and asks a person', () => {
    const judgement = judge(counts({ succeeded: 100 }), aPolicy(), BAKED);
    expect(judgement.verdict).toBe(Verdict.HOLD);
    expect(judgement.reasons[0]).toBe('100 executions cannot yet rule out the 4 % the policy must catch at 95 % confidence, even with no failures');
    expect(judgement.reasons).toContain('every execution has ended, so baking longer cannot add evidence; a person must decide');
  });

  it('promotes the first stage size that can rule out the unacceptable rate with no failures', () => {
    expect(judge(counts({ succeeded: 145 }), aPolicy(), BAKED).verdict).toBe(Verdict.HOLD);
    expect(judge(counts({ succeeded: 146 }), aPolicy(), BAKED).verdict).toBe(Verdict.PROMOTE);
  });

  it('uses the unacceptable rate the policy sets', () => {
    expect(judge(counts({ succeeded: 100 }), aPolicy({ unacceptableFailureRate: 0.1 }), BAKED).verdict).toBe(Verdict.PROMOTE);
  });

  it('says how far the counts are from the promotion line', () => {
    const judgement = judge(counts({ succeeded: 295, failed: 5 }), aPolicy(), BAKED);
    expect(judgement.verdict).toBe(Verdict.HOLD);
    expect(judgement.reasons[0]).toBe('5 failures are above the promotion line (4 of 300), so the evidence cannot rule out the 4 % the policy must catch at 95 % confidence');
  });

  it('weighs failures by the policy', () => {
    const policy = aPolicy({ failureWeights: { failed: 1, rejected: 0, timedOut: 0.5 } });
    const judgement = judge(counts({ succeeded: 190, failed: 1, rejected: 5, timedOut: 4 }), policy, BAKED);
    expect(judgement.evidence.failures).toBe(3);
    expect(judgement.evidence.executed).toBe(200);
  });

  it('never reads the stored target count as less than the job shows', () => {
    const judgement = judge(counts({ targeted: 10, succeeded: 30, queued: 10 }), aPolicy(), BAKED);
    expect(judgement.evidence.coverage).toBeCloseTo(30 / 40, 10);
  });
});

describe('judge: bake, coverage and the inconclusive policy', () => {
  it('extends by the remaining bake when every target reported early, without spending an extension', () => {
    const judgement = judge(counts({ succeeded: 300 }), aPolicy(), { bakedSeconds: 1800, bakeSeconds: 7200, extensionsUsed: 0 });
    expect(judgement).toMatchObject({ verdict: Verdict.EXTEND, extendSeconds: 5400, countsAsExtension: false });
    expect(judgement.reasons[0]).toBe('all 300 executions have ended after 30m, but failures can still show after install; baking the remaining 1h30m');
  });

  it('extends by the remaining bake when judged mid-bake with nothing decisive', () => {
    const judgement = judge(counts({ succeeded: 20, inProgress: 80 }), aPolicy(), { bakedSeconds: 600, bakeSeconds: 7200, extensionsUsed: 2 });
    expect(judgement).toMatchObject({ verdict: Verdict.EXTEND, extendSeconds: 6600, countsAsExtension: false });
  });

  it('extends while everything is still in progress', () => {
    const judgement = judge(counts({ inProgress: 100 }), aPolicy(), BAKED);
    expect(judgement).toMatchObject({ verdict: Verdict.EXTEND, extendSeconds: 3600, countsAsExtension: true });
    expect(judgement.reasons).toContain('only 0 executions have ended; the policy needs 20');
    expect(judgement.reasons.at(-1)).toBe('100 executions are still running or queued; extending the bake by 1h (extension 1 of 2)');
  });

  it('extends by the policy extendBy when it is set', () => {
    const judgement = judge(counts({ succeeded: 10, queued: 300 }), aPolicy({ extendBy: 900 }), BAKED);
    expect(judgement.extendSeconds).toBe(900);
  });

  it('holds once the extensions are used up', () => {
    const judgement = judge(counts({ succeeded: 10, queued: 300 }), aPolicy(), { ...BAKED, extensionsUsed: 2 });
    expect(judgement.verdict).toBe(Verdict.HOLD);
    expect(judgement.reasons.at(-1)).toBe('the bake was already extended 2 times, the most the policy allows; a person must decide');
  });

  it.each([
    ['hold', Verdict.HOLD],
    ['rollback', Verdict.ROLLBACK],
    ['extend', Verdict.EXTEND],
  ] as const)('follows the policy %s for an inconclusive stage', (inconclusive, verdict) => {
    const judgement = judge(counts({ succeeded: 10, queued: 300 }), aPolicy({ inconclusive }), BAKED);
    expect(judgement.verdict).toBe(verdict);
  });

  it('holds back a stage whose coverage is short', () => {
    const judgement = judge(counts({ succeeded: 850, queued: 150 }), aPolicy({ minCoverage: 0.9 }), { ...BAKED, extensionsUsed: 2 });
    expect(judgement.verdict).toBe(Verdict.HOLD);
    expect(judgement.reasons).toContain('only 850 of 1,000 targets reported (85.0 % coverage, 90 % needed)');
  });

  it('promotes a stage with fewer targets than the minimum executed once all of them report, and says so', () => {
    const policy = aPolicy({ maxFailureRate: 0.5, hardFailureRate: 0.5, minExecuted: 20 });
    const judgement = judge(counts({ succeeded: 8 }), policy, BAKED);
    expect(judgement.verdict).toBe(Verdict.PROMOTE);
    expect(judgement.reasons).toContain('the stage has only 8 targets, fewer than the 20 executions the policy asks for; all of them reported');
  });

  it.each([
    // [name, counts, verdict]
    ['all queued', { queued: 50 }, Verdict.EXTEND],
    ['all in progress', { inProgress: 50 }, Verdict.EXTEND],
    ['one early failure out of one (too few executed to judge)', { failed: 1, inProgress: 49 }, Verdict.EXTEND],
    ['a clean large stage', { succeeded: 5000 }, Verdict.PROMOTE],
    ['a large stage at 1 %', { succeeded: 4950, failed: 50 }, Verdict.PROMOTE],
    ['a large stage at 3 %', { succeeded: 4850, failed: 150 }, Verdict.ROLLBACK],
    ['a large stage at the acceptable 2 %', { succeeded: 4900, failed: 100 }, Verdict.PROMOTE],
    ['a large stage between the acceptable and the unacceptable rate', { succeeded: 4855, failed: 145 }, Verdict.HOLD],
    ['rejections count as failures', { succeeded: 4850, rejected: 150 }, Verdict.ROLLBACK],
  ])('judges %s', (_name, stageCounts, verdict) => {
    expect(judge(counts(stageCounts), aPolicy(), BAKED).verdict).toBe(verdict);
  });
});

describe('routeFor', () => {
  it.each([
    [Verdict.PROMOTE, 'auto', 'promote'],
    [Verdict.PROMOTE, 'manual', 'approve'],
    [Verdict.HOLD, 'auto', 'approve'],
    [Verdict.HOLD, 'manual', 'approve'],
    [Verdict.EXTEND, 'auto', 'extend'],
    [Verdict.EXTEND, 'manual', 'extend'],
    [Verdict.ROLLBACK, 'auto', 'rollback'],
    [Verdict.ROLLBACK, 'manual', 'rollback'],
  ] as const)('routes %s on a %s stage to %s', (verdict, approval, route) => {
    expect(routeFor({ verdict }, approval)).toBe(route);
  });
});

describe('judge: numbers in its reasons', () => {
  const HALF_BAKED = { bakedSeconds: 1800, bakeSeconds: 7200, extensionsUsed: 0 };
  it.each([
    ['separates thousands in coverage', counts({ succeeded: 3370, queued: 630 }), aPolicy(), { ...BAKED, extensionsUsed: 2 }, 'only 3,370 of 4,000 targets reported (84.3 % coverage, 90 % needed)'],
    ['separates thousands in failure counts', counts({ succeeded: 8500, failed: 1500 }), hardLineOnly, BAKED, 'failure rate 15.0 % (1,500 of 10,000) is above the hard limit of 10 %'],
    ['speaks of one target in the singular', counts({ succeeded: 1 }), aPolicy({ maxFailureRate: 0.5, unacceptableFailureRate: 0.99, hardFailureRate: 0.9 }), BAKED, '1 of 1 target reported (100.0 % coverage, 90 % needed)'],
    ['says the only target reported', counts({ succeeded: 1 }), aPolicy({ maxFailureRate: 0.5, unacceptableFailureRate: 0.99, hardFailureRate: 0.9 }), BAKED, 'the stage has only 1 target, fewer than the 20 executions the policy asks for; it reported'],
    ['says the only execution has ended', counts({ succeeded: 1 }), aPolicy(), HALF_BAKED, 'the only execution has ended after 30m, but failures can still show after install; baking the remaining 1h30m'],
    ['says one execution has ended', counts({ succeeded: 1, inProgress: 99 }), aPolicy(), BAKED, 'only 1 execution has ended; the policy needs 20'],
    ['says one execution is still running', counts({ succeeded: 20, inProgress: 1 }), aPolicy(), BAKED, '1 execution is still running or queued; extending the bake by 1h (extension 1 of 2)'],
    ['says the bake was extended one time', counts({ succeeded: 10, queued: 300 }), aPolicy({ maxExtensions: 1 }), { ...BAKED, extensionsUsed: 1 }, 'the bake was already extended 1 time, the most the policy allows; a person must decide'],
  ])('%s', (_name, stageCounts, policy, progress, reason) => {
    expect(judge(stageCounts, policy, progress).reasons).toContain(reason);
  });

  it('holds a clean 1-device canary: the promotion line applies even below the minimum executed', () => {
    const judgement = judge(counts({ succeeded: 1 }), aPolicy({ maxFailureRate: 0.05, confidence: 0.9, hardFailureRate: 0.1, minExecuted: 50 }), BAKED);
    expect(judgement.verdict).toBe(Verdict.HOLD);
    expect(judgement.reasons[0]).toBe('1 execution cannot yet rule out the 10 % the policy must catch at 90 % confidence, even with no failures');
  });
});

describe('judge: which rule fired', () => {
  it.each([
    ['no targets', counts({}), aPolicy(), BAKED, ['no-targets']],
    ['the rollback line and the hard line', counts({ succeeded: 15, failed: 5, inProgress: 80 }), aPolicy(), BAKED, ['sequential-rollback', 'hard-failure-rate']],
    ['the rollback line alone', counts({ succeeded: 15, failed: 5, inProgress: 80 }), aPolicy({ hardFailureRate: 0.5 }), BAKED, ['sequential-rollback']],
    ['the timeout line', counts({ succeeded: 90, timedOut: 10 }), aPolicy({ failureWeights: { failed: 1, rejected: 1, timedOut: 0 } }), BAKED, ['hard-timeout-rate']],
    ['the bake', counts({ succeeded: 300 }), aPolicy(), { bakedSeconds: 1800, bakeSeconds: 7200, extensionsUsed: 0 }, ['bake-not-over']],
    ['the promotion line', counts({ succeeded: 200 }), aPolicy(), BAKED, ['sequential-promote']],
    ['neither line', counts({ succeeded: 100 }), aPolicy(), BAKED, ['inconclusive']],
  ])('records %s', (_name, stageCounts, policy, progress, rules) => {
    expect(judge(stageCounts, policy, progress).rules).toEqual(rules);
  });
});
