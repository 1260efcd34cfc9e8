// Device-seconds as a step function of time: +1 when a device enters a state, −1 when it leaves, integrated on demand.
// What the simulated fleet's health model uses instead of a report per device per period.
// Nearly every change comes in time order (a device enters or leaves at the clock's now, a warm-up ends a fixed time
// after it starts), so such a change is appended with its level and running integral in O(1) and a read never
// rebuilds. Changes out of order (a device leaving before a warm-up booked later ends) wait in pending lists and are
// merged into the sorted ones when next read.

type Floats = Float64Array<ArrayBufferLike>;

export class StepExposure {
  /** Distinct change times in order, the change at each, the level after each, and the integral (device-ms) up to each. */
  private at: Floats = new Float64Array(64);
  private step: Floats = new Float64Array(64);
  private level: Floats = new Float64Array(64);
  private integral: Floats = new Float64Array(64);
  private size = 0;
  /**
   * Out-of-order changes since the last read. One device entering (+1) or leaving (−1) is kept as a bare time so
   * they sort natively (Float64Array#sort) instead of through a comparator; other deltas are rare.
   */
  private entering: number[] = [];
  private leaving: number[] = [];
  private others: Array<[number, number]> = [];
  private pending = false;

  /** `delta` devices enter (or, negative, leave) the state at `ms`. */
  change(ms: number, delta: number): void {
    if (delta === 0 || !Number.isFinite(ms)) return;
    const last = this.size - 1;
    if (!this.pending && (last < 0 || ms >= this.at[last]!)) return this.append(ms, delta);
    this.pending = true;
    if (delta === 1) this.entering.push(ms);
    else if (delta === -1) this.leaving.push(ms);
    else this.others.push([ms, delta]);
  }

  /** Device-seconds spent in the state over [fromMs, toMs). */
  secondsBetween(fromMs: number, toMs: number): number {
    if (toMs <= fromMs) return 0;
    if (this.pending) this.mergePending();
    return (this.integralAt(toMs) - this.integralAt(fromMs)) / 1000;
  }

  private append(ms: number, delta: number): void {
    const last = this.size - 1;
    if (last >= 0 && this.at[last] === ms) {
      this.step[last]! += delta;
      this.level[last]! += delta;
      return;
    }
    if (this.size === this.at.length) this.grow(this.size * 2);
    const n = this.size++;
    this.at[n] = ms;
    this.step[n] = delta;
    this.level[n] = (last >= 0 ? this.level[last]! : 0) + delta;
    this.integral[n] = last >= 0 ? this.integral[last]! + this.level[last]! * (ms - this.at[last]!) : 0;
  }

  private integralAt(ms: number): number {
    // The last change at or before ms.
    let lo = 0;
    let hi = this.size - 1;
    if (hi < 0 || ms <= this.at[0]!) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.at[mid]! <= ms) lo = mid;
      else hi = mid - 1;
    }
    return this.integral[lo]! + this.level[lo]! * (ms - this.at[lo]!);
  }

  /** Merges the pending changes into the sorted ones: a read after k of them costs O(n + k log k), not a sort of all. */
  private mergePending(): void {
    let merged: { at: Floats; step: Floats } = { at: this.at.subarray(0, this.size), step: this.step.subarray(0, this.size) };
    merged = mergeChanges(merged, Float64Array.from(this.entering).sort(), () => 1);
    merged = mergeChanges(merged, Float64Array.from(this.leaving).sort(), () => -1);
    const others = this.others.sort((a, b) => a[0] - b[0]);
    merged = mergeChanges(merged, Float64Array.from(others, ([ms]) => ms), (index) => others[index]![1]);
    this.entering = [];
    this.leaving = [];
    this.others = [];
    this.pending = false;
    const { at, step } = merged;
    this.size = 0;
    if (at.length > this.at.length) this.grow(at.length);
    // Appending the merged changes in order rebuilds the levels and the integral.
    for (let index = 0; index < at.length; index++) this.append(at[index]!, step[index]!);
  }

  private grow(capacity: number): void {
    const larger = (from: Floats) => {
      const to = new Float64Array(capacity);
      to.set(from.subarray(0, this.size));
      return to;
    };
    this.at = larger(this.at);
    this.step = larger(this.step);
    this.level = larger(this.level);
    this.integral = larger(this.integral);
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
