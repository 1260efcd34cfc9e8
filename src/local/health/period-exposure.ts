// Device-seconds in a state, per period (a minute of the simulation): +1 when a device enters the state, −1 when it
// leaves. What the simulated fleet's health model uses instead of a report per device per period.
// Only whole periods are ever asked for, so nothing per device is kept: each period holds the net change of the level
// within it and the device-time those changes add or remove before it ends. A change costs O(1) in any order (a
// warm-up that ends in the future, a device leaving before it), a read O(1) amortised, and a million devices' changes
// take a few kilobytes instead of arrays of a million change times to sort and integrate.

export class PeriodExposure {
  /** Net change of the level during each period. */
  private delta = new Float64Array(64);
  /** Per period: Σ delta × (ms from the change to the period's end). */
  private rest = new Float64Array(64);
  /** The level at the start of each period, valid up to `clean` (inclusive); rebuilt forward from there when read. */
  private levelAtStart = new Float64Array(65);
  private clean = 0;
  /** Periods touched so far: every change lies before the end of period `periods - 1`. */
  private periods = 0;

  /** Periods of `periodMs` from `originMs` (the simulation's start); a change before the origin is refused. */
  constructor(
    private readonly originMs: number,
    private readonly periodMs: number,
  ) {}

  /** `delta` devices enter (or, negative, leave) the state at `ms`. */
  change(ms: number, delta: number): void {
    if (delta === 0 || !Number.isFinite(ms)) return;
    const offset = ms - this.originMs;
    if (offset < 0) throw new RangeError(`a change at ${ms} is before the exposure's origin ${this.originMs}`);
    const period = Math.floor(offset / this.periodMs);
    if (period >= this.delta.length) this.grow(period + 1);
    this.delta[period]! += delta;
    this.rest[period]! += delta * ((period + 1) * this.periodMs - offset);
    if (period >= this.periods) this.periods = period + 1;
    if (period < this.clean) this.clean = period;
  }

  /** Device-seconds spent in the state during period `period` (from the origin). */
  secondsIn(period: number): number {
    if (period < 0) return 0;
    const own = period < this.periods ? this.rest[period]! : 0;
    return (this.levelAtStartOf(Math.min(period, this.periods)) * this.periodMs + own) / 1000;
  }

  /** The net change of the level during period `period`: with only +1 changes, how many happened in it. */
  changeIn(period: number): number {
    return period >= 0 && period < this.periods ? this.delta[period]! : 0;
  }

  private levelAtStartOf(period: number): number {
    while (this.clean < period) {
      this.levelAtStart[this.clean + 1] = this.levelAtStart[this.clean]! + this.delta[this.clean]!;
      this.clean++;
    }
    return this.levelAtStart[period]!;
  }

  private grow(periods: number): void {
    const capacity = Math.max(periods, this.delta.length * 2);
    const larger = (from: Float64Array, size: number) => {
      const to = new Float64Array(size);
      to.set(from);
      return to;
    };
    this.delta = larger(this.delta, capacity);
    this.rest = larger(this.rest, capacity);
    this.levelAtStart = larger(this.levelAtStart, capacity + 1);
  }
}
