// The official AWS IoT Device SDK for JavaScript v2 against the embedded broker: its request-response jobs client
// (IotJobsClientv2), which subscribes with the wildcard filters an IoT policy allows (`…/jobs/start-next/+`,
// `…/jobs/<jobId>/get/+`) and appends its metrics to the user name, and its notification stream. What a device team
// that points its SDK-based agent at the laptop twin gets. The device runs in a child process
// (aws-device-sdk-device.ts); the broker and the IoT Jobs engine run here.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { JobsMqttBridge } from '#local/mqtt/jobs-bridge.ts';
import { ThingCredentials } from '#local/mqtt/thing-credentials.ts';
import { harness, spec, START } from '../unit/local/iot-jobs/harness.ts';

const THING = 't-000001';
const DEVICE = fileURLToPath(new URL('./aws-device-sdk-device.ts', import.meta.url));

/** Runs the SDK device; `onReady` is called once its notification stream is subscribed. Resolves to its results. */
function runDevice(bridge: JobsMqttBridge, password: string, onReady: () => Promise<void>): Promise<Record<string, unknown>> {
  const child = spawn(process.execPath, ['--import', 'tsx', DEVICE, bridge.url, THING, password], { stdio: ['ignore', 'pipe', 'inherit'] });
  const results: Record<string, unknown> = {};
  const lines = createInterface({ input: child.stdout! });
  lines.on('line', (line) => {
    const { name, value } = JSON.parse(line) as { name: string; value: unknown };
    results[name] = value;
    if (name === 'READY') void onReady();
  });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ ...results, exitCode: code })));
}

describe('the AWS IoT Device SDK v2 jobs client against the embedded broker', () => {
  let cloud: ReturnType<typeof harness>;
  let bridge: JobsMqttBridge;
  beforeEach(async () => {
    cloud = harness(2);
    bridge = await JobsMqttBridge.start({ dataPlane: cloud.dataPlane, credentials: ThingCredentials.generate(), now: () => cloud.scheduler.nowMs() });
  });
  afterEach(() => bridge.close());

  it('runs a job end to end: notify-next, get pending, start-next, describe, update, and a modelled rejection', async () => {
    const results = await runDevice(bridge, bridge.secretFor(THING), async () => void (await cloud.jobs.createJob(spec())));

    expect(results).toMatchObject({
      exitCode: 0,
      connect: { ok: expect.anything() },
      'notify-next': { execution: { jobId: 'job-1', status: 'QUEUED' } },
      'get-pending': { ok: { queuedJobs: [{ jobId: 'job-1', versionNumber: 1, queuedAt: Math.floor(START / 1000) }] } },
      'start-next': { ok: { execution: { jobId: 'job-1', thingName: THING, status: 'IN_PROGRESS', statusDetails: { step: 'downloading' }, versionNumber: 2, jobDocument: { operation: 'firmwareUpdate' } } } },
      describe: { ok: { execution: { status: 'IN_PROGRESS', versionNumber: 2 } } },
      update: { ok: { executionState: { status: 'SUCCEEDED', versionNumber: 3 } } },
      'update-again': { error: { modeledError: { code: 'InvalidStateTransition', executionState: { status: 'SUCCEEDED' } } } },
    });
  }, 60_000);

  it('does not let the SDK connect without the thing secret', async () => {
    const results = await runDevice(bridge, 'guess', async () => {});
    // The CRT names a refused CONNACK a protocol error; either way the device is not in.
    expect(results).toMatchObject({ exitCode: 0, connect: { error: { message: expect.stringMatching(/Failed to connect/) } } });
    expect(results).not.toHaveProperty('READY');
  }, 60_000);
});
