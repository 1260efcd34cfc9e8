import { EventHeap } from '#local/time/event-heap.ts';
import { Scheduler } from '#local/time/scheduler.ts';

describe('EventHeap', () => {
  it('pops in time order, ties in insertion order', () => {
    const heap = new EventHeap(2);
    [[5, 1], [1, 2], [5, 3], [3, 4], [1, 5]].forEach(([time, payload]) => heap.push(time!, payload!));
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop());
    expect(popped).toEqual([2, 5, 4, 1, 3]);
  });
});

describe('Scheduler (virtual)', () => {
  it('runs timers in time order and jumps the clock to each', async () => {
    const scheduler = new Scheduler({ startMs: 0 });
    const seen: Array<[string, number]> = [];
    scheduler.at(7_200_000, () => void seen.push(['bake', scheduler.nowMs()]));
    scheduler.after(1000, () => void seen.push(['first', scheduler.nowMs()]));
    await scheduler.run(() => seen.length === 2);
    expect(seen).toEqual([['first', 1000], ['bake', 7_200_000]]);
  });

  it('does not move time while something holds it', async () => {
    const scheduler = new Scheduler({ startMs: 0 });
    let fired = false;
    scheduler.after(10, () => {
      fired = true;
    });
    const release = scheduler.hold();
    const running = scheduler.run(() => fired);
    await new Promise((resolve) => setImmediate(resolve));
    expect(scheduler.nowMs()).toBe(0);
    release();
    await running;
    expect(scheduler.nowMs()).toBe(10);
  });

  it('holds the clock while a timer’s promise runs', async () => {
    const scheduler = new Scheduler({ startMs: 0 });
    const order: string[] = [];
    scheduler.after(1, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push('slow work done');
    });
    scheduler.after(2, () => void order.push('later timer'));
    await scheduler.run(() => order.length === 2);
    expect(order).toEqual(['slow work done', 'later timer']);
  });

  it('skips cancelled timers', async () => {
    const scheduler = new Scheduler({ startMs: 0 });
    let ran = false;
    const id = scheduler.after(5, () => {
      ran = true;
    });
    scheduler.cancel(id);
    scheduler.after(10, () => {});
    await scheduler.run(() => scheduler.nowMs() >= 10);
    expect(ran).toBe(false);
  });

  it('reports a stall instead of hanging when nothing can happen', async () => {
    const scheduler = new Scheduler({ startMs: 0 });
    await expect(scheduler.run(() => false)).rejects.toThrow('the simulation stalled');
  });

  it('stops a run with the error of a failed tracked promise', async () => {
    const scheduler = new Scheduler({ startMs: 0 });
    scheduler.after(1, async () => {
      throw new Error('handler broke');
    });
    await expect(scheduler.run(() => false)).rejects.toThrow('handler broke');
  });

  it('stops a run that waits on a hold, and every later run, with the reason given', async () => {
    const scheduler = new Scheduler({ startMs: 0 });
    scheduler.hold(); // an approval nobody will answer
    const running = scheduler.run(() => false);
    await new Promise((resolve) => setImmediate(resolve));
    scheduler.stop(new Error('interrupted'));
    await expect(running).rejects.toThrow('interrupted');
    await expect(scheduler.run(() => false)).rejects.toThrow('interrupted');
  });
});

describe('Scheduler (scaled)', () => {
  it('lets virtual time follow the wall clock divided by the time scale', async () => {
    const scheduler = new Scheduler({ startMs: 0, mode: { kind: 'scaled', timeScale: 0.001 } });
    let firedAt = -1;
    scheduler.after(20_000, () => {
      firedAt = scheduler.nowMs();
    });
    await scheduler.run(() => firedAt >= 0);
    // 20 virtual seconds at 1 ms each: fires no earlier than its time.
    expect(firedAt).toBeGreaterThanOrEqual(20_000);
  });

  it('stops a run that sleeps until its next event', async () => {
    const scheduler = new Scheduler({ startMs: 0, mode: { kind: 'scaled', timeScale: 1 } });
    scheduler.after(3_600_000, () => undefined); // an hour of real time away
    const running = scheduler.run(() => false);
    await new Promise((resolve) => setImmediate(resolve));
    scheduler.stop(new Error('interrupted'));
    await expect(running).rejects.toThrow('interrupted');
  });
});

describe('Scheduler (scaled, following lag)', () => {
  it('does not count real time the process was behind', () => {
    let real = 1000;
    const scheduler = new Scheduler({ startMs: 0, mode: { kind: 'scaled', timeScale: 0.001 }, realNow: () => real });
    real += 100; // 100 real ms: 100 virtual seconds
    expect(scheduler.nowMs()).toBe(100_000);

    scheduler.lagged(60); // of the next 100 ms, 60 were spent behind
    real += 100;
    expect(scheduler.nowMs()).toBe(140_000);
    expect(scheduler.lagDiscountedMs).toBe(60);
  });

  it('never goes back in time when lag is discounted after the fact', () => {
    let real = 0;
    const scheduler = new Scheduler({ startMs: 0, mode: { kind: 'scaled', timeScale: 0.001 }, realNow: () => real });
    real = 50;
    expect(scheduler.nowMs()).toBe(50_000);
    scheduler.lagged(30);
    expect(scheduler.nowMs()).toBe(50_000); // held still until real time catches up with the discount
    real = 90;
    expect(scheduler.nowMs()).toBe(60_000);
  });
});
