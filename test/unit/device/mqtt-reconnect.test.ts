// Reconnecting with exponential backoff and jitter: a broker that is down at start, or that drops the agent in the
// middle of a job, delays the work but does not end it.
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceAgent } from '#device/agent.ts';
import { backoffDelay } from '#device/backoff.ts';
import { Journal } from '#device/journal.ts';
import { MqttJobsClient, type ConnectionEvent } from '#device/mqtt-jobs-client.ts';
import { SlotStore } from '#device/slots.ts';
import { pinPublicKey } from '#device/verifier.ts';
import { JobsMqttBridge } from '#local/mqtt/jobs-bridge.ts';
import { ThingCredentials } from '#local/mqtt/thing-credentials.ts';
import { Harness } from './agent-harness.ts';

const POLICY = { baseDelayMs: 20, maxDelayMs: 80 };
const credentials = ThingCredentials.generate();
const broker = (url: string, thingName: string) => ({ kind: 'mqtt' as const, url, password: credentials.secretFor(thingName) });

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error('condition not met within 10 s');
}

describe('backoffDelay', () => {
  it.each([
    [0, 0, 10],
    [0, 0.999, 20],
    [1, 0, 20],
    [2, 0.5, 60],
    [3, 0, 40], // the window is capped at 80
    [40, 0.999, 80],
  ])('waits between half and all of a doubling window, capped (attempt %i, random %f → %i ms)', (attempt, random, expected) => {
    expect(backoffDelay(attempt, POLICY, () => random)).toBe(expected);
  });
});

describe('MqttJobsClient reconnects', () => {
  let harness: Harness;
  let bridge: JobsMqttBridge | undefined;
  let client: MqttJobsClient | undefined;
  beforeEach(async () => {
    harness = await Harness.create();
  });
  afterEach(async () => {
    await client?.close();
    await bridge?.close();
    await harness.close();
    client = undefined;
    bridge = undefined;
  });

  it('keeps trying, with growing delays, while the broker refuses the connection, and connects once it is up', async () => {
    const port = await freePort();
    const events: ConnectionEvent[] = [];
    const connecting = MqttJobsClient.connect({
      thingName: 'gateway-r1',
      broker: broker(`mqtt://127.0.0.1:${port}`, 'gateway-r1'),
      reconnect: { ...POLICY, random: () => 0.5 },
      onConnection: (event) => events.push(event),
    });

    await until(() => events.length >= 4);
    bridge = await JobsMqttBridge.start({ dataPlane: harness.cloud, credentials, port });
    client = await connecting;

    const refused = events.filter((event) => event.state === 'disconnected');
    expect(refused.length).toBeGreaterThanOrEqual(4);
    refused.forEach((event, index) => expect(event).toMatchObject({ retryInMs: backoffDelay(index, POLICY, () => 0.5), error: expect.stringMatching(/ECONNREFUSED/) }));
    expect(events.at(-1)).toMatchObject({ state: 'connected' });
  });

  it('starts the backoff over once a connection has stayed up long enough', async () => {
    const port = await freePort();
    bridge = await JobsMqttBridge.start({ dataPlane: harness.cloud, credentials, port });
    const events: ConnectionEvent[] = [];
    client = await MqttJobsClient.connect({
      thingName: 'gateway-r4',
      broker: broker(bridge.url, 'gateway-r4'),
      reconnect: { baseDelayMs: 20, maxDelayMs: 20_000, stableAfterMs: 30, random: () => 0.5 },
      onConnection: (event) => events.push(event),
    });
    const dropAndReturn = async () => {
      await bridge?.close();
      await until(() => events.filter((event) => event.state === 'disconnected').length >= 3); // a few refused retries
      bridge = await JobsMqttBridge.start({ dataPlane: harness.cloud, credentials, port });
      await until(() => events.at(-1)?.state === 'connected');
    };

    await dropAndReturn();
    const firstOutage = events.filter((event) => event.state === 'disconnected').map((event) => event.retryInMs);
    await new Promise((resolve) => setTimeout(resolve, 300)); // well past stableAfterMs
    events.length = 0;
    await dropAndReturn();

    expect(firstOutage.slice(0, 3)).toEqual([15, 30, 60]);
    expect(events.find((event) => event.state === 'disconnected')).toMatchObject({ retryInMs: 15, attempt: 1 });
  });

  it('gives up waiting for a first connection when told to stop', async () => {
    const port = await freePort();
    const stop = new AbortController();
    const connecting = MqttJobsClient.connect({ thingName: 'gateway-r2', broker: broker(`mqtt://127.0.0.1:${port}`, 'gateway-r2'), reconnect: POLICY, signal: stop.signal });

    stop.abort();

    await expect(connecting).rejects.toThrow(/stopped before a connection/);
  });

  it('resumes the job after the broker drops the agent and comes back, and reports the outcome once', async () => {
    const thing = 'gateway-r3';
    const port = await freePort();
    bridge = await JobsMqttBridge.start({ dataPlane: harness.cloud, credentials, port });
    const events: ConnectionEvent[] = [];
    client = await MqttJobsClient.connect({ thingName: thing, broker: broker(bridge.url, thing), requestTimeoutMs: 5000, reconnect: POLICY, onConnection: (event) => events.push(event) });
    const dir = await mkdtemp(join(tmpdir(), 'ota-reconnect-'));
    let dropped = false;
    const agent = new DeviceAgent({
      jobs: client,
      slots: new SlotStore(dir, { factoryVersion: '1.0.0' }),
      journal: await Journal.open(dir),
      publicKey: pinPublicKey(harness.keys.publicKeyPem),
      download: { minBytesPerSecond: 1, stallWindowMs: 5000, maxAttemptsWithoutProgress: 3, retryDelayMs: () => 0 },
      // The broker goes away just as the outcome is to be reported.
      onStep: async (step) => {
        if (step !== 'report' || dropped) return;
        dropped = true;
        await bridge?.close();
      },
    });
    await agent.start();
    harness.cloud.addJob(thing, 'job-1', () => harness.document(harness.image('2.0.0', 100_000)));

    await until(() => dropped);
    await agent.whenIdle(); // the report timed out; the decided outcome waits in the journal
    expect(harness.cloud.finalStatuses(thing)).toEqual([]);
    bridge = await JobsMqttBridge.start({ dataPlane: harness.cloud, credentials, port });
    await until(() => harness.cloud.finalStatuses(thing).length > 0);
    await agent.whenIdle();

    expect(harness.cloud.finalStatuses(thing)).toEqual([{ jobId: 'job-1', status: 'SUCCEEDED', statusDetails: { runningVersion: '2.0.0', fromVersion: '1.0.0' } }]);
    expect(events.map((event) => event.state)).toEqual(expect.arrayContaining(['disconnected', 'connected']));
    await agent.stop();
    await rm(dir, { recursive: true, force: true });
  });
});
