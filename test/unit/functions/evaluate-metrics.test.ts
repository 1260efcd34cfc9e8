import { DescribeJobCommand, IoTClient } from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { makeHandler } from '#functions/evaluate-metrics.ts';
import { context, fixedClock, rejection, request, sdkError, storeWithRelease, useStackEnv } from './helpers.ts';

useStackEnv();
const iot = mockClient(IoTClient);
const STAGE = { index: 0, name: 'canary', jobId: 'gw-2-4-0-s0', targeted: 100, bakeSeconds: 3600, approval: 'auto' as const };
// These releases have no health gates, so the health signals are never read.
const health = { read: () => Promise.reject(new Error('not read without health gates')) };
const job = (status: string, details: Record<string, number>, reasonCode?: string) => ({ job: { jobId: STAGE.jobId, status, jobProcessDetails: details, reasonCode } }) as never;

async function build(bakedSeconds: number, approval: 'auto' | 'manual' = 'auto') {
  const clock = fixedClock();
  const store = await storeWithRelease(clock, { status: 'IN_PROGRESS', stages: [{ index: 0, name: 'canary', jobId: STAGE.jobId, targeted: 100, createdAt: clock.now().toISOString() }] });
  clock.advance(bakedSeconds);
  const handler = makeHandler({ jobs: awsFleetJobs(), health, store, clock });
  return { run: () => handler({ request: request(), stage: { ...STAGE, approval }, bakeEnd: { reason: 'timeout' } }, context()), store };
}

beforeEach(() => iot.reset());

describe('evaluate-metrics', () => {
  it.each([
    ['a clean stage after its bake', 3600, 'auto', job('COMPLETED', { numberOfSucceededThings: 100 }), 'PROMOTE', 'promote'],
    ['a clean manual stage after its bake', 3600, 'manual', job('COMPLETED', { numberOfSucceededThings: 100 }), 'PROMOTE', 'approve'],
    ['decisive failures', 600, 'auto', job('IN_PROGRESS', { numberOfSucceededThings: 20, numberOfFailedThings: 20, numberOfQueuedThings: 60 }), 'ROLLBACK', 'rollback'],
    ['a clean stage before its bake is over', 600, 'auto', job('COMPLETED', { numberOfSucceededThings: 100 }), 'EXTEND', 'extend'],
    ['a job someone cancelled', 3600, 'auto', job('CANCELED', { numberOfSucceededThings: 30, numberOfCanceledThings: 70 }, 'OPERATOR'), 'ROLLBACK', 'rollback'],
  ])('judges %s', async (_what, baked, approval, snapshot, verdict, route) => {
    iot.on(DescribeJobCommand).resolves(snapshot);
    const { run, store } = await build(baked, approval as 'auto');

    const result = (await run()) as { judgement: { verdict: string; reasons: string[] }; route: string; extendSeconds: number };

    expect(result.judgement.verdict).toBe(verdict);
    expect(result.route).toBe(route);
    expect(result.extendSeconds > 0).toBe(route === 'extend');
    const [decision] = await store.listDecisions('gw-2-4-0');
    expect(decision).toEqual(expect.objectContaining({ kind: 'verdict', stageIndex: 0, route, judgement: expect.objectContaining({ verdict }) }));
  });

  it('says why when a cancelled job rolls back', async () => {
    iot.on(DescribeJobCommand).resolves(job('CANCELED', { numberOfSucceededThings: 30, numberOfCanceledThings: 70 }, 'OPERATOR'));
    const { run } = await build(3600);

    const { judgement } = (await run()) as { judgement: { reasons: string[]; rules: string[] } };

    expect(judgement.reasons[0]).toContain('cancelled (reason code OPERATOR)');
    expect(judgement.rules[0]).toBe('job-canceled');
  });

  it('numbers each evaluation of a stage in its decision record, with the sequential test on the evidence', async () => {
    iot.on(DescribeJobCommand).resolves(job('IN_PROGRESS', { numberOfSucceededThings: 50, numberOfQueuedThings: 50 }));
    const { run, store } = await build(3600);

    await run();
    await run();

    const looks = (await store.listDecisions('gw-2-4-0')).map((d) => (d.kind === 'verdict' ? [d.look, d.judgement.evidence.sequential.rule] : []));
    expect(looks).toEqual([
      [1, 'sprt'],
      [2, 'sprt'],
    ]);
  });

  it('throws TransientError when IoT is unavailable', async () => {
    iot.on(DescribeJobCommand).rejects(sdkError('ServiceUnavailableException', 503));
    const { run } = await build(3600);

    expect((await rejection(run())).name).toBe('TransientError');
  });

  it('rejects a stage without a job id', async () => {
    const { store } = await build(0);
    const handler = makeHandler({ jobs: awsFleetJobs(), health, store, clock: fixedClock() });

    const error = await rejection(handler({ request: request(), stage: { ...STAGE, jobId: '' } }, context()));

    expect(error.name).toBe('InvalidTaskInputError');
    expect(error.message).toContain('stage.jobId');
  });
});
