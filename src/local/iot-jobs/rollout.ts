// How many of a job's targets IoT Jobs has notified by a given time: a constant rate or the exponential ramp.
// Pure arithmetic over whole seconds since the job started, so the engine releases executions in bulk, once a
// second, instead of keeping a timer per thing.
//
// Documented semantics (developerguide/jobs-configurations-details.md, "Job rollout rates"):
// - "To specify the maximum number of job targets to inform per minute, use a constant rollout rate."
// - "a base rate of 50 per minute, increment factor of 2, and number of notified and succeeded devices each as 1000
//   [...] will start at a rate of 50 job executions per minute and continue at that rate until either 1000 things have
//   received job execution notifications or 1000 successful job executions have occurred", then 100, 200, 400 at
//   2000, 3000, 4000.
// - job-limits.md: "AWS IoT Jobs can roll out and cancel job executions swiftly at a rate of 1000 devices per
//   minute" — the local engine caps every rate there.
import type { RolloutConfig } from '#domain/iot-configs.ts';

export const MAX_ROLLOUT_PER_MINUTE = 1000;
/** IoT Jobs' own default when a job has no rollout config. */
export const DEFAULT_ROLLOUT_PER_MINUTE = 1000;

export class RolloutPlan {
  private rate: number;
  private readonly factor: number;
  private readonly notifiedStep: number | undefined;
  private readonly succeededStep: number | undefined;
  private increases = 0;
  /** Rate phases: when the current rate began and how many had been released by then. */
  private phaseStartSecond = 0;
  private phaseBase = 0;
  private firstPhase = true;

  constructor(config: RolloutConfig | undefined) {
    const exponential = config?.exponentialRate;
    if (exponential) {
      this.rate = Math.min(exponential.baseRatePerMinute, MAX_ROLLOUT_PER_MINUTE);
      this.factor = exponential.incrementFactor;
      this.notifiedStep = exponential.rateIncreaseCriteria.numberOfNotifiedThings;
      this.succeededStep = exponential.rateIncreaseCriteria.numberOfSucceededThings;
    } else {
      this.rate = Math.min(config?.maximumPerMinute ?? DEFAULT_ROLLOUT_PER_MINUTE, MAX_ROLLOUT_PER_MINUTE);
      this.factor = 1;
    }
  }

  /** The rate in force now, per minute. */
  get ratePerMinute(): number {
    return this.rate;
  }

  /**
   * How many targets may have been notified by `second` (whole seconds since the job started), given how many
   * were notified and succeeded so far. The first target goes at once; after that no sliding minute sees more
   * than the rate.
   */
  allowedBy(second: number, notified: number, succeeded: number): number {
    this.maybeIncrease(second, notified, succeeded);
    const sincePhase = second - this.phaseStartSecond;
    return this.phaseBase + Math.floor((this.rate * sincePhase) / 60) + (this.firstPhase ? 1 : 0);
  }

  private maybeIncrease(second: number, notified: number, succeeded: number): void {
    if (this.factor === 1) return;
    for (;;) {
      const threshold = this.increases + 1;
      const byNotified = this.notifiedStep !== undefined && notified >= this.notifiedStep * threshold;
      const bySucceeded = this.succeededStep !== undefined && succeeded >= this.succeededStep * threshold;
      if (!byNotified && !bySucceeded) return;
      if (this.rate >= MAX_ROLLOUT_PER_MINUTE) return;
      // A new phase starts from what has been released so far, at the higher rate.
      this.phaseBase = Math.max(notified, this.phaseBase);
      this.phaseStartSecond = second;
      this.firstPhase = false;
      this.rate = Math.min(Math.floor(this.rate * this.factor), MAX_ROLLOUT_PER_MINUTE);
      this.increases++;
    }
  }
}
