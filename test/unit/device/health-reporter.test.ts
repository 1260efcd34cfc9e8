import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceFacts } from '#device/health-facts.ts';
import { HealthJournal } from '#device/health-journal.ts';
import { HealthReporter, healthPublishTopic, type HealthMode } from '#device/health-reporter.ts';
import { HealthReport } from '#domain/health-report.ts';
import { Harness, THING } from './agent-harness.ts';

const T0 = Date.parse('2026-03-01T10:00:00Z');

/** One gateway as the reporter sees it: a clock, a boot id, an uptime, a crash counter, what runs, what the broker acks. */
class Device {
  now = T0;
  bootId = 'boot-1';
  bootedAt = T0 - 100_000;
  crashCount: number | undefined = 0;
  version = '1.0.0';
  slot = 'a';
  busy = false;
  brokerDown = false;
  readonly published: Array<{ topic: string; report: HealthReport }> = [];
  readonly errors: unknown[] = [];
  journal = HealthJournal.inMemory();

  facts: DeviceFacts = {
    bootId: async () => this.bootId,
    uptimeSeconds: () => (this.now - this.bootedAt) / 1000,
    crashCount: async () => this.crashCount,
  };

  /** `product` null: the configuration names none. */
  reporter(mode: HealthMode = 'always', product: string | null = 'gateway'): HealthReporter {
    return new HealthReporter({
      thingName: THING,
      ...(product ? { product } : {}),
      journal: this.journal,
      facts: this.facts,
      running: () => ({ version: this.version, slot: this.slot }),
      busy: () => this.busy,
      publish: async (topic, payload) => {
        if (this.brokerDown) throw new Error('not connected');
        this.published.push({ topic, report: HealthReport.parse(JSON.parse(payload)) });
      },
      now: () => this.now,
      mode,
      reportEverySeconds: 300,
      warmUpSeconds: 1800,
      onError: (error) => this.errors.push(error),
    });
  }

  advance(seconds: number): void {
    this.now += seconds * 1000;
  }

  reboot(into = this.version): void {
    this.bootId = `boot-${Number(this.bootId.split('-')[1]) + 1}`;
    this.bootedAt = this.now;
    this.version = into;
    this.slot = this.slot === 'a' ? 'b' : 'a';
  }

  last(): HealthReport {
    return this.published.at(-1)!.report;
  }
}

const succeeded = (version: string, fromVersion?: string) => ({ status: 'SUCCEEDED' as const, statusDetails: { runningVersion: version, ...(fromVersion ? { fromVersion } : {}) } });

describe('HealthReporter', () => {
  it('reports on its own topic from boot when told to always report: the first report covers the time since boot', async () => {
    const device = new Device();
    const reporter = device.reporter('always');

    await reporter.report();
    device.advance(300);
    await reporter.report();

    expect(device.published.map((p) => p.topic)).toEqual(['ota-release/health/gateway-1', 'ota-release/health/gateway-1']);
    expect(device.published[0]!.report).toEqual({ product: 'gateway', version: '1.0.0', slot: 'a', phase: 'steady', periodSeconds: 100, uptimeSeconds: 100, crashes: 0, reboots: 0, sequence: 0 });
    expect(device.last()).toMatchObject({ periodSeconds: 300, uptimeSeconds: 400, sequence: 1 });
  });

  it('publishes through Basic Ingest when given the rule name', () => {
    expect(healthPublishTopic('gateway-1', 'ota_release_device_health_prod')).toBe('$aws/rules/ota_release_device_health_prod/ota-release/health/gateway-1');
    expect(healthPublishTopic('gateway-1')).toBe('ota-release/health/gateway-1');
  });

  it('stays silent until a job document asks, then reports at that release period', async () => {
    const device = new Device();
    const reporter = device.reporter('when-asked');
    expect(await reporter.report()).toEqual([]);

    await reporter.instructed('job-1', { releaseId: 'rel-1', health: { reportEverySeconds: 60, warmUpSeconds: 600 } });
    await reporter.report();

    expect(device.published).toHaveLength(1);
    expect(reporter.periodSeconds).toBe(60);
    expect(reporter.nextDelayMs()).toBe(60_000);
  });

  it('learns the product from the signed manifest that asked when its configuration names none', async () => {
    const device = new Device();
    const reporter = device.reporter('when-asked', null);
    await reporter.instructed('job-1', { product: 'edge', health: { reportEverySeconds: 60, warmUpSeconds: 0 } });
    await reporter.report();
    expect(device.last().product).toBe('edge');
  });

  it('reports crashes as the growth of the device counter, and a counter that starts over counts from zero', async () => {
    const device = new Device();
    device.crashCount = 7;
    const reporter = device.reporter();
    await reporter.report();
    device.crashCount = 9;
    device.advance(300);
    await reporter.report();
    device.crashCount = 1;
    device.advance(300);
    await reporter.report();

    expect(device.published.map((p) => p.report.crashes)).toEqual([0, 2, 1]);
  });

  it('counts a reboot from a new boot id, and covers only the time since the boot', async () => {
    const device = new Device();
    const reporter = device.reporter();
    await reporter.report();
    device.advance(200);
    device.reboot();
    device.advance(50);
    await reporter.report();

    expect(device.last()).toMatchObject({ version: '1.0.0', reboots: 1, periodSeconds: 50, uptimeSeconds: 50 });
  });

  it('after an update: one firstSinceUpdate, warm-up until the release warm-up ends (a report lands on its end), then steady', async () => {
    const device = new Device();
    const reporter = device.reporter('when-asked');
    await reporter.instructed('job-1', { releaseId: 'rel-1', health: { reportEverySeconds: 300, warmUpSeconds: 600 } });
    await reporter.report();
    device.advance(60);
    device.reboot('2.0.0'); // the update's own reboot
    device.advance(5);
    await reporter.outcome('job-1', succeeded('2.0.0', '1.0.0'));
    device.advance(295);
    await reporter.report();
    expect(device.last()).toMatchObject({ version: '2.0.0', releaseId: 'rel-1', phase: 'warm-up', firstSinceUpdate: true, reboots: 0, rebootsSinceUpdate: 0, periodSeconds: 300 });

    expect(reporter.nextDelayMs()).toBe(300_000);
    device.advance(300);
    await reporter.report();
    expect(device.last()).toMatchObject({ phase: 'warm-up', periodSeconds: 300 });
    expect(device.last().firstSinceUpdate).toBeUndefined();

    device.advance(300);
    await reporter.report();
    expect(device.last()).toMatchObject({ phase: 'steady', releaseId: 'rel-1' });
  });

  it('ends a report at the warm-up end when a period would straddle it', async () => {
    const device = new Device();
    const reporter = device.reporter('when-asked');
    await reporter.instructed('job-1', { health: { reportEverySeconds: 300, warmUpSeconds: 400 } });
    await reporter.outcome('job-1', succeeded('2.0.0', '1.0.0'));
    device.version = '2.0.0';
    await reporter.report();
    device.advance(300);
    await reporter.report();
    expect(reporter.nextDelayMs()).toBe(100_000);
  });

  it('counts crashes and reboots after the update towards it, since the update', async () => {
    const device = new Device();
    const reporter = device.reporter('when-asked');
    await reporter.instructed('job-1', { health: { reportEverySeconds: 60, warmUpSeconds: 0 } });
    await reporter.outcome('job-1', succeeded('2.0.0', '1.0.0'));
    device.version = '2.0.0';
    await reporter.report();
    device.crashCount = 2;
    device.advance(60);
    await reporter.report();
    device.advance(30);
    device.reboot();
    device.crashCount = 1; // the counter started over at boot
    device.advance(30);
    await reporter.report();

    expect(device.published.map((p) => [p.report.crashes, p.report.reboots, p.report.crashesSinceUpdate, p.report.rebootsSinceUpdate])).toEqual([
      [0, 0, 0, 0],
      [2, 0, 2, 0],
      [1, 1, 3, 1],
    ]);
  });

  it('reports a silent rollback once: the reverted version pays for the reboot, and the old version says what it came back from', async () => {
    const device = new Device();
    const reporter = device.reporter('when-asked');
    await reporter.instructed('job-1', { releaseId: 'rel-1', health: { reportEverySeconds: 60, warmUpSeconds: 0 } });
    await reporter.outcome('job-1', succeeded('2.0.0', '1.0.0'));
    device.version = '2.0.0';
    await reporter.report();
    device.advance(60);
    device.crashCount = 3;
    device.reboot('1.0.0'); // the bootloader went back to the other slot by itself
    device.advance(10);
    await reporter.report();
    device.advance(60);
    await reporter.report();

    const [, carried, back, after] = device.published.map((p) => p.report);
    expect(carried).toMatchObject({ version: '2.0.0', periodSeconds: 0, reboots: 1, crashes: 3 });
    expect(back).toMatchObject({ version: '1.0.0', revertedFrom: '2.0.0', periodSeconds: 10, reboots: 0 });
    expect(after!.revertedFrom).toBeUndefined();
    expect(device.published.map((p) => p.report.sequence)).toEqual([0, 1, 2, 3]);
  });

  it('does not take a rollback job for a silent rollback', async () => {
    const device = new Device();
    const reporter = device.reporter('always');
    await reporter.outcome('job-1', succeeded('2.0.0', '1.0.0'));
    device.version = '2.0.0';
    await reporter.report();
    device.version = '1.0.0';
    await reporter.outcome('job-rb', succeeded('1.0.0', '2.0.0'));
    await reporter.report();
    expect(device.published.some((p) => p.report.revertedFrom !== undefined)).toBe(false);
  });

  it('keeps what an unacknowledged report carried for the next one', async () => {
    const device = new Device();
    const reporter = device.reporter();
    await reporter.report();
    device.brokerDown = true;
    device.crashCount = 4;
    device.advance(300);
    expect(await reporter.report()).toEqual([]);
    device.brokerDown = false;
    device.advance(300);
    await reporter.report();

    expect(device.published.map((p) => [p.report.crashes, p.report.periodSeconds, p.report.sequence])).toEqual([
      [0, 100, 0],
      [4, 600, 1],
    ]);
    expect(device.errors).toHaveLength(1);
  });

  it('waits while an install is in hand', async () => {
    const device = new Device();
    const reporter = device.reporter();
    device.busy = true;
    expect(await reporter.report()).toEqual([]);
    expect(device.published).toHaveLength(0);
  });

  it('survives a restart of the agent: health.json keeps the request, the pending firstSinceUpdate, the boot and the sequence', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-health-'));
    try {
      const device = new Device();
      const restart = async () => {
        device.journal = await HealthJournal.open(dir);
        return device.reporter('when-asked');
      };
      await (await restart()).instructed('job-1', { health: { reportEverySeconds: 60, warmUpSeconds: 0 } });
      await (await restart()).outcome('job-1', succeeded('2.0.0', '1.0.0'));
      device.version = '2.0.0';
      await (await restart()).report();
      device.advance(60);
      await (await restart()).report();
      expect(device.published.map((p) => [p.report.firstSinceUpdate ?? false, p.report.sequence, p.report.reboots, p.report.periodSeconds])).toEqual([
        [true, 0, 0, 0],
        [false, 1, 0, 60],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('never sends a report its own schema refuses', async () => {
    const device = new Device();
    device.version = 'not a version!';
    await device.reporter().report();
    expect(device.published).toHaveLength(0);
    expect(String(device.errors[0])).toMatch(/version/);
  });
});

describe('the agent tells its health reporter', () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await Harness.create();
  });
  afterEach(async () => {
    await harness.close();
  });

  it('what a verified document asked and how the update ended', async () => {
    const device = new Device();
    const reporter = device.reporter('when-asked', null);
    await harness.boot({ onDocument: (jobId, document) => reporter.instructed(jobId, document), onOutcome: (jobId, outcome) => void reporter.outcome(jobId, outcome) });
    const image = harness.image('2.0.0');

    await harness.offer('job-1', harness.document(image, { health: { reportEverySeconds: 120, warmUpSeconds: 900 } }));
    device.version = harness.agent!.runningVersion;
    await reporter.report();

    expect(device.last()).toMatchObject({ product: 'gateway', version: '2.0.0', releaseId: 'rel-1', phase: 'warm-up', firstSinceUpdate: true });
    expect(reporter.periodSeconds).toBe(120);
  });

  it('nothing from a document whose manifest does not verify', async () => {
    const documents: unknown[] = [];
    await harness.boot({ onDocument: (_jobId, document) => void documents.push(document) });
    const image = harness.image('2.0.0');
    await harness.offer('job-1', harness.document(image, { manifest: undefined, health: { reportEverySeconds: 120, warmUpSeconds: 900 } }));
    expect(documents).toEqual([]);
  });
});
