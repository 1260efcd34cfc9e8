// Device-seconds as a step function of time: +1 when a device enters a state, −1 when it leaves, integrated on demand.
// Changes may be recorded out of order (a warm-up that ends in the future); the sorted form is rebuilt when asked
// after new changes. What the simulated fleet's health model uses instead of a report per device per period.

export class StepExposure {
  private times: number[] = [];
  private deltas: number[] = [];
  private dirty = false;
  /** Sorted change times, the level after each, and the integral (device-ms) up to each. */
  private at = new Float64Array(0);
  private level = new Float64Array(0);
  private integral = new Float64Array(0);

  /** `delta` devices enter (or, negative, leave) the state at `ms`. */
  change(ms: number, delta: number): void {
    if (delta === 0 || !Number.isFinite(ms)) return;
    this.times.push(ms);
    this.deltas.push(delta);
    this.dirty = true;
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

  private build(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const order = this.times.map((_, index) => index).sort((a, b) => this.times[a]! - this.times[b]!);
    const at: number[] = [];
    const level: number[] = [];
    const integral: number[] = [];
    let current = 0;
    for (const index of order) {
      const ms = this.times[index]!;
      const last = at.length - 1;
      if (last >= 0 && at[last] === ms) {
        current += this.deltas[index]!;
        level[last] = current;
        continue;
      }
      const before = last < 0 ? 0 : integral[last]! + level[last]! * (ms - at[last]!);
      current += this.deltas[index]!;
      at.push(ms);
      level.push(current);
      integral.push(before);
    }
    this.at = Float64Array.from(at);
    this.level = Float64Array.from(level);
    this.integral = Float64Array.from(integral);
  }
}
