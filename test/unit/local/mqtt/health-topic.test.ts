// Health reports over the embedded broker: what a thing may publish, what the bridge passes on to the metrics store.
import mqtt, { type MqttClient } from 'mqtt';
import { HealthJournal } from '#device/health-journal.ts';
import { HealthReporter } from '#device/health-reporter.ts';
import { MqttJobsClient } from '#device/mqtt-jobs-client.ts';
import type { HealthReport } from '#domain/health-report.ts';
import { LocalHealthMetrics } from '#local/health/health-metrics.ts';
import { JobsMqttBridge } from '#local/mqtt/jobs-bridge.ts';
import { ThingCredentials } from '#local/mqtt/thing-credentials.ts';
import { mayPublish } from '#local/mqtt/topic-policy.ts';
import { FakeJobsCloud } from '../../device/fake-cloud.ts';

const NOW = Date.parse('2026-03-01T10:00:00Z');
const credentials = ThingCredentials.generate();
let bridge: JobsMqttBridge;
let metrics: LocalHealthMetrics;
const bad: Array<{ thing: string; problem: string }> = [];
const clients: MqttClient[] = [];

const report = (overrides: Partial<HealthReport> = {}): HealthReport => ({ product: 'gateway', version: '2.0.0', phase: 'steady', periodSeconds: 300, uptimeSeconds: 900, crashes: 1, reboots: 0, sequence: 4, ...overrides });

beforeEach(async () => {
  metrics = new LocalHealthMetrics({ now: () => new Date(NOW) });
  bad.length = 0;
  bridge = await JobsMqttBridge.start({ dataPlane: new FakeJobsCloud(), credentials, health: metrics, onBadHealthReport: (thing, problem) => bad.push({ thing, problem }) });
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.endAsync(true)));
  await bridge.close();
});

async function connect(thing: string): Promise<MqttClient> {
  const client = await mqtt.connectAsync(bridge.url, { clientId: thing, username: thing, password: credentials.secretFor(thing), protocolVersion: 4, reconnectPeriod: 0 });
  clients.push(client);
  return client;
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

const window = { product: 'gateway', treatmentVersion: '2.0.0', controlVersion: '1.0.0', from: new Date(NOW - 60_000), to: new Date(NOW + 60_000), periodSeconds: 120, alarmNames: [] };

describe('the health topic policy', () => {
  it.each([
    ['thing-a', 'ota-release/health/thing-a', true],
    ['thing-a', 'ota-release/health/thing-b', false],
    ['thing-a', 'ota-release/health/+', false],
    ['thing-a', 'ota-release/health/thing-a/extra', false],
    ['thing-a', 'ota-release/health', false],
    ['thing-a', '$aws/rules/ota_release_device_health_dev/ota-release/health/thing-a', true],
    ['thing-a', '$aws/rules/ota_release_device_health_dev/ota-release/health/thing-b', false],
    ['thing-a', '$aws/rules/bad-name/ota-release/health/thing-a', false],
  ])('%s may publish on %s: %s', (thing, topic, allowed) => {
    expect(mayPublish(thing, topic)).toBe(allowed);
  });
});

describe('health reports through the bridge', () => {
  it('records a valid report on the thing own topic, as the topic rule would', async () => {
    const client = await connect('thing-a');
    await client.publishAsync('ota-release/health/thing-a', JSON.stringify(report()), { qos: 1 });
    await until(() => bridge.healthReports.recorded === 1);

    expect(metrics.reports).toBe(1);
    const reading = await metrics.read(window);
    expect(reading.buckets).toEqual([expect.objectContaining({ treatment: { exposureSeconds: 300, crashes: 1, reboots: 0, returned: 0, reverted: 0 } })]);
  });

  it('records a report sent through Basic Ingest ($aws/rules/<rule>/ota-release/health/<thing>) the same way', async () => {
    const client = await connect('thing-a');
    await client.publishAsync('$aws/rules/ota_release_device_health_dev/ota-release/health/thing-a', JSON.stringify(report()), { qos: 1 });
    await until(() => bridge.healthReports.recorded === 1);
    expect(metrics.reports).toBe(1);
  });

  it.each([
    ['not JSON', '{"product":'],
    ['a report missing fields', JSON.stringify({ product: 'gateway', version: '2.0.0' })],
    ['a negative count', JSON.stringify(report({ crashes: -1 }))],
    ['an unknown field', JSON.stringify({ ...report(), thingName: 'someone-else' })],
  ])('drops %s, says why, and keeps the connection', async (_what, payload) => {
    const client = await connect('thing-a');
    await client.publishAsync('ota-release/health/thing-a', payload, { qos: 1 });
    await until(() => bridge.healthReports.dropped === 1);
    expect(bad).toEqual([{ thing: 'thing-a', problem: expect.any(String) }]);
    expect(metrics.reports).toBe(0);

    await client.publishAsync('ota-release/health/thing-a', JSON.stringify(report()), { qos: 1 });
    await until(() => bridge.healthReports.recorded === 1);
    expect(metrics.reports).toBe(1);
    expect(bridge.internalErrors).toBe(0);
  });

  it('disconnects a thing that publishes on another thing health topic, and records nothing', async () => {
    const client = await connect('thing-a');
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    client.publish('ota-release/health/thing-b', JSON.stringify(report()), { qos: 1 });
    await closed;
    expect(metrics.reports).toBe(0);
  });

  it('carries the reference agent reports end to end (MqttJobsClient.publish, acknowledged)', async () => {
    const jobs = await MqttJobsClient.connect({ thingName: 'thing-a', broker: { kind: 'mqtt', url: bridge.url, password: credentials.secretFor('thing-a') } });
    try {
      let now = NOW;
      const reporter = new HealthReporter({
        thingName: 'thing-a',
        product: 'gateway',
        journal: HealthJournal.inMemory(),
        facts: { bootId: async () => 'boot-1', uptimeSeconds: () => 600 + (now - NOW) / 1000, crashCount: async () => 0 },
        running: () => ({ version: '1.0.0', slot: 'a' }),
        busy: () => false,
        publish: (topic, payload) => jobs.publish(topic, payload),
        now: () => now,
        mode: 'always',
        reportEverySeconds: 300,
        warmUpSeconds: 0,
      });
      expect(await reporter.report()).toHaveLength(1);
      now += 300_000;
      expect(await reporter.report()).toHaveLength(1);
      await until(() => bridge.healthReports.recorded === 2);

      const reading = await metrics.read(window);
      expect(reading.buckets.map((bucket) => bucket.control.exposureSeconds)).toEqual([900]);
    } finally {
      await jobs.close();
    }
  });
});
