import { DescribeJobCommand, IoTClient } from '@aws-sdk/client-iot';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { awsCallbacks } from '#aws/sfn-workflow.ts';
import { makeHandler } from '#functions/bake-wait.ts';
import { context, fixedClock, rejection, request, sdkError, storeWithRelease, useStackEnv } from './helpers.ts';

useStackEnv();
const iot = mockClient(IoTClient);
const sfn = mockClient(SFNClient);
const STAGE = { index: 0, name: 'canary', jobId: 'gw-2-4-0-s0', targeted: 100, bakeSeconds: 3600, approval: 'auto' as const };
const TOKEN = 'A'.repeat(2048);
const input = (overrides: Record<string, unknown> = {}) => ({ token: TOKEN, timeoutSeconds: 3600, releaseId: 'gw-2-4-0', request: request(), stage: STAGE, ...overrides });
const job = (status: string, details: Record<string, number>) => ({ job: { jobId: STAGE.jobId, status, jobProcessDetails: details } }) as never;

async function build() {
  const clock = fixedClock();
  const store = await storeWithRelease(clock, { status: 'IN_PROGRESS', stages: [{ index: 0, name: 'canary', jobId: STAGE.jobId, targeted: 100, createdAt: clock.now().toISOString() }] });
  return { handler: makeHandler({ store, jobs: awsFleetJobs(), callbacks: awsCallbacks(), clock }), store };
}

beforeEach(() => {
  iot.reset();
  sfn.reset();
  sfn.on(SendTaskSuccessCommand).resolves({});
});

describe('bake-wait', () => {
  it('stores a 2,048-character token against the job and leaves the workflow waiting', async () => {
    iot.on(DescribeJobCommand).resolves(job('IN_PROGRESS', { numberOfSucceededThings: 10, numberOfQueuedThings: 90 }));
    const { handler, store } = await build();

    const result = await handler(input(), context());

    expect(result).toEqual({});
    expect(await store.findPendingTaskByJob(STAGE.jobId)).toEqual(expect.objectContaining({ token: TOKEN, kind: 'bake', expiresAt: '2026-11-24T11:00:00.000Z' }));
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 0);
  });

  it.each([
    ['the job was cancelled before the wait began', job('CANCELED', { numberOfFailedThings: 30, numberOfSucceededThings: 10 }), 'job-canceled'],
    ['the failures are already decisive', job('IN_PROGRESS', { numberOfFailedThings: 20, numberOfSucceededThings: 10, numberOfQueuedThings: 70 }), 'failures-decisive'],
    ['the job completed before the wait began', job('COMPLETED', { numberOfSucceededThings: 100 }), 'job-completed'],
  ])('ends the bake at once when %s', async (_why, snapshot, reason) => {
    iot.on(DescribeJobCommand).resolves(snapshot);
    const { handler, store } = await build();

    const result = await handler(input(), context());

    expect(result).toEqual({ endedNow: reason });
    expect(sfn).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: TOKEN, output: JSON.stringify({ reason }) });
    expect(await store.getPendingTask('gw-2-4-0', 'bake')).toBeUndefined();
  });

  it('does not wait for a stage whose wave was empty (no job was made)', async () => {
    const { handler } = await build();

    expect(await handler(input({ stage: { ...STAGE, targeted: 0 } }), context())).toEqual({ endedNow: 'no-targets' });
    expect(iot).toHaveReceivedCommandTimes(DescribeJobCommand, 0);
  });

  it('keeps an extension waiting even though the job completed (an extension waits for time)', async () => {
    iot.on(DescribeJobCommand).resolves(job('COMPLETED', { numberOfSucceededThings: 100 }));
    const { handler, store } = await build();
    const judgement = { verdict: 'EXTEND' as const, rules: [], reasons: [], evidence: {} as never };
    await store.appendDecision({ kind: 'verdict', releaseId: 'gw-2-4-0', stageIndex: 0, stageName: 'canary', at: '2026-11-24T10:05:00.000Z', judgement, route: 'extend', extensionsUsed: 0 });

    expect(await handler(input({ timeoutSeconds: 1800 }), context())).toEqual({});
    expect(sfn).toHaveReceivedCommandTimes(SendTaskSuccessCommand, 0);
  });

  it('throws TransientError when IoT throttles DescribeJob', async () => {
    iot.on(DescribeJobCommand).rejects(sdkError('ThrottlingException', 429));
    const { handler } = await build();

    expect((await rejection(handler(input(), context()))).name).toBe('TransientError');
  });

  it.each([
    ['a token longer than Step Functions makes', { token: 'A'.repeat(2049) }],
    ['no token', { token: '' }],
    ['a timeout of zero', { timeoutSeconds: 0 }],
  ])('rejects %s', async (_what, change) => {
    const { handler } = await build();

    expect((await rejection(handler(input(change), context()))).name).toBe('InvalidTaskInputError');
  });
});
