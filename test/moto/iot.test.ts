// The IoT adapters against moto's IoT on loopback. moto 5 has jobs, thing groups and things, but neither fleet
// indexing (GetStatistics) nor dynamic thing groups: those calls are covered by the mocked-client tests
// (test/unit/aws/iot-fleet-jobs.test.ts, test/unit/functions/create-canary-job.test.ts).
import { AddThingToThingGroupCommand, CreateThingCommand, CreateThingGroupCommand, IoTClient } from '@aws-sdk/client-iot';
import { IotFleetJobs } from '#aws/iot-fleet-jobs.ts';
import { IotThingAttributes } from '#aws/iot-thing-attributes.ts';
import { describeWithMoto, type Moto, startMoto } from './moto-server.ts';

const collect = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

describeWithMoto('IoT adapters against moto', () => {
  let moto: Moto;
  let client: IoTClient;
  const arnPrefix = () => 'arn:aws:iot:us-east-1:123456789012:';

  beforeAll(async () => {
    moto = await startMoto();
    client = new IoTClient(moto.clientConfig);
    await client.send(new CreateThingGroupCommand({ thingGroupName: 'fleet' }));
    for (let i = 0; i < 300; i++) {
      const thingName = `gw-${String(i).padStart(4, '0')}`;
      await client.send(new CreateThingCommand({ thingName, ...(i % 3 === 0 && { attributePayload: { attributes: { otaCohort: '0042' } } }) }));
      await client.send(new AddThingToThingGroupCommand({ thingGroupName: 'fleet', thingName }));
    }
  }, 120_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  it('lists a group of 300 things across pages of 250', async () => {
    const jobs = new IotFleetJobs(client, { arnPrefix });

    const things = await collect(jobs.listThingsInGroups(['fleet']));

    expect(things).toHaveLength(300);
    expect(new Set(things).size).toBe(300);
  });

  // moto replaces a job created twice instead of answering ResourceAlreadyExistsException as IoT does; the retry path
  // is covered with a mocked client (test/unit/functions/create-canary-job.test.ts).
  it('creates a job on named things and describes it', async () => {
    const jobs = new IotFleetJobs(client, { arnPrefix });
    const spec = {
      jobId: 'moto-release-s0',
      targets: { things: ['gw-0001', 'gw-0002'] },
      document: JSON.stringify({ operation: 'firmwareUpdate', version: '2.4.0' }),
      description: 'ota-release moto-release: 2.4.0 to stage 0',
      targetSelection: 'SNAPSHOT' as const,
      jobExecutionsRolloutConfig: { maximumPerMinute: 100 },
      abortConfig: { criteriaList: [{ failureType: 'ALL' as const, action: 'CANCEL' as const, thresholdPercentage: 20, minNumberOfExecutedThings: 10 }] },
      timeoutConfig: { inProgressTimeoutInMinutes: 60 },
    };

    expect(await jobs.createJob(spec)).toEqual({ jobId: 'moto-release-s0', created: true });
    // moto reports a new job QUEUED; IoT reports IN_PROGRESS. The adapter passes IoT's status through unchanged.
    expect(['IN_PROGRESS', 'QUEUED']).toContain((await jobs.describeJob('moto-release-s0')).status);
  });

  it('lists a job\'s executions', async () => {
    const jobs = new IotFleetJobs(client, { arnPrefix });

    const executions = await collect(jobs.listExecutions('moto-release-s0'));

    expect(executions.map((execution) => execution.thingName).sort()).toEqual(['gw-0001', 'gw-0002']);
  });

  it('cancels a job with a multi-line reason, made one clean line', async () => {
    const jobs = new IotFleetJobs(client, { arnPrefix });

    await jobs.cancelJob('moto-release-s0', { reasonCode: 'CANARY_FAILED', comment: 'judge:\n 3 failed\tof 40' });

    expect((await jobs.describeJob('moto-release-s0')).status).toBe('CANCELED');
    await expect(jobs.cancelJob('moto-release-s0', { reasonCode: 'CANARY_FAILED', comment: 'again' })).resolves.toBeUndefined();
  });

  it('turns an unknown job into NotFoundError', async () => {
    const jobs = new IotFleetJobs(client, { arnPrefix });

    await expect(jobs.describeJob('no-such-job')).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('pages through things with their attributes and sets the cohort without losing the others (the backfill)', async () => {
    const registry = new IotThingAttributes(client);
    const first = await registry.listThingsPage();

    expect(first.things.length).toBeGreaterThan(0);
    expect(first.things.find((thing) => thing.thingName === 'gw-0000')?.attributes).toEqual({ otaCohort: '0042' });

    await registry.setAttribute('gw-0001', 'otaCohort', '1234');
    const all = [];
    let token: string | undefined;
    do {
      const page = await registry.listThingsPage(token);
      all.push(...page.things);
      token = page.nextToken;
    } while (token);

    expect(all).toHaveLength(300);
    expect(all.find((thing) => thing.thingName === 'gw-0001')?.attributes).toEqual({ otaCohort: '1234' });
  });
});
