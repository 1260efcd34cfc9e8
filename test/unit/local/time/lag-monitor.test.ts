import { pbkdf2 } from 'node:crypto';
import { monitorLag } from '#local/time/lag-monitor.ts';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sum = (values: number[]) => values.reduce((total, ms) => total + ms, 0);

// Every bound below is a floor: a loaded machine only makes the process later still, never less late.
describe('monitorLag', () => {
  it('reports at least the time the event loop was blocked', async () => {
    const lags: number[] = [];
    const stop = monitorLag((ms) => lags.push(ms), { intervalMs: 10, toleranceMs: 5 });
    await pause(30);
    const blockedUntil = performance.now() + 200;
    while (performance.now() < blockedUntil) {
      // the event loop is busy: no timer can fire
    }
    await pause(40);
    stop();
    expect(sum(lags)).toBeGreaterThanOrEqual(200 - 10 - 5);
  });

  it('reports the time the thread pool was saturated while the event loop stayed free', async () => {
    const lags: number[] = [];
    const stop = monitorLag((ms) => lags.push(ms), { intervalMs: 10, toleranceMs: 5 });
    await pause(30);
    // Occupy every pool thread with work that takes a while; the loop itself has nothing to do meanwhile.
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const started = performance.now();
    const ends = await Promise.all(
      Array.from({ length: threads }, () => new Promise<number>((resolve) => pbkdf2('secret', 'salt', 400_000, 32, 'sha256', () => resolve(performance.now())))),
    );
    await pause(40);
    stop();
    // The probe waited at least until the first pool thread came free.
    const saturatedMs = Math.min(...ends) - started;
    expect(saturatedMs).toBeGreaterThan(50); // the work really took a while on this machine
    expect(sum(lags)).toBeGreaterThanOrEqual(saturatedMs - 2 * 10 - 5);
  });

  it('discounts most of the time the event loop was saturated by many short tasks, never all of it', async () => {
    const lags: number[] = [];
    const stop = monitorLag((ms) => lags.push(ms), { intervalMs: 10, toleranceMs: 5 });
    await pause(30);
    // Thousands of agents' callbacks: each short (no timer is very late), together leaving the loop no idle time.
    const started = performance.now();
    await new Promise<void>((resolve) => {
      const turn = () => {
        const until = performance.now() + 2;
        while (performance.now() < until) {
          // one callback's work
        }
        if (performance.now() - started < 300) setImmediate(turn);
        else resolve();
      };
      turn();
    });
    const busyMs = performance.now() - started;
    stop();
    expect(sum(lags)).toBeGreaterThanOrEqual(0.5 * busyMs);
    expect(sum(lags)).toBeLessThanOrEqual(busyMs + 60);
  });
});
