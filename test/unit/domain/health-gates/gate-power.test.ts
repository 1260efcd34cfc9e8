// What validate says of a rate gate: Wald's expected exposure to a verdict, checked against the gate itself.
import { describeGatePlan, eventsToVerdict, gateWarnings, rateGateDrift } from '#domain/health-gates/gate-power.ts';
import { GateStatus } from '#domain/health-gates/gate-result.ts';
import { HealthGateSpec, RateGateSpec } from '#domain/health-gates/gate-spec.ts';
import { evaluateRateGate } from '#domain/health-gates/rate-ratio.ts';
import { seeded } from '#local/fleet/random.ts';
import { poisson } from '#local/health/simulated-health.ts';
import type { HealthBucket } from '#ports/health-signals.ts';

const budget = (alpha: number) => ({ rollback: alpha, promote: alpha });
const spec = RateGateSpec.parse({ kind: 'rate', metric: 'crashes', maxRatio: 1.2, unacceptableRatio: 2.5 });

describe('the rate gate plan', () => {
  it('drifts down at 1×, up at the unacceptable ratio, and needs ln(1/α)/|D| events', () => {
    expect(rateGateDrift(1, spec)).toBeCloseTo(Math.log(2.5 / 1.2) - 1.3);
    expect(rateGateDrift(2.5, spec)).toBeGreaterThan(0);
    expect(eventsToVerdict(1, spec, budget(0.05))).toEqual({ verdict: 'PASS', events: expect.closeTo(Math.log(20) / (1.3 - Math.log(2.5 / 1.2)), 6) });
    expect(eventsToVerdict(4, spec, budget(0.05))?.verdict).toBe('FAIL');
  });

  it('agrees with the gate on the exposure a release as good as the previous one needs to pass (within a third)', () => {
    // Treatment 1 % of the exposure; 0.05 events per device-hour; a look every 5-minute period.
    const random = seeded(5);
    const hours: number[] = [];
    for (let run = 0; run < 300; run++) {
      const buckets: HealthBucket[] = [];
      for (let period = 0; period < 5000; period++) {
        const t = 100 * 300;
        const c = 9900 * 300;
        const side = (exposureSeconds: number, crashes: number) => ({ exposureSeconds, crashes, reboots: 0, returned: 0, reverted: 0 });
        buckets.push({ start: new Date(period * 300_000).toISOString(), treatment: side(t, poisson((0.05 * t) / 3600, random())), control: side(c, poisson((0.05 * c) / 3600, random())) });
        if (evaluateRateGate(spec, buckets, budget(0.05)).status !== GateStatus.INCONCLUSIVE) {
          hours.push(((period + 1) * 100 * 300) / 3600);
          break;
        }
      }
    }
    const mean = hours.reduce((a, b) => a + b, 0) / hours.length;
    const predicted = eventsToVerdict(1, spec, budget(0.05))!.events / 0.05;
    expect(mean / predicted).toBeGreaterThan(0.67);
    expect(mean / predicted).toBeLessThan(1.5);
  });

  it('states the budget split, the exposure per stage with a planning baseline, and the last stage without a control', () => {
    const gates = [HealthGateSpec.parse({ kind: 'rate', metric: 'crashes', maxRatio: 1.2, unacceptableRatio: 2.5, baselinePerDeviceHour: 0.05 }), HealthGateSpec.parse({ kind: 'alarm', alarmName: 'api' })];
    const lines = describeGatePlan({
      gates,
      confidence: 0.9,
      reportEverySeconds: 300,
      warmUpSeconds: 1800,
      maxFailureRate: 0.05,
      unacceptableFailureRate: 0.1,
      stages: [{ name: 'canary', devices: 100, bakeSeconds: 7200 }, { name: 'all', devices: 10_000, bakeSeconds: 3600 }],
      lastStageReachesAll: true,
    });
    expect(lines[0]).toBe('wrong rollbacks: the install test and 1 statistical gate share the 10 % budget (installs 5 %, each gate 5 %); wrong promotions: each test at most 10 %, so a release bad in any one respect is promoted at most 10 % of the time');
    expect(lines.find((line) => line.includes('at 1× it passes'))).toMatch(/canary \d+m\d+s, all \d+s after the warm-up/);
    expect(lines.some((line) => line.includes('the last stage leaves no device on the previous version'))).toBe(true);
    expect(lines.at(-1)).toBe('alarm-api: CloudWatch alarm api in ALARM rolls the release back at the next look');
  });

  it('warns when a gate cannot decide within the shortest bake', () => {
    const stages = [{ name: 'canary', bakeSeconds: 7200 }, { name: 'all', bakeSeconds: 3600 }];
    const gates = [HealthGateSpec.parse({ kind: 'rate', metric: 'crashes', maxRatio: 1.2 }), HealthGateSpec.parse({ kind: 'silence', afterReports: 4 })];
    expect(gateWarnings({ gates, reportEverySeconds: 300, warmUpSeconds: 1800, stages })).toEqual([]);
    const warnings = gateWarnings({ gates, reportEverySeconds: 1200, warmUpSeconds: 3600, stages });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^health\.warmUp \(1h\) is at least the shortest bake \(1h\)/);
    expect(warnings[1]).toMatch(/^health gate silence waits 1h20m/);
  });
});
