// Device-seconds as a step function of time: +1 when a device enters a state, −1 when it leaves, integrated on demand.
// Changes may be recorded out of order (a warm-up that ends in the future); the sorted form is rebuilt when asked
// after new changes. What the simulated fleet's health model uses instead of a report per device per period.

type Floats = Float64Array<ArrayBufferLike>;

export class StepExposure {
  /**
   * Changes recorded since the last build. Nearly all are one device entering (+1) or leaving (−1), kept as bare times
   * so they sort natively (Float64Array#sort) instead of through a comparator: at a million devices that sort was a
   * fifth of a simulate's CPU. Other deltas (a whole fleet at the start) are rare.
   */
  private entering: number[] = [];
  private leaving: number[] = [];
  private others: Array<[number, number]> = [];
  /** Distinct change times in order, the change at each, the level after each, and the integral (device-ms) up to each. */
  private at: Floats = new Float64Array(0);
  private step: Floats = new Float64Array(0);
  private level = new Float64Array(0);
  private integral = new Float64Array(0);

  /** `delta` devices enter (or, negative, leave) the state at `ms`. */
  change(ms: number, delta: number): void {
    if (delta === 0 || !Number.isFinite(ms)) return;
    if (delta === 1) this.entering.push(ms);
    else if (delta === -1) this.leaving.push(ms);
    else this.others.push([ms, delta]);
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

  /** Merges the new changes into the sorted ones: a read after k changes costs O(n + k log k), not a sort of all. */
  private build(): void {
    if (this.entering.length === 0 && this.leaving.length === 0 && this.others.length === 0) return;
    let merged: { at: Floats; step: Floats } = { at: this.at, step: this.step };
    merged = mergeChanges(merged, Float64Array.from(this.entering).sort(), () => 1);
    merged = mergeChanges(merged, Float64Array.from(this.leaving).sort(), () => -1);
    const others = this.others.sort((a, b) => a[0] - b[0]);
    merged = mergeChanges(merged, Float64Array.from(others, ([ms]) => ms), (index) => others[index]![1]);
    this.entering = [];
    this.leaving = [];
    this.others = [];
    const { at, step } = merged;
    this.at = at;
    this.step = step;
    this.level = new Float64Array(at.length);
    this.integral = new Float64Array(at.length);
    let current = 0;
    for (let index = 0; index < at.length; index++) {
      this.integral[index] = index === 0 ? 0 : this.integral[index - 1]! + this.level[index - 1]! * (at[index]! - at[index - 1]!);
      current += step[index]!;
      this.level[index] = current;
    }
  }
}

/** Sorted distinct times with their changes, merged with more sorted times (their changes from `deltaOf`). */
function mergeChanges(into: { at: Floats; step: Floats }, times: Floats, deltaOf: (index: number) => number): { at: Floats; step: Floats } {
  if (times.length === 0) return into;
  const at = new Float64Array(into.at.length + times.length);
  const step = new Float64Array(at.length);
  let n = 0;
  const push = (ms: number, delta: number) => {
    if (n > 0 && at[n - 1] === ms) step[n - 1]! += delta;
    else {
      at[n] = ms;
      step[n] = delta;
      n++;
    }
  };
  let i = 0;
  let j = 0;
  while (i < into.at.length || j < times.length) {
    if (j >= times.length || (i < into.at.length && into.at[i]! <= times[j]!)) {
      push(into.at[i]!, into.step[i]!);
      i++;
    } else {
      push(times[j]!, deltaOf(j));
      j++;
    }
  }
  return { at: at.subarray(0, n), step: step.subarray(0, n) };
}
