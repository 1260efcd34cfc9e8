import { DescribeJobCommand, IoTClient } from '@aws-sdk/client-iot';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { awsCallbacks } from '#aws/sfn-workflow.ts';
import { makeHandler } from '#functions/on-job-event.ts';
import { context, fixedClock, rejection, sdkError, storeWithRelease, useStackEnv } from './helpers.ts';

useStackEnv();
const iot = mockClient(IoTClient);
const sfn = mockClient(SFNClient);
const JOB = 'gw-2-4-0-s0';

function busEvent(detail: Record<string, unknown>) {
  const type = detail.eventType === 'JOB' ? 'IoT Job Event' : 'IoT Job Execution Event';
  return { version: '0', id: `eb-${String(detail.eventId)}`, 'detail-type': type, source: 'ota-release.iot-jobs', account: '123456789012', time: '2026-11-24T10:10:00Z', region: 'eu-west-1', resources: [], detail };
}
const executionFailed = (eventId: string) => busEvent({ eventType: 'JOB_EXECUTION', eventId, timestamp: 1, operation: 'failed', jobId: JOB, thingArn: 'arn:aws:iot:eu-west-1:123456789012:thing/gw-1', status: 'FAILED' });
const jobCompleted = (eventId: string, jobId = JOB) => busEvent({ eventType: 'JOB', eventId, timestamp: 1, operation: 'completed', jobId, status: 'COMPLETED' });
const job = (status: string, details: Record<string, number>) => ({ job: { jobId: JOB, status, jobProcessDetails: details } }) as never;

async function build() {
  const clock = fixedClock();
  const store = await storeWithRelease(clock, { status: 'IN_PROGRESS', stages: [{ index: 0, name: 'canary', jobId: JOB, targeted: 100, createdAt: clock.now().toISOString() }] });
  await store.putPendingTask({ releaseId: 'gw-2-4-0', kind: 'bake', stageIndex: 0, jobId: JOB, token: 'bake-token', createdAt: clock.now().toISOString(), expiresAt: '2026-11-24T11:00:00.000Z' });
  return { handler: makeHandler({ store, jobs: awsFleetJobs(), callbacks: awsCallbacks(), clock }), store };
}

beforeEach(() => {
  iot.reset();
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
});

describe('on-job-event', () => {
  it('ends the waiting bake when the job completes', async () => {
    iot.on(DescribeJobCommand).resolves(job('COMPLETED', { numberOfSucceededThings: 100 }));
    const { handler } = await build();

    expect(await handler(jobCompleted('e-1'), context())).toEqual(expect.objectContaining({ outcome: 'bake-ended', reason: 'job-completed', releaseId: 'gw-2-4-0' }));
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'bake-token', output: '{"reason":"job-completed"}' });
  });

  it('ends the bake early when the failures are already decisive', async () => {
    iot.on(DescribeJobCommand).resolves(job('IN_PROGRESS', { numberOfSucceededThings: 10, numberOfFailedThings: 15, numberOfQueuedThings: 75 }));
    const { handler } = await build();

    expect(await handler(executionFailed('e-1'), context())).toEqual(expect.objectContaining({ outcome: 'bake-ended', reason: 'failures-decisive' }));
  });

  it('keeps baking after a failure that decides nothing yet', async () => {
    iot.on(DescribeJobCommand).resolves(job('IN_PROGRESS', { numberOfSucceededThings: 40, numberOfFailedThings: 1, numberOfQueuedThings: 59 }));
    const { handler, store } = await build();

    expect(await handler(executionFailed('e-1'), context())).toEqual(expect.objectContaining({ outcome: 'still-baking' }));
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 0);
    expect(await store.getPendingTask('gw-2-4-0', 'bake')).toBeDefined();
  });

  it('handles a redelivered event once (idempotent on the IoT eventId)', async () => {
    iot.on(DescribeJobCommand).resolves(job('IN_PROGRESS', { numberOfSucceededThings: 40, numberOfFailedThings: 1, numberOfQueuedThings: 59 }));
    const { handler } = await build();

    await handler(executionFailed('e-1'), context());
    const again = await handler(executionFailed('e-1'), context());

    expect(again).toEqual(expect.objectContaining({ outcome: 'duplicate' }));
    expect(iot).toHaveReceivedCommandTimes(DescribeJobCommand, 1);
  });

  it('resumes the bake once when two different events both say it is over', async () => {
    iot.on(DescribeJobCommand).resolves(job('COMPLETED', { numberOfSucceededThings: 100 }));
    const { handler } = await build();

    const outcomes = await Promise.all([handler(jobCompleted('e-1'), context()), handler(jobCompleted('e-2'), context())]);

    expect(outcomes.map((o) => (o as { outcome: string }).outcome).sort()).toEqual(['bake-ended', 'late']);
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
  });

  it('ignores the events of jobs nothing waits on (rollback jobs, other systems)', async () => {
    const { handler } = await build();

    expect(await handler(jobCompleted('e-1', 'someone-elses-job'), context())).toEqual(expect.objectContaining({ outcome: 'not-waiting' }));
    expect(iot).toHaveReceivedCommandTimes(DescribeJobCommand, 0);
  });

  it('answers late, without failing, when the bake already timed out', async () => {
    iot.on(DescribeJobCommand).resolves(job('COMPLETED', { numberOfSucceededThings: 100 }));
    sfn.on(SendTaskSuccessCommand).rejects(sdkError('TaskTimedOut'));
    const { handler } = await build();

    expect(await handler(jobCompleted('e-1'), context())).toEqual(expect.objectContaining({ outcome: 'late' }));
  });

  it('throws TransientError when IoT throttles DescribeJob', async () => {
    iot.on(DescribeJobCommand).rejects(sdkError('ThrottlingException', 429));
    const { handler } = await build();

    expect((await rejection(handler(jobCompleted('e-1'), context()))).name).toBe('TransientError');
  });

  it('handles the redelivery of an event whose first attempt failed', async () => {
    iot.on(DescribeJobCommand).rejectsOnce(sdkError('ThrottlingException', 429)).resolves(job('COMPLETED', { numberOfSucceededThings: 100 }));
    const { handler } = await build();

    await rejection(handler(jobCompleted('e-1'), context()));
    const retried = await handler(jobCompleted('e-1'), context());

    expect(retried).toEqual(expect.objectContaining({ outcome: 'bake-ended', reason: 'job-completed' }));
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 1);
  });

  it.each([
    ['an event from another source', { ...jobCompleted('e-1'), source: 'aws.s3' }],
    ['an event without a detail', { ...jobCompleted('e-1'), detail: undefined }],
  ])('rejects %s', async (_what, event) => {
    const { handler } = await build();

    expect((await rejection(handler(event, context()))).name).toBe('InvalidTaskInputError');
  });
});
