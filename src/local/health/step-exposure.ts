// Device-seconds as a step function of time: +1 when a device enters a state, −1 when it leaves, integrated on demand.
// Changes may be recorded out of order (a warm-up that ends in the future); the sorted form is rebuilt when asked
// after new changes. What the simulated fleet's health model uses instead of a report per device per period.

export class StepExposure {
  /** Changes recorded since the last build, in the order they came. */
  private pendingTimes: number[] = [];
  private pendingDeltas: number[] = [];
  /** Distinct change times in order, the level after each, and the integral (device-ms) up to each. */
  private at = new Float64Array(0);
  private step = new Float64Array(0);
  private level = new Float64Array(0);
  private integral = new Float64Array(0);

  /** `delta` devices enter (or, negative, leave) the state at `ms`. */
  change(ms: number, delta: number): void {
    if (delta === 0 || !Number.isFinite(ms)) return;
    this.pendingTimes.push(ms);
    this.pendingDeltas.push(delta);
  }

  /** Device-seconds spent in the state over [fromMs, toMs). */
  secondsBetween(fromMs: number, toMs: number): number {
    if (toMs <= fromMs) return 0;
    this.build();
    return (this.integralAt(toMs) - this.integralAt(fromMs)) / 1000;
  }

  private integralAt(ms: number): number {
    // The last change at or before ms.
    let lo = 0;
    let hi = this.at.length - 1;
    if (hi < 0 || ms <= this.at[0]!) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.at[mid]! <= ms) lo = mid;
      else hi = mid - 1;
    }
    return this.integral[lo]! + this.level[lo]! * (ms - this.at[lo]!);
  }

  /**
   * Merges the new changes into the sorted ones: only the new ones are sorted, so a read after k changes costs
   * O(n + k log k), not a sort of everything (the simulator reads once per look, a million devices change many times).
   */
  private build(): void {
    const k = this.pendingTimes.length;
    if (k === 0) return;
    const order = Array.from({ length: k }, (_, index) => index).sort((a, b) => this.pendingTimes[a]! - this.pendingTimes[b]!);
    const times: number[] = [];
    const steps: number[] = [];
    let i = 0;
    let j = 0;
    const push = (ms: number, delta: number) => {
      const last = times.length - 1;
      if (last >= 0 && times[last] === ms) steps[last]! += delta;
      else {
        times.push(ms);
        steps.push(delta);
      }
    };
    while (i < this.at.length || j < k) {
      const fromOld = j >= k || (i < this.at.length && this.at[i]! <= this.pendingTimes[order[j]!]!);
      if (fromOld) {
        push(this.at[i]!, this.step[i]!);
        i++;
      } else {
        push(this.pendingTimes[order[j]!]!, this.pendingDeltas[order[j]!]!);
        j++;
      }
    }
    this.pendingTimes = [];
    this.pendingDeltas = [];
    this.at = Float64Array.from(times);
    this.step = Float64Array.from(steps);
    this.level = new Float64Array(times.length);
    this.integral = new Float64Array(times.length);
    let current = 0;
    for (let index = 0; index < times.length; index++) {
      this.integral[index] = index === 0 ? 0 : this.integral[index - 1]! + this.level[index - 1]! * (times[index]! - times[index - 1]!);
      current += steps[index]!;
      this.level[index] = current;
    }
  }
}
