import { AddThingToThingGroupCommand, CreateJobCommand, CreateThingGroupCommand, DescribeJobCommand, IoTClient, ListThingsInThingGroupCommand } from '@aws-sdk/client-iot';
import { mockClient } from 'aws-sdk-client-mock';
import { awsFirmwareUrls } from '#aws/firmware-urls.ts';
import { awsFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { selectWave } from '#domain/wave-plan.ts';
import { makeHandler } from '#functions/create-canary-job.ts';
import { context, fixedClock, rejection, request, SIGNED, sdkError, storeWithRelease, useStackEnv } from './helpers.ts';

useStackEnv();
const iot = mockClient(IoTClient);
const fleetOf = (n: number) => Array.from({ length: n }, (_, i) => `gw-${String(i).padStart(5, '0')}`);
const ARN = 'arn:aws:iot:eu-west-1:123456789012:';

/** ListThingsInThingGroup in pages of 250, as IoT returns them. */
function fleet(things: string[]): void {
  for (let start = 0; start < things.length; start += 250) {
    const page = { things: things.slice(start, start + 250), ...(start + 250 < things.length && { nextToken: `t${start + 250}` }) };
    if (start === 0) iot.on(ListThingsInThingGroupCommand, { thingGroupName: 'gateways', nextToken: undefined }).resolves(page);
    else iot.on(ListThingsInThingGroupCommand, { nextToken: `t${start}` }).resolves(page);
  }
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
  it('creates the canary job for its sampled wave, with the document and the configs of the policy', async () => {
    const things = fleetOf(600);
    fleet(things);
    const { handler, store } = await build();

    const stage = await handler({ request: request(), stageIndex: 0, firmware: { ...SIGNED, rollback: null } }, context());

    const wave = selectWave(request(), 0, things);
    expect(stage).toEqual({ index: 0, name: 'canary', jobId: 'gw-2-4-0-s0', targeted: wave.length, bakeSeconds: 3600, approval: 'auto' });
    const input = iot.commandCalls(CreateJobCommand)[0]!.args[0].input;
    expect(input.targets).toEqual(wave.map((thing) => `${ARN}thing/${thing}`));
    expect(input.targetSelection).toBe('SNAPSHOT');
    expect(input.presignedUrlConfig).toEqual({ roleArn: 'arn:aws:iam::123456789012:role/presign', expiresInSec: 3600 });
    expect(input.abortConfig?.criteriaList?.[0]).toEqual(expect.objectContaining({ action: 'CANCEL', failureType: 'ALL' }));
    expect(JSON.parse(input.document!)).toEqual(
      expect.objectContaining({ version: '2.4.0', checksum: SIGNED.sha256, firmwareUrl: '${aws:iot:s3-presigned-url:https://s3.eu-west-1.amazonaws.com/firmware-bucket/firmware/gw-2.4.0.bin}' }),
    );
    const record = await store.getRelease('gw-2-4-0');
    expect(record?.status).toBe('IN_PROGRESS');
    expect(record?.stages).toEqual([expect.objectContaining({ index: 0, jobId: 'gw-2-4-0-s0', targeted: wave.length })]);
  });

  it('carries on with the job it made when a retried step meets ResourceAlreadyExists', async () => {
    fleet(fleetOf(600));
    const { handler, store } = await build();
    const input = { request: request(), stageIndex: 0, firmware: SIGNED };
    const first = await handler(input, context());
    iot.on(CreateJobCommand).rejects(sdkError('ResourceAlreadyExistsException', 409));

    const second = await handler(input, context());

    expect(second).toEqual(first);
    expect(iot.commandCalls(CreateJobCommand)[1]!.args[0].input.targets).toEqual(iot.commandCalls(CreateJobCommand)[0]!.args[0].input.targets);
    expect((await store.getRelease('gw-2-4-0'))?.stages).toHaveLength(1);
  });

  it('puts a wave of more than 100 things in a static group named for the job', async () => {
    fleet(fleetOf(2000));
    iot.on(DescribeJobCommand).rejects(sdkError('ResourceNotFoundException', 404));
    iot.on(CreateThingGroupCommand).resolves({});
    iot.on(AddThingToThingGroupCommand).resolves({});
    const { handler } = await build();

    const stage = (await handler({ request: request(), stageIndex: 0, firmware: SIGNED }, context())) as { targeted: number };

    expect(stage.targeted).toBe(200);
    expect(iot).toHaveReceivedCommandWith(CreateThingGroupCommand, { thingGroupName: 'gw-2-4-0-s0' });
    expect(iot).toHaveReceivedCommandTimes(AddThingToThingGroupCommand, 200);
    expect(iot).toHaveReceivedCommandWith(CreateJobCommand, { targets: [`${ARN}thinggroup/gw-2-4-0-s0`] });
  });

  it('targets the thing groups of a thing-group stage', async () => {
    iot.on(ListThingsInThingGroupCommand, { thingGroupName: 'lab' }).resolves({ things: ['a', 'b', 'c'] });
    const { handler } = await build();
    const groups = request({ stages: [{ name: 'lab', targets: { thingGroups: ['lab'] }, bake: '1h' }] });

    const stage = (await handler({ request: groups, stageIndex: 0, firmware: SIGNED }, context())) as { targeted: number };

    expect(stage.targeted).toBe(3);
    expect(iot).toHaveReceivedCommandWith(CreateJobCommand, { targets: [`${ARN}thinggroup/lab`] });
  });

  it('throws TransientError when IoT throttles CreateJob', async () => {
    fleet(fleetOf(50));
    iot.on(CreateJobCommand).rejects(sdkError('ThrottlingException', 429));
    const { handler } = await build();

    expect((await rejection(handler({ request: request(), stageIndex: 0, firmware: SIGNED }, context()))).name).toBe('TransientError');
  });

  it.each([
    ['a stage the release does not have', { stageIndex: 5 }, 'InvalidTaskInputError'],
    ['no firmware', { firmware: undefined }, 'InvalidTaskInputError'],
    ['a negative stage', { stageIndex: -1 }, 'InvalidTaskInputError'],
  ])('rejects %s', async (_what, change, name) => {
    fleet(fleetOf(10));
    const { handler } = await build();

    expect((await rejection(handler({ request: request(), stageIndex: 0, firmware: SIGNED, ...change }, context()))).name).toBe(name);
    expect(iot).toHaveReceivedCommandTimes(CreateJobCommand, 0);
  });
});
