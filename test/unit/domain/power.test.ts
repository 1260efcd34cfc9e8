import fc from 'fast-check';
import { binomialUpperTail, logGamma } from '#domain/binomial.ts';
import { Verdict } from '#domain/decision.ts';
import { judge } from '#domain/judge.ts';
import { analysePower } from '#domain/power.ts';
import { HealthPolicy } from '#domain/release-request.ts';
import { counts } from './support/requests.ts';

const defaults = HealthPolicy.parse({});

function directTail(k: number, n: number, p: number): number {
  let sum = 0;
  let choose = 1;
  for (let j = 0; j <= n; j++) {
    if (j > 0) choose = (choose * (n - j + 1)) / j;
    if (j >= k) sum += choose * p ** j * (1 - p) ** (n - j);
  }
  return sum;
}

describe('binomial tails', () => {
  it.each([
    [1, 0],
    [2, 0],
    [5, Math.log(24)],
    [0.5, Math.log(Math.sqrt(Math.PI))],
  ])('gives ln Γ(%p)', (x, expected) => {
    expect(logGamma(x)).toBeCloseTo(expected, 10);
  });

  it('matches a direct sum for small n', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 61 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, k, p) => {
        return Math.abs(binomialUpperTail(k, n, p) - directTail(k, n, p)) < 1e-9;
      }),
      { seed: 5, numRuns: 500 },
    );
  });
});

describe('analysePower', () => {
  it('says what a canary can catch, in one sentence', () => {
    const power = analysePower(50, defaults);
    expect(power.summary).toBe(
      'with 50 devices and max failure rate 2 % at 95 % confidence, a defect that fails ≥ 10.3 % of devices is caught with probability ≥ 0.9 (3 failures roll it back)',
    );
  });

  it('says what a large stage catches, with thousands separators, and raises no warning', () => {
    const power = analysePower(5000, defaults);
    expect(power.summary).toMatch(/^with 5,000 devices and max failure rate 2 % at 95 % confidence, a defect that fails ≥ \d+\.\d % of devices is caught with probability ≥ 0\.9 \(1\d\d failures roll it back\)$/);
    expect(power.warning).toBeUndefined();
  });

  it('speaks of one device and one failure in the singular', () => {
    const power = analysePower(1, { ...defaults, maxFailureRate: 0.05, confidence: 0.9 });
    expect(power.summary).toBe(
      'with 1 device and max failure rate 5 % at 90 % confidence, a defect that fails ≥ 90.0 % of devices is caught with probability ≥ 0.9 (1 failure rolls it back)',
    );
    expect(power.warning).toBe('too small: even with no failures the upper bound 73.0 % stays above the 5 % limit, so promoting on evidence takes at least 52 devices');
  });

  it('agrees with the judge on where rollback starts', () => {
    for (const n of [10, 50, 100, 189, 1000]) {
      const { failuresToRollBack } = analysePower(n, defaults);
      expect(failuresToRollBack).toBeDefined();
      const verdictAt = (f: number) => judge(counts({ succeeded: n - f, failed: f }), { ...defaults, inconclusive: 'hold' }, { bakedSeconds: 1, bakeSeconds: 1, extensionsUsed: 0 }).verdict;
      expect(verdictAt(failuresToRollBack!)).toBe(Verdict.ROLLBACK);
      expect(verdictAt(failuresToRollBack! - 1)).not.toBe(Verdict.ROLLBACK);
    }
  });

  it('catches the detectable rate with probability 0.9, and not a visibly smaller one', () => {
    const { detectableRate, failuresToRollBack } = analysePower(200, defaults);
    expect(binomialUpperTail(failuresToRollBack!, 200, detectableRate!)).toBeGreaterThanOrEqual(0.9);
    expect(binomialUpperTail(failuresToRollBack!, 200, detectableRate! - 0.002)).toBeLessThan(0.9);
  });

  it('flags a canary that can never be promoted on evidence, and says how large it must be', () => {
    const power = analysePower(100, defaults);
    expect(power).toMatchObject({ canPromoteClean: false, minimumCohortToPromote: 189, tooSmall: true });
    expect(power.warning).toBe(
      'too small: even with no failures the upper bound 3.7 % stays above the 2 % limit, so promoting on evidence takes at least 189 devices',
    );
  });

  it.each([
    [188, false],
    [189, true],
  ])('finds that a clean stage of %p devices promotes: %p', (n, promotes) => {
    expect(analysePower(n, defaults).canPromoteClean).toBe(promotes);
  });

  it('flags a stage that only catches gross defects', () => {
    // A failure weighted at 0.1 counts as a tenth of a device: only a gross defect moves the needle.
    const coarse = analysePower(1000, { ...defaults, failureWeights: { failed: 0.1, rejected: 1, timedOut: 1 } });
    expect(coarse).toMatchObject({ canPromoteClean: true, tooSmall: true });
    expect(coarse.warning).toBe('too small: it only catches defects above 5× the 2 % limit');
  });

  it('passes a stage large enough for the policy', () => {
    expect(analysePower(1000, defaults)).toMatchObject({ tooSmall: false, canPromoteClean: true, detectableRate: 0.036 });
  });

  it('has nothing to say about an empty stage', () => {
    expect(analysePower(0, defaults)).toMatchObject({ tooSmall: false, summary: 'the stage has no devices, so there is nothing to judge' });
  });

  it('analyses a million-device stage quickly enough for validate', () => {
    expect(analysePower(1_000_000, defaults).detectableRate).toBe(0.021);
  });

  it('detects smaller defects as stages grow', () => {
    const rates = [50, 200, 1000, 10000].map((n) => analysePower(n, defaults).detectableRate!);
    expect([...rates].sort((a, b) => b - a)).toEqual(rates);
  });
});
