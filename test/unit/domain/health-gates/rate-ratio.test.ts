// The rate gate's arithmetic, and its promise checked by Monte Carlo: over every look, a release at the acceptable
// ratio fails the gate at most α of the time and one at the unacceptable ratio passes it at most α of the time.
import { GateStatus } from '#domain/health-gates/gate-result.ts';
import { RateGateSpec } from '#domain/health-gates/gate-spec.ts';
import { evaluateRateGate, rateRatioEvidence, treatmentShare } from '#domain/health-gates/rate-ratio.ts';
import { seeded } from '#local/fleet/random.ts';
import { poisson } from '#local/health/simulated-health.ts';
import type { HealthBucket } from '#ports/health-signals.ts';

const budget = (alpha: number) => ({ rollback: alpha, promote: alpha });
const spec = RateGateSpec.parse({ kind: 'rate', metric: 'crashes', maxRatio: 1.2, unacceptableRatio: 2.5 });
const side = (exposureSeconds: number, crashes: number) => ({ exposureSeconds, crashes, reboots: 0, returned: 0, reverted: 0 });
const bucket = (minute: number, treatment: [number, number], control: [number, number]): HealthBucket => ({
  start: new Date(minute * 60_000).toISOString(),
  treatment: side(...treatment),
  control: side(...control),
});

describe('the rate gate', () => {
  it('is a binomial likelihood ratio per period with the exposures setting the treatment share', () => {
    expect(treatmentShare(1, 100, 300)).toBeCloseTo(0.25);
    expect(treatmentShare(2, 100, 300)).toBeCloseTo(0.4);
    const evidence = rateRatioEvidence([bucket(0, [3600, 3], [3 * 3600, 1])], spec, budget(0.05));
    const p0 = treatmentShare(1.2, 3600, 3 * 3600);
    const p1 = treatmentShare(2.5, 3600, 3 * 3600);
    expect(evidence.logLikelihoodRatio).toBeCloseTo(3 * Math.log(p1 / p0) + Math.log((1 - p1) / (1 - p0)));
    expect(evidence.ratio).toBeCloseTo(9);
    expect(evidence.periodsUsed).toBe(1);
  });

  it('ignores periods without exposure on both sides: their events say nothing of the ratio', () => {
    const evidence = rateRatioEvidence([bucket(0, [3600, 50], [0, 0]), bucket(1, [0, 0], [3600, 40])], spec, budget(0.05));
    expect(evidence.logLikelihoodRatio).toBe(0);
    expect(evidence.periodsUsed).toBe(0);
    expect(evaluateRateGate(spec, [bucket(0, [3600, 50], [0, 0])], budget(0.05))).toMatchObject({ status: GateStatus.INCONCLUSIVE, reason: expect.stringContaining('nothing to compare with') });
    expect(evaluateRateGate(spec, [bucket(0, [0, 0], [3600, 5])], budget(0.05))).toMatchObject({ status: GateStatus.INCONCLUSIVE, reason: expect.stringContaining('no period yet') });
  });

  it('lets the earlier stages stand once no device is left on the previous version, unless the evidence already fails', () => {
    const gone = bucket(6, [1000 * 60, 8], [0, 0]);
    const undecided = Array.from({ length: 3 }, (_, m) => bucket(m, [600 * 60, 8], [400 * 60, 4]));
    expect(evaluateRateGate(spec, [...undecided, gone], budget(0.05))).toMatchObject({ status: GateStatus.PASS, evidence: { controlGone: true }, reason: expect.stringContaining("earlier stages' verdicts stand") });
    const bad = Array.from({ length: 6 }, (_, m) => bucket(m, [600 * 60, 40], [400 * 60, 4]));
    expect(evaluateRateGate(spec, [...bad, gone], budget(0.05)).status).toBe(GateStatus.FAIL);
  });

  it('fails a release crashing far more than the control, passes one crashing the same, and waits in between', () => {
    const many = (ratio: number) => Array.from({ length: 30 }, (_, m) => bucket(m, [100 * 60, Math.round(ratio * 10)], [1000 * 60, 100]));
    expect(evaluateRateGate(spec, many(4), budget(0.05)).status).toBe(GateStatus.FAIL);
    expect(evaluateRateGate(spec, many(1), budget(0.05)).status).toBe(GateStatus.PASS);
    const few = evaluateRateGate(spec, [bucket(0, [100 * 60, 1], [1000 * 60, 10])], budget(0.05));
    expect(few.status).toBe(GateStatus.INCONCLUSIVE);
    expect(few.needSeconds).toBeGreaterThan(0);
  });

  it('gives a ratio band that holds the estimate', () => {
    const evidence = rateRatioEvidence([bucket(0, [3600, 20], [3600, 10])], spec, budget(0.05));
    const [low, high] = evidence.ratioBand!;
    expect(low).toBeLessThan(2);
    expect(high).toBeGreaterThan(2);
  });

  // Periods of 5 minutes for 3 days: 100 treatment devices against 9,900 control devices, 0.05 crashes per device-hour.
  function run(ratio: number, seed: number): GateStatus {
    const random = seeded(seed);
    const buckets: HealthBucket[] = [];
    for (let period = 0; period < 12 * 72; period++) {
      const t = 100 * 300;
      const c = 9900 * 300;
      buckets.push(bucket(period * 5, [t, poisson((0.05 * ratio * t) / 3600, random())], [c, poisson((0.05 * c) / 3600, random())]));
      // A look every half hour, as the workflow's looks come: the first decisive one is final.
      if (period % 6 === 5) {
        const status = evaluateRateGate(spec, buckets, budget(0.1)).status;
        if (status !== GateStatus.INCONCLUSIVE) return status;
      }
    }
    return GateStatus.INCONCLUSIVE;
  }

  it.each([
    ['fails a release at the acceptable ratio', 1.2, GateStatus.FAIL],
    ['passes a release at the unacceptable ratio', 2.5, GateStatus.PASS],
  ])('%s at most α = 10 %% of the time over every look', (_what, ratio, wrong) => {
    const runs = 400;
    let wrongCalls = 0;
    for (let seed = 1; seed <= runs; seed++) if (run(ratio, seed) === wrong) wrongCalls++;
    // 10 % bound; 400 runs give a binomial sd of 1.5 %, so 14 % is a clear breach, not noise.
    expect(wrongCalls / runs).toBeLessThan(0.14);
  });

  it('the same harness catches a per-look test that breaks the promise (a control for the test above)', () => {
    // A naive rule: fail whenever the ratio estimate at a look is above 1.2 with at least 5 treatment crashes.
    const random = seeded(99);
    let wrong = 0;
    for (let r = 0; r < 200; r++) {
      let tc = 0;
      let cc = 0;
      for (let period = 1; period <= 864; period++) {
        tc += poisson((0.05 * 1.2 * 100 * 300) / 3600, random());
        cc += poisson((0.05 * 9900 * 300) / 3600, random());
        if (period % 6 === 0 && tc >= 5 && tc / 100 / (cc / 9900) > 1.2) {
          wrong++;
          break;
        }
      }
    }
    expect(wrong / 200).toBeGreaterThan(0.3);
  });
});
