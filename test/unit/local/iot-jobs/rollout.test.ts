import { MAX_ROLLOUT_PER_MINUTE, RolloutPlan } from '#local/iot-jobs/rollout.ts';

/** Steps a plan second by second, as the engine does, notifying as many as allowed (up to `targets`). */
function simulate(plan: RolloutPlan, targets: number, seconds: number) {
  const notifiedAt: number[] = [];
  const rateAt: number[] = [];
  let notified = 0;
  for (let second = 0; second < seconds; second++) {
    notified = Math.min(targets, plan.allowedBy(second, notified, 0));
    notifiedAt.push(notified);
    rateAt.push(plan.ratePerMinute);
  }
  return { notifiedAt, rateAt };
}

describe('RolloutPlan', () => {
  // jobs-configurations-details.md: "a base rate of 50 per minute, increment factor of 2, and number of notified and
  // succeeded devices each as 1000 [...] will start at a rate of 50 job executions per minute and continue at that rate
  // until either 1000 things have received job execution notifications or 1000 successful job executions have
  // occurred" — table: rate 50 / 100 / 200 / 400 at 1000 / 2000 / 3000 / 4000.
  it('follows the documented ramp table 50/100/200/400 at 1,000/2,000/3,000 notified things', () => {
    const plan = new RolloutPlan({ exponentialRate: { baseRatePerMinute: 50, incrementFactor: 2, rateIncreaseCriteria: { numberOfNotifiedThings: 1000 } } });
    const { notifiedAt, rateAt } = simulate(plan, 10_000, 4 * 3600);
    // The rate in force once `count` things have been notified (from the next rollout tick on).
    const rateAfter = (count: number) => rateAt[notifiedAt.findIndex((n) => n >= count) + 1];
    expect(rateAfter(1)).toBe(50);
    expect(rateAfter(998)).toBe(50);
    expect(rateAfter(1000)).toBe(100);
    expect(rateAfter(1998)).toBe(100);
    expect(rateAfter(2000)).toBe(200);
    expect(rateAfter(3000)).toBe(400);
  });

  it('raises the rate on succeeded things when that is the criterion', () => {
    const plan = new RolloutPlan({ exponentialRate: { baseRatePerMinute: 10, incrementFactor: 1.5, rateIncreaseCriteria: { numberOfSucceededThings: 5 } } });
    plan.allowedBy(0, 0, 0);
    expect(plan.ratePerMinute).toBe(10);
    plan.allowedBy(60, 10, 5);
    expect(plan.ratePerMinute).toBe(15);
  });

  it.each([1, 7, 60, 100, 1000])('never notifies more than %i in any minute at a constant rate', (rate) => {
    const { notifiedAt } = simulate(new RolloutPlan({ maximumPerMinute: rate }), 1_000_000, 600);
    for (let second = 60; second < notifiedAt.length; second++) {
      expect(notifiedAt[second]! - notifiedAt[second - 60]!).toBeLessThanOrEqual(rate);
    }
    expect(notifiedAt[0]).toBe(1);
    expect(notifiedAt[599]! - notifiedAt[539]!).toBeGreaterThanOrEqual(rate - 1);
  });

  it('caps every rate at the documented 1,000 devices per minute', () => {
    const plan = new RolloutPlan({ maximumPerMinute: 5000 });
    expect(plan.ratePerMinute).toBe(MAX_ROLLOUT_PER_MINUTE);
  });
});
