// The MQTT path end to end: a real mqtt.js client and the device agent against the aedes bridge over loopback.
import mqtt from 'mqtt';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceAgent } from '#device/agent.ts';
import { JobsRejectedError } from '#device/errors.ts';
import { Journal } from '#device/journal.ts';
import { MqttJobsClient } from '#device/mqtt-jobs-client.ts';
import { SlotStore } from '#device/slots.ts';
import { pinPublicKey } from '#device/verifier.ts';
import { JobsMqttBridge } from '#local/mqtt/jobs-bridge.ts';
import { ThingCredentials } from '#local/mqtt/thing-credentials.ts';
import { Harness } from '../../device/agent-harness.ts';
import { FakeJobsCloud } from '../../device/fake-cloud.ts';

let harness: Harness;
let bridge: JobsMqttBridge;
const credentials = ThingCredentials.generate();
const clients: MqttJobsClient[] = [];

beforeEach(async () => {
  harness = await Harness.create();
  bridge = await JobsMqttBridge.start({ dataPlane: harness.cloud, credentials });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await bridge.close();
  await harness.close();
});

async function connect(thingName: string): Promise<MqttJobsClient> {
  const client = await MqttJobsClient.connect({ thingName, broker: { kind: 'mqtt', url: bridge.url, password: credentials.secretFor(thingName) }, requestTimeoutMs: 5000 });
  clients.push(client);
  return client;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('JobsMqttBridge', () => {
  it('carries an install end to end over MQTT: start-next, updates with expectedVersion, notify-next', async () => {
    const thing = 'gateway-mqtt';
    const jobs = await connect(thing);
    const dir = await mkdtemp(join(tmpdir(), 'ota-mqtt-'));
    const agent = new DeviceAgent({
      jobs,
      slots: new SlotStore(dir, { factoryVersion: '1.0.0' }),
      journal: await Journal.open(dir),
      publicKey: pinPublicKey(harness.keys.publicKeyPem),
      download: { minBytesPerSecond: 1, stallWindowMs: 5000, maxAttemptsWithoutProgress: 3, retryDelayMs: () => 0 },
    });
    await agent.start();
    const image = harness.image('2.0.0', 100_000);

    harness.cloud.addJob(thing, 'job-1', () => harness.document(image)); // reaches the agent only as notify-next
    await until(() => harness.cloud.finalStatuses(thing).length > 0);
    await agent.whenIdle();

    expect(harness.cloud.finalStatuses(thing)).toEqual([{ jobId: 'job-1', status: 'SUCCEEDED', statusDetails: { runningVersion: '2.0.0', fromVersion: '1.0.0' } }]);
    expect(harness.cloud.updates.every((update) => update.accepted && update.request.expectedVersion !== undefined)).toBe(true);
    expect(bridge.served.notifications).toBeGreaterThan(0);
    await agent.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('turns a /rejected reply into JobsRejectedError with the current execution state', async () => {
    const thing = 'gateway-vm';
    const jobs = await connect(thing);
    harness.cloud.addJob(thing, 'job-1', () => '{}');
    const execution = await jobs.startNext({});

    const update = jobs.update('job-1', { status: 'IN_PROGRESS', expectedVersion: (execution?.versionNumber ?? 0) + 5 });

    await expect(update).rejects.toBeInstanceOf(JobsRejectedError);
    await expect(update).rejects.toMatchObject({ code: 'VersionMismatch', executionState: { status: 'IN_PROGRESS', versionNumber: execution?.versionNumber } });
  });

  it('delivers the job document as a JSON object, rewritten per thing by the presign hook', async () => {
    await bridge.close();
    const cloud = new FakeJobsCloud();
    bridge = await JobsMqttBridge.start({ dataPlane: cloud, credentials, presign: (thing, document) => document.replace('PLACEHOLDER', `signed-for-${thing}`) });
    const raw = await mqtt.connectAsync(bridge.url, { clientId: 'thing-a', username: 'thing-a', password: credentials.secretFor('thing-a'), protocolVersion: 4 });
    const replies: Array<Record<string, unknown>> = [];
    raw.on('message', (_topic, payload) => replies.push(JSON.parse(payload.toString()) as Record<string, unknown>));
    await raw.subscribeAsync('$aws/things/thing-a/jobs/start-next/accepted', { qos: 1 });
    cloud.addJob('thing-a', 'job-1', () => JSON.stringify({ url: 'PLACEHOLDER' }));

    await raw.publishAsync('$aws/things/thing-a/jobs/start-next', JSON.stringify({ clientToken: 'token-1' }), { qos: 1 });
    await until(() => replies.length > 0);
    await raw.endAsync();

    expect(replies[0]).toMatchObject({ clientToken: 'token-1', execution: { jobId: 'job-1', status: 'IN_PROGRESS', jobDocument: { url: 'signed-for-thing-a' } } });
    expect(typeof replies[0]?.timestamp).toBe('number');
  });

  it("refuses a client that subscribes to another thing's job topics", async () => {
    const raw = await mqtt.connectAsync(bridge.url, { clientId: 'thing-a', username: 'thing-a', password: credentials.secretFor('thing-a'), protocolVersion: 4 });
    const subscribing = raw.subscribeAsync('$aws/things/thing-b/jobs/notify-next', { qos: 1 });

    await expect(subscribing).rejects.toThrow(/Subscribe error/);
    await raw.endAsync();
  });
});
