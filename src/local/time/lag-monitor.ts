// How far this process has fallen behind real time: a short interval timer that should fire every `intervalMs`;
// when the event loop is too busy (thousands of agents' messages, a slow disk, a loaded host), it fires late, and
// the lateness is the time nothing in the process could act on. The scaled clock does not count that time
// (scheduler.ts), so agents that cannot keep up are not timed out by a clock that ran ahead of them.
import { performance } from 'node:perf_hooks';

export interface LagMonitorOptions {
  intervalMs?: number;
  /** Lateness below this is scheduling noise, not lag. */
  toleranceMs?: number;
}

/** Calls `onLag(ms)` with each lateness beyond tolerance; returns a function that stops the monitor. */
export function monitorLag(onLag: (ms: number) => void, options: LagMonitorOptions = {}): () => void {
  const intervalMs = options.intervalMs ?? 20;
  const toleranceMs = options.toleranceMs ?? 5;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const late = now - last - intervalMs;
    last = now;
    if (late > toleranceMs) onLag(late);
  }, intervalMs);
  timer.unref(); // never what keeps a process alive
  return () => clearInterval(timer);
}
