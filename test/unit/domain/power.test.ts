import { Verdict } from '#domain/decision.ts';
import { judge } from '#domain/judge.ts';
import { ANALYSED_REPORTS, analysePower, lookScheduleOutcome } from '#domain/power.ts';
import { HealthPolicy } from '#domain/release-request.ts';
import { aPolicy, counts } from './support/requests.ts';

const defaults = HealthPolicy.parse({});
const example = aPolicy({ maxFailureRate: 0.05, unacceptableFailureRate: 0.1, confidence: 0.9, hardFailureRate: 0.15, minExecuted: 50 });
const MID_BAKE = { bakedSeconds: 0, bakeSeconds: 1, extensionsUsed: 0 };
const BAKED = { bakedSeconds: 1, bakeSeconds: 1, extensionsUsed: 0 };

/**
 * The look schedule the slow way: every sequence of n outcomes, the real judge asked at each failure once the minimum
 * executed is met (and at the report that meets it), and once more at the end.
 */
function enumerate(n: number, policy: HealthPolicy, rate: number) {
  const result = { rollback: 0, promote: 0, hold: 0 };
  for (let bits = 0; bits < 1 << n; bits++) {
    let probability = 1;
    for (let i = 0; i < n; i++) probability *= (bits >> i) & 1 ? rate : 1 - rate;
    let failures = 0;
    let ended: keyof typeof result | undefined;
    let gateSeen = false;
    for (let i = 1; i <= n && !ended; i++) {
      const failed = (bits >> (i - 1)) & 1;
      failures += failed;
      const gate = i >= Math.min(policy.minExecuted, n);
      const look = gate && (failed === 1 || !gateSeen);
      gateSeen ||= gate;
      const stage = counts({ targeted: n, succeeded: i - failures, failed: failures, inProgress: n - i });
      if (look && judge(stage, { ...policy, maxTimeoutRate: 1 }, MID_BAKE).verdict === Verdict.ROLLBACK) ended = 'rollback';
    }
    if (!ended) {
      const verdict = judge(counts({ succeeded: n - failures, failed: failures }), { ...policy, inconclusive: 'hold', maxTimeoutRate: 1 }, BAKED).verdict;
      ended = verdict === Verdict.ROLLBACK ? 'rollback' : verdict === Verdict.PROMOTE ? 'promote' : 'hold';
    }
    result[ended] += probability;
  }
  return result;
}

describe('lookScheduleOutcome', () => {
  it.each([
    ['the default policy', 12, aPolicy({ minExecuted: 5 }), 0.3],
    ['a lenient policy that can promote', 12, aPolicy({ maxFailureRate: 0.1, unacceptableFailureRate: 0.6, confidence: 0.8, minExecuted: 4, hardFailureRate: 0.5 }), 0.2],
    ['a stage smaller than the minimum executed', 10, aPolicy({ maxFailureRate: 0.1, unacceptableFailureRate: 0.6, confidence: 0.8, minExecuted: 50 }), 0.25],
  ])('is exact for %s (every sequence enumerated, the judge asked at each look)', (_name, n, policy, rate) => {
    const slow = enumerate(n, policy, rate);
    const fast = lookScheduleOutcome(n, policy, rate);
    expect(fast.rollback).toBeCloseTo(slow.rollback, 10);
    expect(fast.promote).toBeCloseTo(slow.promote, 10);
    expect(fast.hold).toBeCloseTo(slow.hold, 10);
  });

  it.each([
    ['the default policy', defaults, 5000],
    ['the example policy', example, 5000],
    ['a 1 % limit at 95 %', aPolicy({ maxFailureRate: 0.01, confidence: 0.95, minExecuted: 20 }), 20000],
    ['a tiny canary', aPolicy({ maxFailureRate: 0.05, confidence: 0.9, minExecuted: 1 }), 20],
  ])('keeps both promises of the sequential test for %s', (_name, policy, n) => {
    const sequentialOnly = { ...policy, hardFailureRate: 1 };
    const alpha = 1 - policy.confidence;
    expect(lookScheduleOutcome(n, sequentialOnly, policy.maxFailureRate).rollback).toBeLessThanOrEqual(alpha);
    expect(lookScheduleOutcome(n, sequentialOnly, policy.maxFailureRate / 2).rollback).toBeLessThanOrEqual(alpha);
    expect(lookScheduleOutcome(n, sequentialOnly, policy.unacceptableFailureRate).promote).toBeLessThanOrEqual(alpha);
    expect(lookScheduleOutcome(n, sequentialOnly, 2 * policy.unacceptableFailureRate).promote).toBeLessThanOrEqual(alpha);
  });

  it('adds up to one', () => {
    const outcome = lookScheduleOutcome(900, example, 0.07);
    expect(outcome.rollback + outcome.promote + outcome.hold).toBeCloseTo(1, 9);
  });
});

describe('analysePower', () => {
  it('says what the example canary can catch over every look, and how fast', () => {
    const power = analysePower(100, example);
    expect(power.summary).toBe(
      'with 100 devices and acceptable failure rate 5 %, unacceptable 10 %, at 90 % confidence, a defect that fails ≥ 14.0 % of devices is caught with probability ≥ 0.9 over every look',
    );
    expect(power.details).toEqual([
      'at 2× the limit (10 %) it rolls back 55 % of the time, after 63 reports on average',
      'at 4× the limit (20 %) it rolls back 99.7 % of the time, after 51 reports on average',
      'a good release (2.5 %) waits for a person or rolls back 11 % of the time instead of promoting',
      'one failing at the limit is ever rolled back 3.7 % of the time (at most 10 %)',
    ]);
    expect(power.warning).toBeUndefined();
  });

  it('says what a large stage catches, with thousands separators, and raises no warning', () => {
    const power = analysePower(5000, defaults);
    expect(power.summary).toMatch(/^with 5,000 devices and acceptable failure rate 2 %, unacceptable 4 %, at 95 % confidence, a defect that fails ≥ \d\.\d % of devices is caught with probability ≥ 0\.9 over every look$/);
    expect(power.warning).toBeUndefined();
  });

  it('speaks of one device in the singular and says it can never be promoted', () => {
    const power = analysePower(1, example);
    expect(power.summary).toBe('with 1 device and acceptable failure rate 5 %, unacceptable 10 %, at 90 % confidence, no defect is caught with probability ≥ 0.9');
    expect(power.warning).toBe('is too small: even with no failures it cannot rule out the unacceptable 10 % at 90 % confidence; promoting on evidence takes at least 43 devices');
  });

  it('agrees with the judge on where rollback starts once every device has reported', () => {
    for (const n of [10, 50, 100, 146, 1000]) {
      const { failuresToRollBack } = analysePower(n, defaults);
      expect(failuresToRollBack).toBeDefined();
      const verdictAt = (f: number) => judge(counts({ succeeded: n - f, failed: f }), { ...defaults, inconclusive: 'hold' }, BAKED).verdict;
      expect(verdictAt(failuresToRollBack!)).toBe(Verdict.ROLLBACK);
      expect(verdictAt(failuresToRollBack! - 1)).not.toBe(Verdict.ROLLBACK);
    }
  });

  it('catches the detectable rate with probability 0.9 over the look schedule, and not a visibly smaller one', () => {
    const { detectableRate } = analysePower(200, defaults);
    expect(lookScheduleOutcome(200, defaults, detectableRate!).rollback).toBeGreaterThanOrEqual(0.9);
    expect(lookScheduleOutcome(200, defaults, detectableRate! - 0.002).rollback).toBeLessThan(0.9);
  });

  it('flags a canary that can never be promoted on evidence, and says how large it must be', () => {
    const power = analysePower(100, defaults);
    expect(power).toMatchObject({ canPromoteClean: false, minimumCohortToPromote: 146, tooSmall: true });
    expect(power.warning).toBe('is too small: even with no failures it cannot rule out the unacceptable 4 % at 95 % confidence; promoting on evidence takes at least 146 devices');
  });

  it.each([
    [145, false],
    [146, true],
  ])('finds that a clean stage of %p devices promotes: %p', (n, promotes) => {
    expect(analysePower(n, defaults).canPromoteClean).toBe(promotes);
  });

  it('flags a stage that only catches gross defects', () => {
    // A failure weighted at 0.1 counts as a tenth of a device: only a gross defect moves the needle.
    const coarse = analysePower(1000, { ...defaults, failureWeights: { failed: 0.1, rejected: 1, timedOut: 1 } });
    expect(coarse).toMatchObject({ canPromoteClean: true, tooSmall: true });
    expect(coarse.warning).toBe('is too small: it only catches defects above 5× the 2 % limit');
  });

  it('warns when the hard limit breaks the promise the confidence makes', () => {
    const power = analysePower(900, { ...example, hardFailureRate: 0.1 });
    expect(power.falseRollbackAtLimit).toBeGreaterThan(0.1);
    expect(power.falseRollbackAtLimitSequential).toBeLessThanOrEqual(0.1);
    expect(power.warning).toMatch(/^breaks the confidence: its hard limit of 10 % after 50 executions rolls back a stage failing at the 5 % limit 12 % of the time, more than the 10 % the confidence allows; raise hardFailureRate or minExecuted$/);
  });

  it('passes a stage large enough for the policy', () => {
    expect(analysePower(1000, defaults)).toMatchObject({ tooSmall: false, canPromoteClean: true });
  });

  it('has nothing to say about an empty stage', () => {
    expect(analysePower(0, defaults)).toMatchObject({ tooSmall: false, summary: 'the stage has no devices, so there is nothing to judge' });
  });

  it('analyses the first reports of a million-device stage, and says so', () => {
    const power = analysePower(1_000_000, defaults);
    expect(power.analysedReports).toBe(ANALYSED_REPORTS);
    expect(power.summary).toMatch(/within its first 20,000 reports$/);
    expect(power.detectableRate).toBeLessThanOrEqual(0.03);
  });

  it('detects smaller defects as stages grow', () => {
    const rates = [50, 200, 1000, 10000].map((n) => analysePower(n, defaults).detectableRate!);
    expect([...rates].sort((a, b) => b - a)).toEqual(rates);
  });
});
