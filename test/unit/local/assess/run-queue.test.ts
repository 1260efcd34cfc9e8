// The run queue with lanes that stand in for threads: each run takes as many turns of the event loop as the test says,
// so lanes finish out of order deterministically.
import { AssessRunError } from '#local/errors.ts';
import type { RunResult } from '#local/assess/run-once.ts';
import { type RunJob, type RunLane, runQueue } from '#local/assess/run-queue.ts';

const jobs: RunJob[] = ['healthy', 'bad-boot'].flatMap((scenario) => [0, 1, 2].map((run) => ({ scenario, run, seed: 10 + run })));
const resultOf = (job: RunJob): RunResult => ({ outcome: 'PROMOTED', status: job.scenario, exposed: job.run, virtualSeconds: job.seed });
const turns = async (count: number) => {
  for (let i = 0; i < count; i++) await new Promise((resolve) => setImmediate(resolve));
};

interface FakeLane extends RunLane {
  ran: RunJob[];
  closed: number;
}

/** A lane whose runs take `slowness` turns; `fails` decides which run throws; `close` makes the run going reject. */
function lane(slowness: number, fails: (job: RunJob) => boolean = () => false): FakeLane {
  let stop: ((error: Error) => void) | undefined;
  const fake: FakeLane = {
    ran: [],
    closed: 0,
    run(job) {
      fake.ran.push(job);
      return new Promise<RunResult>((resolve, reject) => {
        stop = reject;
        void turns(slowness).then(() => (fails(job) ? reject(new Error(`boom in ${job.scenario}`)) : resolve(resultOf(job))));
      });
    },
    async close() {
      fake.closed++;
      stop?.(new Error('terminated'));
    },
  };
  return fake;
}

describe('runQueue', () => {
  it('puts every result in its run slot, whichever lane ran it and in whatever order they finished', async () => {
    const fast = lane(1);
    const slow = lane(5);
    const { results, interrupted } = await runQueue(jobs, [fast, slow]);
    expect(results).toEqual(jobs.map(resultOf));
    expect(interrupted).toBe(false);
    expect(fast.ran.length).toBeGreaterThan(slow.ran.length); // a work queue: the fast lane took more
    expect(fast.ran.length + slow.ran.length).toBe(jobs.length);
    expect([fast.closed, slow.closed]).toEqual([1, 1]);
  });

  it('counts every finished run for the progress bar, in whichever lane it finished', async () => {
    const seen: Array<[number, number]> = [];
    await runQueue(jobs, [lane(3), lane(1)], { onRun: (done, total) => seen.push([done, total]) });
    expect(seen).toEqual(jobs.map((_, index) => [index + 1, jobs.length]));
  });

  it('on interrupt starts no new run, lets the runs going finish, and keeps the first runs of the order', async () => {
    const controller = new AbortController();
    const lanes = [lane(1), lane(4)];
    const { results, interrupted } = await runQueue(jobs, lanes, { signal: controller.signal, onRun: (done) => done === 1 && controller.abort() });
    expect(interrupted).toBe(true);
    // The fast lane finished run 0 and stopped; the slow lane's run 1 was going and finished.
    expect(results).toEqual([resultOf(jobs[0]!), resultOf(jobs[1]!), undefined, undefined, undefined, undefined]);
    expect(lanes.map((l) => l.closed)).toEqual([1, 1]);
  });

  it('is not interrupted when the signal comes after the last run', async () => {
    const controller = new AbortController();
    const { interrupted } = await runQueue(jobs, [lane(1)], { signal: controller.signal, onRun: (done) => done === jobs.length && controller.abort() });
    expect(interrupted).toBe(false);
  });

  it('fails with the run that threw, its scenario, seed and message, and ends the other lanes at once', async () => {
    const failing = lane(1, (job) => job.scenario === 'healthy' && job.run === 2);
    const slow = lane(1_000);
    const outcome = runQueue(jobs, [failing, slow]);
    await expect(outcome).rejects.toThrow(AssessRunError);
    await expect(outcome).rejects.toThrow('run 3 of scenario healthy (seed 12) failed: boom in healthy');
    expect(slow.ran).toEqual([jobs[1]]); // its run was going when the other failed: dropped, not awaited
    expect([failing.closed, slow.closed]).toEqual([1, 1]);
  });

  it('keeps the error a run threw as the cause', async () => {
    const error = await runQueue(jobs, [lane(1, () => true)]).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AssessRunError);
    expect((error as AssessRunError).cause).toEqual(new Error('boom in healthy'));
  });
});
