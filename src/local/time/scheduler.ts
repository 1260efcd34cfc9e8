// One clock for the whole embedded cloud: the workflow runner, the IoT Jobs engine, the event bus and the fleet
// all read it and schedule on it. Two modes:
// - virtual: time jumps to the next event as soon as nothing is running, so a two-hour bake takes milliseconds;
// - scaled: virtual time follows the wall clock times 1/timeScale (`--time-scale 0.001`: one virtual second per
//   real millisecond), for real device agents that act on their own schedule. With `followLag`, real time the
//   process spent behind (its event loop late: lag-monitor.ts) does not count, so a busy host slows the clock
//   instead of letting it time out agents that could not act meanwhile.
// "Running" is explicit: work that must finish before time may move holds the clock (`hold`, `track`). That is
// what makes virtual runs deterministic: the state machine is never overtaken by a timer it has not reached yet.
import type { Clock } from '#ports/clock.ts';
import { StalledError } from '../errors.ts';
import { EventHeap } from './event-heap.ts';
import { monitorLag } from './lag-monitor.ts';

export type TimeMode = { kind: 'virtual' } | { kind: 'scaled'; timeScale: number; followLag?: boolean };

/** A bulk producer of events (the simulated fleet) that keeps its own queue instead of one timer per device. */
export interface EventSource {
  /** Virtual time in epoch ms of the earliest pending event; Infinity when there is none. */
  nextTime(): number;
  /** Runs the earliest event; the scheduler has set the clock to `nextTime()` already. */
  runNext(): void;
}

export interface SchedulerOptions {
  /** Virtual epoch ms the run starts at. */
  startMs: number;
  mode?: TimeMode;
  /** Virtual mode: how long (wall ms) the loop may run before it lets I/O (progress bars, sockets) in. */
  yieldEveryMs?: number;
  /** Scaled mode: the real clock (tests pass their own). */
  realNow?: () => number;
}

type TimerCallback = () => void | Promise<unknown>;

export class Scheduler implements Clock {
  readonly mode: TimeMode;
  private current: number;
  private readonly realNow: () => number;
  private readonly realStart: number;
  /** Scaled mode: real milliseconds the process was behind, which virtual time did not follow. */
  private lagMs = 0;
  private stopLagMonitor: (() => void) | undefined;
  private readonly virtualStart: number;
  private readonly timers = new EventHeap(256);
  private readonly callbacks = new Map<number, TimerCallback>();
  private readonly sources: EventSource[] = [];
  private nextTimerId = 1;
  private holds = 0;
  /** Holds ever taken: a hold taken and let go within one turn of the loop still means work happened. */
  private holdsTaken = 0;
  private idleWaiters: Array<() => void> = [];
  private wakeUp: (() => void) | undefined;
  private failure: unknown;
  private readonly yieldEveryMs: number;
  private earliestSourceTime = Number.POSITIVE_INFINITY;
  /** Events run so far (timers and source events), for the benchmarks. */
  eventsRun = 0;

  constructor(options: SchedulerOptions) {
    this.mode = options.mode ?? { kind: 'virtual' };
    this.current = options.startMs;
    this.virtualStart = options.startMs;
    this.yieldEveryMs = options.yieldEveryMs ?? 40;
    this.realNow = options.realNow ?? (() => performance.now());
    this.realStart = this.realNow();
    if (this.mode.kind === 'scaled' && this.mode.followLag) this.stopLagMonitor = monitorLag((ms) => this.lagged(ms));
  }

  /** Real milliseconds the scaled clock has not counted because the process was behind. */
  get lagDiscountedMs(): number {
    return this.lagMs;
  }

  /** Scaled mode: the process was behind for `realMs`; virtual time does not move for that time. */
  lagged(realMs: number): void {
    if (realMs > 0) this.lagMs += realMs;
  }

  /** Stops the lag monitor (if any). The scheduler still works; it only stops discounting lag. */
  dispose(): void {
    this.stopLagMonitor?.();
    this.stopLagMonitor = undefined;
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    if (this.mode.kind === 'scaled') {
      const following = this.virtualStart + (this.realNow() - this.realStart - this.lagMs) / this.mode.timeScale;
      if (following > this.current) this.current = following;
    }
    return this.current;
  }

  /** Virtual milliseconds since the scheduler was created. */
  elapsedMs(): number {
    return this.nowMs() - this.virtualStart;
  }

  /** Runs `callback` at virtual time `timeMs` (now if it is in the past). Returns an id for `cancel`. */
  at(timeMs: number, callback: TimerCallback): number {
    const id = this.nextTimerId++;
    this.callbacks.set(id, callback);
    this.timers.push(Math.max(timeMs, this.current), id);
    this.wake();
    return id;
  }

  after(delayMs: number, callback: TimerCallback): number {
    return this.at(this.nowMs() + delayMs, callback);
  }

  cancel(id: number): void {
    this.callbacks.delete(id);
  }

  addSource(source: EventSource): void {
    this.sources.push(source);
    this.wake();
  }

  /** Keeps virtual time still until the returned function is called (once). */
  hold(): () => void {
    this.holds++;
    this.holdsTaken++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      if (this.holds === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const resolve of waiters) resolve();
      }
      this.wake();
    };
  }

  /** Holds the clock while `promise` runs; a rejection stops `run` with that error. */
  track<T>(promise: Promise<T>): Promise<T> {
    const release = this.hold();
    promise.then(release, (error: unknown) => {
      this.failure ??= error;
      release();
    });
    return promise;
  }

  /**
   * Ends `run` (now and in every later call) with `reason`, even while something holds the clock: an interrupted
   * simulation must stop where it is, not wait for an answer that will never come.
   */
  stop(reason: unknown): void {
    this.failure ??= reason;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
    this.wake();
  }

  /** Tells a sleeping loop to look again (new work arrived from outside). */
  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  /**
   * Runs events until `isDone()` says so, or (with `untilMs`) until the next event lies past that time, which then
   * becomes the time. Virtual mode throws StalledError when nothing is scheduled, nothing holds the clock and the
   * run is not done; scaled mode waits for outside work (a device, an operator) instead.
   */
  async run(isDone: () => boolean, untilMs = Number.POSITIVE_INFINITY): Promise<void> {
    let lastYield = performance.now();
    let sinceCheck = 0;
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      if (this.holds > 0 && this.mode.kind === 'virtual') {
        await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
        continue;
      }
      if (isDone()) return;
      const source = this.earliestSource();
      const sourceTime = this.earliestSourceTime;
      const timerTime = this.timers.peekTime();
      const next = Math.min(sourceTime, timerTime);
      if (next > untilMs && this.mode.kind === 'virtual') {
        if (untilMs > this.current) this.current = untilMs;
        return;
      }
      if (next === Number.POSITIVE_INFINITY || (this.mode.kind === 'scaled' && next > this.nowMs())) {
        await this.waitForWork(next);
        continue;
      }
      if (next > this.current) this.current = next;
      if (timerTime <= sourceTime) this.runTimer();
      else source!.runNext();
      this.eventsRun++;
      if (++sinceCheck >= 2048) {
        sinceCheck = 0;
        if (performance.now() - lastYield > this.yieldEveryMs) {
          await new Promise((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
      }
    }
  }

  /** The source whose event comes first (its time in `earliestSourceTime`: asked once per event, not twice). */
  private earliestSource(): EventSource | undefined {
    let best: EventSource | undefined;
    let bestTime = Number.POSITIVE_INFINITY;
    for (const source of this.sources) {
      const time = source.nextTime();
      if (time < bestTime) {
        bestTime = time;
        best = source;
      }
    }
    this.earliestSourceTime = bestTime;
    return best;
  }

  private runTimer(): void {
    const id = this.timers.pop();
    const callback = this.callbacks.get(id);
    if (!callback) return; // cancelled
    this.callbacks.delete(id);
    const result = callback();
    if (result && typeof (result as Promise<unknown>).then === 'function') void this.track(result as Promise<unknown>);
  }

  private async waitForWork(next: number): Promise<void> {
    if (this.mode.kind === 'virtual') {
      // Give untracked promise chains (a library's own ticks) two turns before calling the run stuck. Work that held
      // the clock and let go within a turn (a retried task that then succeeded) may have ended the run: look again.
      const taken = this.holdsTaken;
      for (let turn = 0; turn < 2; turn++) {
        await new Promise((resolve) => setImmediate(resolve));
        if (this.holds > 0 || this.timers.size > 0 || this.failure !== undefined || this.holdsTaken !== taken) return;
        if (this.earliestSource()) return;
      }
      throw new StalledError('the simulation stalled: nothing is scheduled, nothing is running, and the release has not ended');
    }
    const realDelay = next === Number.POSITIVE_INFINITY ? 1000 : (next - this.nowMs()) * this.mode.timeScale;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, Math.max(0, Math.min(realDelay, 1000)));
      this.wakeUp = finish;
      function finish() {
        clearTimeout(timer);
        resolve();
      }
    });
  }
}
