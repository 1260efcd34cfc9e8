import { CancelJobCommand, CreateJobCommand, DeleteDynamicThingGroupCommand, DescribeJobCommand, IoTClient, ListJobExecutionsForJobCommand } from '@aws-sdk/client-iot';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { awsFirmwareUrls } from '#aws/firmware-urls.ts';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { awsNotifier } from '#aws/sns-notifier.ts';
import { makeHandler } from '#functions/promote-or-rollback.ts';
import { context, fixedClock, rejection, request, SIGNED, sdkError, storeWithRelease, useStackEnv } from './helpers.ts';

useStackEnv();
const iot = mockClient(IoTClient);
const sns = mockClient(SNSClient);
const ARN = 'arn:aws:iot:eu-west-1:123456789012:thing/';
const stage = (index: number) => ({ index, name: index === 0 ? 'canary' : 'fleet', jobId: `gw-2-4-0-s${index}`, targeted: 10, bakeSeconds: 3600, approval: 'auto' as const });
const evaluation = (route: string, reason = 'the judge says so') => ({ judgement: { verdict: route === 'promote' ? 'PROMOTE' : 'ROLLBACK', reasons: [reason], evidence: { counts: {} } }, route, extendSeconds: 0 });
const state = (index: number, extra: Record<string, unknown> = {}) => ({ request: request(), stageIndex: index, firmware: { ...SIGNED, rollback: null }, stage: stage(index), ...extra });

async function build(openStages = 1, targeting: 'cohort' | 'sampled' = 'sampled') {
  const clock = fixedClock();
  const stages = Array.from({ length: openStages }, (_, i) => ({ index: i, name: stage(i).name, jobId: stage(i).jobId, targeted: 10, createdAt: clock.now().toISOString(), targeting }));
  const store = await storeWithRelease(clock, { status: 'IN_PROGRESS', stages });
  return { handler: makeHandler({ jobs: awsFleetJobs(), firmware: awsFirmwareUrls(), store, notifier: awsNotifier(), clock }), store };
}

beforeEach(() => {
  iot.reset();
  sns.reset();
  sns.on(PublishCommand).resolves({});
  iot.on(CancelJobCommand).resolves({});
  iot.on(CreateJobCommand).resolves({});
  iot.on(DeleteDynamicThingGroupCommand).resolves({});
  iot.on(DescribeJobCommand).resolves({ job: { status: 'CANCELED', jobProcessDetails: {} } });
  iot.on(DescribeJobCommand, { jobId: 'gw-2-4-0-s0' }).resolves({ job: { status: 'CANCELED', jobProcessDetails: { numberOfSucceededThings: 2, numberOfInProgressThings: 1, numberOfTimedOutThings: 1, numberOfCanceledThings: 6 } } });
  iot.on(ListJobExecutionsForJobCommand).resolves({ executionSummaries: [] });
  iot.on(ListJobExecutionsForJobCommand, { jobId: 'gw-2-4-0-s0', status: 'SUCCEEDED' }).resolves({ executionSummaries: [{ thingArn: `${ARN}gw-1`, jobExecutionSummary: { status: 'SUCCEEDED' } }], nextToken: 'p2' });
  iot.on(ListJobExecutionsForJobCommand, { jobId: 'gw-2-4-0-s0', status: 'SUCCEEDED', nextToken: 'p2' }).resolves({ executionSummaries: [{ thingArn: `${ARN}gw-2`, jobExecutionSummary: { status: 'SUCCEEDED' } }] });
  iot.on(ListJobExecutionsForJobCommand, { jobId: 'gw-2-4-0-s0', status: 'IN_PROGRESS' }).resolves({ executionSummaries: [{ thingArn: `${ARN}gw-3`, jobExecutionSummary: { status: 'IN_PROGRESS' } }] });
  iot.on(ListJobExecutionsForJobCommand, { jobId: 'gw-2-4-0-s0', status: 'TIMED_OUT' }).resolves({ executionSummaries: [{ thingArn: `${ARN}gw-4`, jobExecutionSummary: { status: 'TIMED_OUT' } }] });
});

describe('promote-or-rollback: promote', () => {
  it('closes a promoted stage and sends the workflow to the next one', async () => {
    const { handler, store } = await build();

    expect(await handler({ state: state(0, { evaluation: evaluation('promote') }) }, context())).toEqual({ next: 'NEXT_STAGE', nextStageIndex: 1 });

    const record = await store.getRelease('gw-2-4-0');
    expect(record?.stages[0]).toEqual(expect.objectContaining({ outcome: 'promoted', closedAt: '2026-11-24T10:00:00.000Z' }));
    expect(await store.listDecisions('gw-2-4-0')).toEqual([expect.objectContaining({ kind: 'action', action: 'promote', reason: 'the judge says so' })]);
    expect(iot).toHaveReceivedCommandTimes(CancelJobCommand, 0);
  });

  it('finishes the release after the last stage, once however often it is retried', async () => {
    const { handler, store } = await build(2);
    const last = { state: state(1, { evaluation: evaluation('promote') }) };

    expect(await handler(last, context())).toEqual({ next: 'RELEASE_COMPLETE', nextStageIndex: 1 });
    expect(await handler(last, context())).toEqual({ next: 'RELEASE_COMPLETE', nextStageIndex: 1 });

    expect((await store.getRelease('gw-2-4-0'))?.status).toBe('PROMOTED');
    // Nothing is left behind: both waves' dynamic groups are deleted (a missing one counts as deleted).
    expect(iot.commandCalls(DeleteDynamicThingGroupCommand).map((call) => call.args[0].input.thingGroupName)).toEqual(['gw-2-4-0-w0', 'gw-2-4-0-w1', 'gw-2-4-0-w0', 'gw-2-4-0-w1']);
    const actions = (await store.listDecisions('gw-2-4-0')).filter((d) => d.kind === 'action').map((d) => (d as { action: string }).action);
    expect(new Set(actions)).toEqual(new Set(['promote', 'complete']));
  });

  it('promotes when an operator approved, and says who', async () => {
    const { handler, store } = await build();

    await handler({ state: state(0, { evaluation: evaluation('approve'), approval: { answer: 'approve', by: 'ops@example.com' } }) }, context());

    expect(await store.listDecisions('gw-2-4-0')).toEqual([expect.objectContaining({ action: 'promote', reason: 'approved by ops@example.com' })]);
  });
});

describe('promote-or-rollback: rollback', () => {
  it('cancels the canary with CANARY_FAILED and sends the devices that took the release back to the previous version', async () => {
    const { handler, store } = await build();

    expect(await handler({ state: state(0, { evaluation: evaluation('rollback', 'failure rate 40 % is above the 5 % limit') }) }, context())).toEqual({ next: 'ROLLED_BACK', nextStageIndex: 0 });

    expect(iot).toHaveReceivedCommandWith(CancelJobCommand, { jobId: 'gw-2-4-0-s0', reasonCode: 'CANARY_FAILED', force: false });
    const rollback = iot.commandCalls(CreateJobCommand)[0]!.args[0].input;
    expect(rollback.jobId).toBe('gw-2-4-0-rb0');
    // A timed-out device may have installed the image before it went quiet: it goes back too.
    expect(rollback.targets).toEqual([`${ARN}gw-1`, `${ARN}gw-2`, `${ARN}gw-3`, `${ARN}gw-4`]);
    expect(JSON.parse(rollback.document!)).toEqual(expect.objectContaining({ operation: 'firmwareRevert', version: '2.3.1', authorisedRollback: true }));
    const record = await store.getRelease('gw-2-4-0');
    expect(record).toEqual(expect.objectContaining({ status: 'ROLLED_BACK', rollbackJobIds: ['gw-2-4-0-rb0'] }));
    expect(record?.stages[0]?.outcome).toBe('rolled-back');
    expect(sns.commandCalls(PublishCommand)[0]!.args[0].input.Message).toContain('4 devices sent back to 2.3.1');
    expect(iot).toHaveReceivedCommandWith(DeleteDynamicThingGroupCommand, { thingGroupName: 'gw-2-4-0-w0' });
  });

  it('sends a rollback to whole waves, by their dynamic groups, when more than 100 devices took the release', async () => {
    iot.on(DescribeJobCommand, { jobId: 'gw-2-4-0-s0' }).resolves({ job: { status: 'CANCELED', jobProcessDetails: { numberOfSucceededThings: 90_000, numberOfInProgressThings: 500 } } });
    const { handler } = await build(1, 'cohort');

    await handler({ state: state(0, { evaluation: evaluation('rollback') }) }, context());

    expect(iot.commandCalls(CreateJobCommand)[0]!.args[0].input.targets).toEqual(['arn:aws:iot:eu-west-1:123456789012:thinggroup/gw-2-4-0-w0']);
    expect(iot).toHaveReceivedCommandTimes(ListJobExecutionsForJobCommand, 0);
    // The group goes only after the rollback job exists (its SNAPSHOT targets are resolved when it is made).
    const order = iot.calls().map((call) => (call.args[0] as object).constructor.name);
    expect(order.indexOf('DeleteDynamicThingGroupCommand')).toBeGreaterThan(order.indexOf('CreateJobCommand'));
  });

  it('makes no rollback job when no device took the release', async () => {
    iot.on(DescribeJobCommand, { jobId: 'gw-2-4-0-s0' }).resolves({ job: { status: 'CANCELED', jobProcessDetails: { numberOfCanceledThings: 10 } } });
    const { handler, store } = await build();

    await handler({ state: state(0, { evaluation: evaluation('rollback') }) }, context());

    expect(iot).toHaveReceivedCommandTimes(CreateJobCommand, 0);
    expect((await store.getRelease('gw-2-4-0'))?.status).toBe('ROLLED_BACK');
  });

  it('makes no second rollback job when the step is retried', async () => {
    const { handler } = await build();
    const input = { state: state(0, { evaluation: evaluation('rollback') }) };

    await handler(input, context());
    await handler(input, context());

    expect(iot).toHaveReceivedCommandTimes(CreateJobCommand, 1);
  });

  it.each([
    ['an operator rejected', { error: { Error: 'ApprovalRejected', Cause: '{"by":"ops","comment":"too risky"}' } }, 'APPROVAL_REJECTED'],
    ['nobody answered and the policy rejects', { approval: { answer: 'timeout', by: 'policy' } }, 'APPROVAL_TIMED_OUT'],
    ['an unexpected error was caught', { error: { Error: 'InvalidTaskInputError', Cause: '{"errorMessage":"bad"}' } }, 'RELEASE_ERROR'],
  ])('rolls back with the reason code of why: %s', async (_why, extra, reasonCode) => {
    const { handler } = await build();

    await handler({ state: state(0, { evaluation: evaluation('approve'), ...extra }) }, context());

    expect(iot).toHaveReceivedCommandWith(CancelJobCommand, { reasonCode });
  });

  it('rolls back whatever the state says when the catch-all asks', async () => {
    const { handler, store } = await build();

    await handler({ state: state(0, { evaluation: evaluation('promote') }), action: 'rollback' }, context());

    expect((await store.getRelease('gw-2-4-0'))?.status).toBe('ROLLED_BACK');
  });

  it('cancels every stage job of the release, not only the current one', async () => {
    const { handler } = await build(2);

    await handler({ state: state(1, { evaluation: evaluation('rollback') }) }, context());

    expect(iot.commandCalls(CancelJobCommand).map((call) => [call.args[0].input.jobId, call.args[0].input.reasonCode])).toEqual([
      ['gw-2-4-0-s0', 'STAGE_FAILED'],
      ['gw-2-4-0-s1', 'STAGE_FAILED'],
    ]);
  });

  it('throws TransientError when IoT throttles the cancel', async () => {
    iot.on(CancelJobCommand).rejects(sdkError('ThrottlingException', 429));
    const { handler } = await build();

    expect((await rejection(handler({ state: state(0, { evaluation: evaluation('rollback') }) }, context()))).name).toBe('TransientError');
  });

  it('rejects a state without the release request', async () => {
    const { handler } = await build();

    const error = await rejection(handler({ state: { stageIndex: 0 } }, context()));

    expect(error.name).toBe('InvalidTaskInputError');
    expect(error.message).toContain('state.request');
  });
});
