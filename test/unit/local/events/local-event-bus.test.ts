import type { IotJobsEvent } from '#ports/events.ts';
import { TransientError } from '#ports/errors.ts';
import { ASYNC_RETRY_DELAYS_MS, LocalEventBus } from '#local/events/local-event-bus.ts';
import { Scheduler } from '#local/time/scheduler.ts';

const RULES = { failures: { target: 'onJobEvent', pattern: { source: ['ota-release.iot-jobs'] } } };
const event = { eventType: 'JOB', operation: 'completed', jobId: 'r-s0' } as unknown as IotJobsEvent;

function busWith(target: () => Promise<unknown>) {
  const scheduler = new Scheduler({ startMs: 0 });
  const calls: number[] = [];
  const bus = new LocalEventBus(RULES, { onJobEvent: async () => { calls.push(scheduler.nowMs()); return target(); } }, scheduler);
  return { bus, scheduler, calls };
}

describe('LocalEventBus target retries', () => {
  it('invokes a throttled target again after one and then two minutes, as Lambda retries an asynchronous invocation', async () => {
    let failuresLeft = 2;
    const { bus, scheduler, calls } = busWith(async () => {
      if (failuresLeft-- > 0) throw new TransientError('ThrottlingException');
    });
    await bus.publish([event]);
    await scheduler.run(() => calls.length === 3);
    expect(calls).toEqual([0, ASYNC_RETRY_DELAYS_MS[0], ASYNC_RETRY_DELAYS_MS[0] + ASYNC_RETRY_DELAYS_MS[1]]);
    expect(bus.stats).toMatchObject({ retried: 2, givenUp: 0 });
  });

  it('gives the event up after the second retry fails', async () => {
    const { bus, scheduler, calls } = busWith(async () => {
      throw new TransientError('ThrottlingException');
    });
    await bus.publish([event]);
    await scheduler.run(() => bus.stats.givenUp === 1);
    expect(calls).toHaveLength(3);
  });

  it('lets any other error stop the run', async () => {
    const { bus, scheduler } = busWith(async () => {
      throw new RangeError('a bug');
    });
    await bus.publish([event]);
    await expect(scheduler.run(() => false)).rejects.toThrow('a bug');
  });
});
