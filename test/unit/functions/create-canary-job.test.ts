import { CreateDynamicThingGroupCommand, CreateJobCommand, DescribeThingGroupCommand, GetStatisticsCommand, IoTClient, ListThingsInThingGroupCommand } from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { awsFirmwareUrls } from '#aws/firmware-urls.ts';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { cohortWaveQuery } from '#domain/cohort.ts';
import { fleetQueryString } from '#domain/fleet-query.ts';
import { selectWave } from '#domain/wave-plan.ts';
import { makeHandler } from '#functions/create-canary-job.ts';
import { context, fixedClock, rejection, request, SIGNED, sdkError, storeWithRelease, useStackEnv } from './helpers.ts';

useStackEnv();
const iot = mockClient(IoTClient);
const fleetOf = (n: number) => Array.from({ length: n }, (_, i) => `gw-${String(i).padStart(5, '0')}`);
const ARN = 'arn:aws:iot:eu-west-1:123456789012:';
const FLEET_QUERY = 'thingGroupNames:gateways';

/** A small fleet: GetStatistics counts it, ListThingsInThingGroup lists it in one page. */
function smallFleet(things: string[]): void {
  iot.on(GetStatisticsCommand, { queryString: FLEET_QUERY }).resolves({ statistics: { count: things.length } });
  iot.on(ListThingsInThingGroupCommand, { thingGroupName: 'gateways' }).resolves({ things });
}

/** A big fleet: only counts; a wave's query answers `wave` things. */
function bigFleet(size: number, wave: number, status: 'ACTIVE' | 'BUILDING' = 'ACTIVE'): void {
  iot.on(GetStatisticsCommand).resolves({ statistics: { count: wave } });
  iot.on(GetStatisticsCommand, { queryString: FLEET_QUERY }).resolves({ statistics: { count: size } });
  iot.on(CreateDynamicThingGroupCommand).resolves({});
  iot.on(DescribeThingGroupCommand).resolves({ status });
}

async function build() {
  const clock = fixedClock();
  const store = await storeWithRelease(clock);
  return { handler: makeHandler({ jobs: awsFleetJobs(), firmware: awsFirmwareUrls(), store, clock }), store };
}

beforeEach(() => {
  iot.reset();
  iot.on(CreateJobCommand).resolves({ jobId: 'gw-2-4-0-s0' });
});

describe('create-canary-job', () => {
  it('targets a big fleet\'s wave as one dynamic thing group over its cohort window: a handful of calls, no listing', async () => {
    bigFleet(10_000_000, 1_000_000);
    const { handler, store } = await build();

    const stage = await handler({ request: request(), stageIndex: 0, firmware: { ...SIGNED, rollback: null } }, context());

    expect(stage).toEqual({ index: 0, name: 'canary', jobId: 'gw-2-4-0-s0', targeted: 1_000_000, bakeSeconds: 3600, approval: 'auto' });
    expect(iot).toHaveReceivedCommandWith(CreateDynamicThingGroupCommand, { thingGroupName: 'gw-2-4-0-w0', indexName: 'AWS_Things', queryString: fleetQueryString(cohortWaveQuery(request(), 0)) });
    const input = iot.commandCalls(CreateJobCommand)[0]!.args[0].input;
    expect(input.targets).toEqual([`${ARN}thinggroup/gw-2-4-0-w0`]);
    expect(input.targetSelection).toBe('SNAPSHOT');
    // Job ids keep their 0-based suffix (-s0); what people read in the console numbers the waves from 1.
    expect(input.description).toMatch(/^ota-release gw-2-4-0: 2\.4\.0 to stage 1 \(canary\) of \d+$/);
    expect(input.presignedUrlConfig).toEqual({ roleArn: 'arn:aws:iam::123456789012:role/presign', expiresInSec: 3600 });
    expect(JSON.parse(input.document!)).toEqual(
      expect.objectContaining({ version: '2.4.0', checksum: SIGNED.sha256, firmwareUrl: '${aws:iot:s3-presigned-url:https://s3.eu-west-1.amazonaws.com/firmware-bucket/firmware/gw-2.4.0.bin}' }),
    );
    expect(iot).toHaveReceivedCommandTimes(ListThingsInThingGroupCommand, 0);
    expect(iot.calls().length).toBeLessThanOrEqual(5);
    expect((await store.getRelease('gw-2-4-0'))?.stages).toEqual([expect.objectContaining({ index: 0, targeted: 1_000_000, targeting: 'cohort' })]);
  });

  it('makes the same calls for a fleet of 10,000 and of 10,000,000', async () => {
    const callsFor = async (size: number) => {
      iot.reset();
      iot.on(CreateJobCommand).resolves({});
      bigFleet(size, size / 10);
      const { handler } = await build();
      await handler({ request: request(), stageIndex: 0, firmware: SIGNED }, context());
      return iot.calls().map((call) => (call.args[0] as object).constructor.name);
    };

    expect(await callsFor(10_000_000)).toEqual(await callsFor(10_000));
  });

  it('waits on Step Functions while the dynamic group is still building: TargetsNotReadyError, and no job yet', async () => {
    bigFleet(1_000_000, 100_000, 'BUILDING');
    const { handler } = await build();

    expect((await rejection(handler({ request: request(), stageIndex: 0, firmware: SIGNED }, context()))).name).toBe('TargetsNotReadyError');
    expect(iot).toHaveReceivedCommandTimes(CreateJobCommand, 0);
  });

  it('carries on with the group and the job it made when a retried step meets ResourceAlreadyExists', async () => {
    bigFleet(1_000_000, 100_000);
    const { handler, store } = await build();
    const input = { request: request(), stageIndex: 0, firmware: SIGNED };
    const first = await handler(input, context());
    iot.on(CreateDynamicThingGroupCommand).rejects(sdkError('ResourceAlreadyExistsException', 409));
    iot.on(CreateJobCommand).rejects(sdkError('ResourceAlreadyExistsException', 409));

    const second = await handler(input, context());

    expect(second).toEqual(first);
    expect((await store.getRelease('gw-2-4-0'))?.stages).toHaveLength(1);
  });

  it('samples a fleet of up to 100 things exactly, naming each thing of the wave in the job', async () => {
    const things = fleetOf(60);
    smallFleet(things);
    const { handler, store } = await build();

    const stage = (await handler({ request: request(), stageIndex: 0, firmware: SIGNED }, context())) as { targeted: number };

    const wave = selectWave(request(), 0, things);
    expect(stage.targeted).toBe(wave.length);
    expect(iot.commandCalls(CreateJobCommand)[0]!.args[0].input.targets).toEqual(wave.map((thing) => `${ARN}thing/${thing}`));
    expect(iot).toHaveReceivedCommandTimes(CreateDynamicThingGroupCommand, 0);
    expect((await store.getRelease('gw-2-4-0'))?.stages[0]?.targeting).toBe('sampled');
  });

  it('targets the thing groups of a thing-group stage and counts them with one query', async () => {
    iot.on(GetStatisticsCommand, { queryString: 'thingGroupNames:lab' }).resolves({ statistics: { count: 3 } });
    const { handler } = await build();
    const groups = request({ stages: [{ name: 'lab', targets: { thingGroups: ['lab'] }, bake: '1h' }] });

    const stage = (await handler({ request: groups, stageIndex: 0, firmware: SIGNED }, context())) as { targeted: number };

    expect(stage.targeted).toBe(3);
    expect(iot).toHaveReceivedCommandWith(CreateJobCommand, { targets: [`${ARN}thinggroup/lab`] });
    expect(iot).toHaveReceivedCommandTimes(ListThingsInThingGroupCommand, 0);
  });

  it('makes no job for an empty wave', async () => {
    bigFleet(1_000_000, 0);
    const { handler } = await build();

    const stage = (await handler({ request: request(), stageIndex: 0, firmware: SIGNED }, context())) as { targeted: number };

    expect(stage.targeted).toBe(0);
    expect(iot).toHaveReceivedCommandTimes(CreateJobCommand, 0);
    expect(iot).toHaveReceivedCommandTimes(CreateDynamicThingGroupCommand, 0);
  });

  it('throws TransientError when IoT throttles CreateJob', async () => {
    smallFleet(fleetOf(50));
    iot.on(CreateJobCommand).rejects(sdkError('ThrottlingException', 429));
    const { handler } = await build();

    expect((await rejection(handler({ request: request(), stageIndex: 0, firmware: SIGNED }, context()))).name).toBe('TransientError');
  });

  it('throws QuotaExceededError, not a transient error, when the account has no dynamic group left', async () => {
    bigFleet(1_000_000, 100_000);
    iot.on(CreateDynamicThingGroupCommand).rejects(sdkError('LimitExceededException', 410));
    const { handler } = await build();

    expect((await rejection(handler({ request: request(), stageIndex: 0, firmware: SIGNED }, context()))).name).toBe('QuotaExceededError');
  });

  it.each([
    ['a stage the release does not have', { stageIndex: 5 }, 'InvalidTaskInputError'],
    ['no firmware', { firmware: undefined }, 'InvalidTaskInputError'],
    ['a negative stage', { stageIndex: -1 }, 'InvalidTaskInputError'],
  ])('rejects %s', async (_what, change, name) => {
    smallFleet(fleetOf(10));
    const { handler } = await build();

    expect((await rejection(handler({ request: request(), stageIndex: 0, firmware: SIGNED, ...change }, context()))).name).toBe(name);
    expect(iot).toHaveReceivedCommandTimes(CreateJobCommand, 0);
  });
});
