// Conformance of the embedded broker with the AWS IoT Jobs MQTT API as the AWS IoT Core developer guide documents it.
// Each test names the section it checks: "Jobs device MQTT API operations" (jobs-mqtt-api), "AWS IoT jobs API
// operations" (jobs-api: ErrorResponse, data types), "Jobs notifications" (jobs-comm-notifications), "Jobs device
// HTTP API" (jobs-http-device-api, for StartNext rules stated only there), the iot-jobs-data API reference
// (field types and constraints) and "Authorization" (IoT policies with thing policy variables). A plain mqtt.js client
// plays the device: nothing of the reference agent helps.
import mqtt from 'mqtt';
import { JobsMqttBridge } from '#local/mqtt/jobs-bridge.ts';
import { ThingCredentials } from '#local/mqtt/thing-credentials.ts';
import { harness, settle, spec, START } from '../iot-jobs/harness.ts';
import { RawThing } from './raw-thing.ts';

const T1 = 't-000001';
const T2 = 't-000002';
const NOW_SECONDS = Math.floor(START / 1000);

let cloud: ReturnType<typeof harness>;
let bridge: JobsMqttBridge;
const things: RawThing[] = [];

beforeEach(async () => {
  cloud = harness(3);
  bridge = await JobsMqttBridge.start({ dataPlane: cloud.dataPlane, credentials: ThingCredentials.generate(), now: () => cloud.scheduler.nowMs() });
});
afterEach(async () => {
  await Promise.all(things.splice(0).map((thing) => thing.close()));
  await bridge.close();
});

async function connect(thingName: string, filters?: string[]): Promise<RawThing> {
  const thing = await RawThing.connect(bridge, thingName, filters);
  things.push(thing);
  return thing;
}

const isEpochSeconds = (value: unknown) => Number.isInteger(value) && Math.abs((value as number) - NOW_SECONDS) <= 86_400;

describe('jobs-mqtt-api: StartNextPendingJobExecution', () => {
  it('replies on start-next/accepted with the execution, the clientToken echoed and epoch-second times', async () => {
    await cloud.jobs.createJob(spec());
    const thing = await connect(T1);

    const reply = await thing.request('start-next', JSON.stringify({ clientToken: 'c-1', statusDetails: { step: 'start' } }));

    expect(reply).toMatchObject({ outcome: 'accepted', body: { clientToken: 'c-1', execution: { jobId: 'job-1', thingName: T1, status: 'IN_PROGRESS', statusDetails: { step: 'start' }, versionNumber: 2, executionNumber: 1, jobDocument: { operation: 'firmwareUpdate' } } } });
    const execution = reply.body.execution as Record<string, unknown>;
    for (const time of [reply.body.timestamp, execution.queuedAt, execution.startedAt, execution.lastUpdatedAt]) expect(isEpochSeconds(time)).toBe(true);
  });

  it('answers with no execution field when nothing is pending', async () => {
    const thing = await connect(T1);
    const reply = await thing.call('start-next');
    expect(reply.outcome).toBe('accepted');
    expect(reply.body).not.toHaveProperty('execution');
  });

  it("leaves an IN_PROGRESS execution's status details (and version) as they are (jobs-http-device-api: \"its status details don't change\")", async () => {
    await cloud.jobs.createJob(spec());
    const thing = await connect(T1);
    await thing.call('start-next', { statusDetails: { step: 'downloading' } });

    const again = await thing.call('start-next', { statusDetails: { step: 'rebooted' }, stepTimeoutInMinutes: 5 });

    expect(again.body.execution).toMatchObject({ status: 'IN_PROGRESS', statusDetails: { step: 'downloading' }, versionNumber: 2 });
  });
});

describe('jobs-mqtt-api: DescribeJobExecution, GetPendingJobExecutions, UpdateJobExecution', () => {
  it('describes $next, with the job document unless includeJobDocument is false', async () => {
    await cloud.jobs.createJob(spec());
    const thing = await connect(T1);
    const withDocument = await thing.call('$next/get');
    const without = await thing.call('job-1/get', { includeJobDocument: false });
    expect(withDocument.body.execution).toMatchObject({ jobId: 'job-1', status: 'QUEUED', jobDocument: expect.any(Object) });
    expect(without.body.execution).not.toHaveProperty('jobDocument');
  });

  it('lists pending executions as JobExecutionSummary (times in seconds) on get/accepted', async () => {
    await cloud.jobs.createJob(spec());
    const thing = await connect(T1);
    const reply = await thing.call('get');
    expect(reply.body).toMatchObject({ inProgressJobs: [], queuedJobs: [{ jobId: 'job-1', versionNumber: 1, executionNumber: 1 }] });
    const [summary] = reply.body.queuedJobs as Array<Record<string, unknown>>;
    expect(isEpochSeconds(summary!.queuedAt) && isEpochSeconds(summary!.lastUpdatedAt)).toBe(true);
  });

  it('returns executionState and jobDocument on update/accepted when asked to', async () => {
    await cloud.jobs.createJob(spec());
    const thing = await connect(T1);
    const reply = await thing.call('job-1/update', { status: 'IN_PROGRESS', statusDetails: { step: 'x' }, includeJobExecutionState: true, includeJobDocument: true });
    expect(reply.body).toMatchObject({ executionState: { status: 'IN_PROGRESS', statusDetails: { step: 'x' }, versionNumber: 2 }, jobDocument: { operation: 'firmwareUpdate' } });
  });
});

describe('jobs-api: ErrorResponse codes on the /rejected topic', () => {
  it('InvalidTopic: a request on a topic in the jobs namespace that maps to no API operation', async () => {
    const thing = await connect(T1);
    const reply = await thing.request('start-next/now', JSON.stringify({ clientToken: 'c-7' }));
    expect(reply).toMatchObject({ outcome: 'rejected', body: { code: 'InvalidTopic', clientToken: 'c-7' } });
    expect(isEpochSeconds(reply.body.timestamp)).toBe(true);
  });

  it.each([
    ['not JSON', '{"clientToken":'],
    ['not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
  ])('InvalidJson: a payload that is %s', async (_name, payload) => {
    const thing = await connect(T1);
    expect(await thing.request('start-next', payload)).toMatchObject({ outcome: 'rejected', body: { code: 'InvalidJson' } });
  });

  it.each([
    ['start-next', 'null'],
    ['job-1/get', 'null'],
    ['get', '[]'],
    ['start-next', '{"stepTimeoutInMinutes":"soon"}'],
    ['start-next', '{"stepTimeoutInMinutes":10081}'],
    ['start-next', '{"statusDetails":{"step":{"nested":true}}}'],
    ['start-next', '{"statusDetails":{"step":5}}'],
    ['start-next', '{"statusDetails":"downloading"}'],
    ['job-1/update', '{}'],
    ['job-1/update', '{"status":"TIMED_OUT"}'],
    ['job-1/update', '{"status":"IN_PROGRESS","expectedVersion":"2"}'],
    ['job-1/update', '{"status":"IN_PROGRESS","statusDetails":{"bad key":"x"}}'],
    ['job-1/get', '{"includeJobDocument":"yes"}'],
    ['$next/update', '{"status":"SUCCEEDED"}'],
    ['start-next', '{"clientToken":7}'],
  ])('InvalidRequest: %s with %s', async (suffix, payload) => {
    await cloud.jobs.createJob(spec());
    const thing = await connect(T1);
    expect(await thing.request(suffix, payload)).toMatchObject({ outcome: 'rejected', body: { code: 'InvalidRequest', message: expect.any(String) } });
    // Nothing changed: the execution is still QUEUED at version 1.
    expect(cloud.dataPlane.describe(T1, 'job-1', {})).toMatchObject({ ok: true, value: { status: 'QUEUED', versionNumber: 1 } });
  });

  it('echoes a valid clientToken in an InvalidRequest reply', async () => {
    const thing = await connect(T1);
    const reply = await thing.request('start-next', JSON.stringify({ clientToken: 'c-9', stepTimeoutInMinutes: -5 }));
    expect(reply.body).toMatchObject({ code: 'InvalidRequest', clientToken: 'c-9' });
  });

  it('ResourceNotFound: the execution the topic names does not exist', async () => {
    const thing = await connect(T1);
    expect((await thing.call('job-404/get')).body).toMatchObject({ code: 'ResourceNotFound' });
  });

  it('VersionMismatch: carries the current executionState', async () => {
    await cloud.jobs.createJob(spec());
    const thing = await connect(T1);
    const reply = await thing.call('job-1/update', { status: 'IN_PROGRESS', expectedVersion: 7 });
    expect(reply.body).toMatchObject({ code: 'VersionMismatch', executionState: { status: 'QUEUED', versionNumber: 1 } });
  });

  it('InvalidStateTransition: an update to an execution that has ended, with its executionState', async () => {
    await cloud.jobs.createJob(spec());
    const thing = await connect(T1);
    await thing.call('job-1/update', { status: 'SUCCEEDED' });
    const reply = await thing.call('job-1/update', { status: 'IN_PROGRESS' });
    expect(reply.body).toMatchObject({ code: 'InvalidStateTransition', executionState: { status: 'SUCCEEDED' } });
  });
});

describe('jobs-comm-notifications', () => {
  it('NextNotification on notify-next: { execution, timestamp } when the next execution changes', async () => {
    const thing = await connect(T1);
    await cloud.jobs.createJob(spec());
    const message = await thing.waitFor((m) => m.topic === thing.topic('notify-next'));
    expect(message.body).toMatchObject({ execution: { jobId: 'job-1', status: 'QUEUED', jobDocument: expect.any(Object) } });
    expect(isEpochSeconds(message.body.timestamp)).toBe(true);
  });

  it('ListNotification on notify: pending executions by status, on queue, start and end', async () => {
    const thing = await connect(T1);
    await cloud.jobs.createJob(spec());
    await thing.waitFor((m) => m.topic === thing.topic('notify'));
    await thing.call('start-next');
    await thing.waitFor((m) => m.topic === thing.topic('notify') && 'IN_PROGRESS' in (m.body.jobs as object));
    await thing.call('job-1/update', { status: 'SUCCEEDED' });
    await thing.waitFor((m) => m.topic === thing.topic('notify') && Object.keys(m.body.jobs as object).length === 0);

    const lists = thing.on('notify').map((m) => m.body.jobs as Record<string, Array<{ jobId: string }>>);
    expect(lists).toEqual([{ QUEUED: [expect.objectContaining({ jobId: 'job-1' })] }, { IN_PROGRESS: [expect.objectContaining({ jobId: 'job-1' })] }, {}]);
    const [summary] = lists[0]!.QUEUED! as unknown as Array<Record<string, unknown>>;
    expect(isEpochSeconds(summary!.queuedAt)).toBe(true);
  });

  it('sends NextNotification when another execution becomes next by starting (the documented J1/J2 example)', async () => {
    const thing = await connect(T1);
    await cloud.jobs.createJob(spec());
    await cloud.jobs.createJob(spec({ jobId: 'job-2' }));
    await thing.waitFor((m) => m.topic === thing.topic('notify-next'));

    await thing.call('job-2/update', { status: 'IN_PROGRESS' });

    const next = await thing.waitFor((m) => m.topic === thing.topic('notify-next') && (m.body.execution as { jobId?: string } | undefined)?.jobId === 'job-2');
    expect(next.body.execution).toMatchObject({ status: 'IN_PROGRESS' });
  });
});

describe('Authorization: a thing policy with ${iot:Connection.Thing.ThingName}', () => {
  it('allows the wildcard filters such a policy allows, as the SDK request-response clients subscribe', async () => {
    await cloud.jobs.createJob(spec());
    const thing = await connect(T1, [`$aws/things/${T1}/jobs/start-next/+`, `$aws/things/${T1}/jobs/+/get/+`, `$aws/things/${T1}/jobs/get/+`]);
    expect((await thing.call('start-next')).outcome).toBe('accepted');
    expect((await thing.call('job-1/get')).outcome).toBe('accepted');
    expect((await thing.call('get')).outcome).toBe('accepted');
  });

  it('refuses a connection without the thing secret, or with another thing as client id', async () => {
    const attempts = [
      { clientId: T1, username: T1, password: 'guess' },
      { clientId: T2, username: T2, password: bridge.secretFor(T1) },
      { clientId: T1, username: T2, password: bridge.secretFor(T1) },
      { clientId: '+', username: '+', password: 'x' },
      { clientId: T1 },
    ];
    for (const attempt of attempts) {
      await expect(mqtt.connectAsync(bridge.url, { ...attempt, protocolVersion: 4, reconnectPeriod: 0 })).rejects.toThrow(/Bad username or password|Connection refused/);
    }
  });

  it.each([`$aws/things/${T2}/jobs/notify-next`, '$aws/things/+/jobs/notify-next', '$aws/things/#', '#', 'other/topic'])('refuses a subscription to %s (SUBACK 0x80)', async (filter) => {
    const thing = await connect(T1, []);
    await expect(thing.client.subscribeAsync(filter, { qos: 1 })).rejects.toThrow(/Subscribe error/);
  });

  it.each([`$aws/things/${T2}/jobs/job-1/update`, `$aws/things/${T1}/jobs/start-next/accepted`, `$aws/things/${T1}/jobs/notify-next`, 'other/topic'])(
    'disconnects a client that publishes on %s, and the publish has no effect',
    async (topic) => {
      await cloud.jobs.createJob(spec());
      await settle(cloud.scheduler, START + 5000); // every thing's execution QUEUED
      const thing = await connect(T1, []);
      const closed = new Promise<void>((resolve) => thing.client.once('close', () => resolve()));
      thing.client.publish(topic, JSON.stringify({ status: 'FAILED' }), { qos: 1 });
      await closed;
      expect(cloud.dataPlane.describe(T2, 'job-1', {})).toMatchObject({ ok: true, value: { status: 'QUEUED', versionNumber: 1 } });
    },
  );
});
