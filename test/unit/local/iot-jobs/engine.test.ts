import { Exec } from '#local/iot-jobs/execution-status.ts';
import type { JobExecutionEvent, JobEvent } from '#ports/events.ts';
import { harness, settle, spec, START } from './harness.ts';

const MINUTE = 60_000;

describe('JobsEngine', () => {
  it('rolls out at the constant rate: one at once, then no more than the rate per minute', async () => {
    const { jobs, engine, scheduler } = harness(10);
    await jobs.createJob(spec({ jobExecutionsRolloutConfig: { maximumPerMinute: 2 } }));
    const job = engine.getJob('job-1')!;
    expect(job.notified).toBe(1);
    await settle(scheduler, START + 60_000);
    expect(job.notified).toBe(3);
    await settle(scheduler, START + 5 * 60_000);
    expect(job.notified).toBe(10);
  });

  it('creating a job twice returns created: false and changes nothing', async () => {
    const { jobs } = harness(3);
    expect(await jobs.createJob(spec())).toEqual({ jobId: 'job-1', created: true });
    expect(await jobs.createJob(spec({ description: 'other' }))).toEqual({ jobId: 'job-1', created: false });
  });

  // jobs-configurations-details.md: "Whenever a job execution remains in the IN_PROGRESS status for longer than this
  // interval, the job execution fails and switches to the terminal TIMED_OUT status."
  it('times out an execution left IN_PROGRESS past the in-progress timer', async () => {
    const { jobs, engine, scheduler, events, dataPlane } = harness(1);
    await jobs.createJob(spec());
    dataPlane.startNext('t-000001', {});
    await settle(scheduler, START + 9 * MINUTE);
    expect(engine.getJob('job-1')!.status[0]).toBe(Exec.IN_PROGRESS);
    await settle(scheduler);
    const snapshot = await jobs.describeJob('job-1');
    expect(snapshot.counts.timedOut).toBe(1);
    expect(snapshot.status).toBe('COMPLETED');
    expect(events.map((e) => `${e.eventType}/${e.operation}`)).toEqual(['JOB_EXECUTION/timed_out', 'JOB/completed']);
  });

  it('does not time out an execution that finished in time', async () => {
    const { jobs, scheduler, dataPlane } = harness(1);
    await jobs.createJob(spec());
    dataPlane.startNext('t-000001', {});
    scheduler.after(5 * MINUTE, () => void dataPlane.update('t-000001', 'job-1', { status: 'SUCCEEDED' }));
    await settle(scheduler);
    expect((await jobs.describeJob('job-1')).counts).toMatchObject({ succeeded: 1, timedOut: 0 });
  });

  // "The retry attempts stop automatically when an execution succeeds or when it reaches the specified number of attempts."
  it('retries a FAILED execution up to numberOfRetries, then it stays FAILED', async () => {
    const { jobs, engine, events, dataPlane } = harness(1);
    await jobs.createJob(spec({ jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'FAILED', numberOfRetries: 1 }] } }));
    const job = engine.getJob('job-1')!;
    dataPlane.startNext('t-000001', {});
    dataPlane.update('t-000001', 'job-1', { status: 'FAILED' });
    expect(job.status[0]).toBe(Exec.QUEUED);
    expect(job.retryAttempt[0]).toBe(1);
    expect(events).toEqual([]);
    dataPlane.startNext('t-000001', {});
    dataPlane.update('t-000001', 'job-1', { status: 'FAILED' });
    expect(job.status[0]).toBe(Exec.FAILED);
    expect(events.map((e) => e.operation)).toEqual(['failed', 'completed']);
  });

  it('never retries REJECTED', async () => {
    const { jobs, engine, dataPlane } = harness(1);
    await jobs.createJob(spec({ jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'ALL', numberOfRetries: 3 }] } }));
    dataPlane.update('t-000001', 'job-1', { status: 'REJECTED' });
    expect(engine.getJob('job-1')!.status[0]).toBe(Exec.REJECTED);
  });

  it('retries TIMED_OUT when the retry config names it', async () => {
    const { jobs, engine, scheduler, dataPlane } = harness(1);
    await jobs.createJob(spec({ jobExecutionsRetryConfig: { criteriaList: [{ failureType: 'TIMED_OUT', numberOfRetries: 1 }] } }));
    dataPlane.startNext('t-000001', {});
    await settle(scheduler, START + 11 * MINUTE);
    const job = engine.getJob('job-1')!;
    expect(job.status[0]).toBe(Exec.QUEUED);
    expect(job.retriesTimedOut[0]).toBe(1);
  });

  // "When the abort criteria is met for canceling a job execution, only QUEUED job executions are canceled [...]
  // current job executions that have an IN_PROGRESS status will not be canceled."
  it('aborts on the criteria: QUEUED executions are cancelled, IN_PROGRESS ones are not', async () => {
    const { jobs, engine, events, dataPlane } = harness(5);
    await jobs.createJob(spec({ abortConfig: { criteriaList: [{ failureType: 'FAILED', action: 'CANCEL', thresholdPercentage: 50, minNumberOfExecutedThings: 1 }] } }));
    const job = engine.getJob('job-1')!;
    // Roll everything out at once for the test: five things at 1000/min arrive within the first second.
    await settle(engine.scheduler, START + 1000);
    expect(job.notified).toBe(5);
    dataPlane.startNext('t-000001', {});
    dataPlane.startNext('t-000002', {});
    dataPlane.update('t-000001', 'job-1', { status: 'FAILED' });
    const snapshot = await jobs.describeJob('job-1');
    expect(snapshot.status).toBe('CANCELED');
    expect(snapshot.reasonCode).toBe('ABORT_CRITERIA_MET');
    expect(snapshot.counts).toMatchObject({ failed: 1, inProgress: 1, canceled: 3 });
    const jobEvents = events.filter((e): e is JobEvent => e.eventType === 'JOB').map((e) => e.operation);
    expect(jobEvents).toEqual(['cancellation_in_progress', 'canceled']);
    expect(events.filter((e) => e.operation === 'canceled' && e.eventType === 'JOB_EXECUTION')).toHaveLength(3);
  });

  it.each([
    [false, { inProgress: 1, canceled: 1 }],
    [true, { inProgress: 0, canceled: 2 }],
  ])('cancel with force=%s cancels QUEUED and, with force, IN_PROGRESS', async (force, expected) => {
    const { jobs, dataPlane, scheduler } = harness(2);
    await jobs.createJob(spec());
    await settle(scheduler, START + 1000);
    dataPlane.startNext('t-000001', {});
    await jobs.cancelJob('job-1', { reasonCode: 'CANARY_FAILED', comment: 'test', force });
    expect((await jobs.describeJob('job-1')).counts).toMatchObject(expected);
    const update = dataPlane.update('t-000001', 'job-1', { status: 'SUCCEEDED' });
    expect(update.ok).toBe(!force);
  });

  it('treats cancelling a completed job as a no-op', async () => {
    const { jobs, dataPlane, events } = harness(1);
    await jobs.createJob(spec());
    dataPlane.update('t-000001', 'job-1', { status: 'SUCCEEDED' });
    await jobs.cancelJob('job-1', { reasonCode: 'LATE', comment: '' });
    expect((await jobs.describeJob('job-1')).status).toBe('COMPLETED');
    expect(events.map((e) => e.operation)).toEqual(['succeeded', 'completed']);
  });

  it('publishes events in the documented shape', async () => {
    const { jobs, dataPlane, events } = harness(1);
    await jobs.createJob(spec());
    dataPlane.update('t-000001', 'job-1', { status: 'FAILED', statusDetails: { reason: 'boot' } });
    const [execution, completed] = events as [JobExecutionEvent, JobEvent];
    expect(execution).toEqual({
      eventType: 'JOB_EXECUTION',
      eventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      timestamp: Math.floor(START / 1000),
      operation: 'failed',
      jobId: 'job-1',
      thingArn: 'arn:aws:iot:local-1:000000000000:thing/t-000001',
      status: 'FAILED',
      statusDetails: { reason: 'boot' },
    });
    expect(completed).toMatchObject({
      eventType: 'JOB',
      operation: 'completed',
      status: 'COMPLETED',
      targetSelection: 'SNAPSHOT',
      targets: ['arn:aws:iot:local-1:000000000000:thinggroup/all'],
      completedAt: START,
      jobProcessDetails: { numberOfCanceledThings: 0, numberOfRejectedThings: 0, numberOfFailedThings: 1, numberOfRemovedThings: 0, numberOfSucceededThings: 0 },
    });
  });

  it('never builds the events no consumer wants, but counts them', async () => {
    const { jobs, dataPlane, events, engine } = harness(2, (_type, op) => op !== 'succeeded');
    await jobs.createJob(spec());
    await settle(engine.scheduler, START + 1000);
    dataPlane.update('t-000001', 'job-1', { status: 'SUCCEEDED' });
    dataPlane.update('t-000002', 'job-1', { status: 'SUCCEEDED' });
    expect(events.map((e) => e.operation)).toEqual(['completed']);
    expect(engine.eventCounts['JOB_EXECUTION/succeeded']).toBe(2);
  });

  it('completes a job with no targets at once', () => {
    const { engine, events } = harness(1);
    engine.createJob(spec(), new Int32Array(0), () => []);
    expect(engine.getJob('job-1')!.jobStatus).toBe('COMPLETED');
    expect(events.map((e) => e.operation)).toEqual(['completed']);
  });

  it('refuses job ids and documents IoT would refuse', async () => {
    const { jobs } = harness(1);
    await expect(jobs.createJob(spec({ jobId: 'bad id!' }))).rejects.toThrow('jobId must be 1–64');
    await expect(jobs.createJob(spec({ document: 'x'.repeat(32769) }))).rejects.toThrow('above 32,768');
    await expect(jobs.createJob(spec({ targets: { thingGroups: ['nope'] } }))).rejects.toThrow('no thing group nope');
  });

  it('lists executions by status, in pages', async () => {
    const { jobs, dataPlane, scheduler } = harness(3);
    await jobs.createJob(spec());
    await settle(scheduler, START + 1000);
    dataPlane.update('t-000002', 'job-1', { status: 'SUCCEEDED' });
    const succeeded: string[] = [];
    for await (const execution of jobs.listExecutions('job-1', 'SUCCEEDED')) succeeded.push(execution.thingName);
    expect(succeeded).toEqual(['t-000002']);
  });
});
