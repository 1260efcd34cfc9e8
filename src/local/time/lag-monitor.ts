// How far this process has fallen behind real time, seen three ways in every window of about `intervalMs`:
// - the event loop is saturated: its utilisation (the share of the window it was busy rather than waiting for
//   I/O) is high, so every agent's next step waits its turn. Above `busyFloor` the share of the window beyond it
//   counts, scaled so a fully busy loop discounts `maxBusyShare` of the window (never all: time still moves, so a
//   process that is busy for good cannot freeze the run);
// - the event loop is blocked: the interval timer fires late (one long task, a host taking the CPU away);
// - the libuv thread pool is saturated: a cheap probe (`stat` of a cached path) waits in the pool's queue behind
//   the agents' file work (slot writes, fsyncs on a slow disk) while the loop itself may be idle.
// The time either was behind, in each window between two ticks, is time agents could not act; the scaled clock does
// not count it (scheduler.ts), so agents that cannot keep up are not timed out by a clock that ran ahead of them.
import { stat } from 'node:fs';
import { tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';

export interface LagMonitorOptions {
  intervalMs?: number;
  /** Lateness below this is scheduling noise, not lag. */
  toleranceMs?: number;
  /** Event-loop utilisation below this is a process keeping up (default 0.5). */
  busyFloor?: number;
  /** The share of a window a fully busy loop discounts (default 0.98). */
  maxBusyShare?: number;
}

/** Calls `onLag(ms)` with the real time the process was behind in each window; returns a function that stops it. */
export function monitorLag(onLag: (ms: number) => void, options: LagMonitorOptions = {}): () => void {
  const intervalMs = options.intervalMs ?? 20;
  const toleranceMs = options.toleranceMs ?? 5;
  const busyFloor = options.busyFloor ?? 0.5;
  const maxBusyShare = options.maxBusyShare ?? 0.98;
  const probePath = tmpdir();
  let last = performance.now();
  let utilisation = performance.eventLoopUtilization();
  let probeSince: number | undefined;
  let stopped = false;
  const probe = (now: number) => {
    probeSince = now;
    stat(probePath, () => {
      probeSince = undefined;
    });
  };
  const timer = setInterval(() => {
    const now = performance.now();
    const window = now - last;
    const loopLate = window - intervalMs;
    // The part of this window in which the probe has been waiting for a pool thread longer than it should.
    const poolWait = probeSince === undefined ? 0 : now - Math.max(probeSince + toleranceMs, last);
    const sample = performance.eventLoopUtilization(utilisation);
    utilisation = performance.eventLoopUtilization();
    const busyShare = Math.min(maxBusyShare, Math.max(0, (sample.utilization - busyFloor) / (1 - busyFloor)) * maxBusyShare);
    last = now;
    const behind = Math.max(loopLate > toleranceMs ? loopLate : 0, poolWait, busyShare * window);
    if (behind > 0) onLag(behind);
    if (probeSince === undefined && !stopped) probe(now);
  }, intervalMs);
  timer.unref(); // never what keeps a process alive
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
