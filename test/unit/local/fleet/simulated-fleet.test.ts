import { ReleaseRequest } from '#domain/release-request.ts';
import { faultProfile } from '#local/fleet/fault-profiles.ts';
import { SimulatedFleet } from '#local/fleet/simulated-fleet.ts';
import { LocalHealthMetrics } from '#local/health/health-metrics.ts';
import { JobsEngine } from '#local/iot-jobs/engine.ts';
import { LocalDataPlane } from '#local/iot-jobs/local-data-plane.ts';
import { LocalFleetJobs } from '#local/iot-jobs/local-fleet-jobs.ts';
import { ThingRegistry } from '#local/iot-jobs/things.ts';
import { Scheduler } from '#local/time/scheduler.ts';

const release = ReleaseRequest.parse({
  releaseId: 'r1',
  product: 'gateway',
  firmware: { version: '2.0.0', previousVersion: '1.0.0', source: { file: 'fw.bin' } },
  fleet: { thingGroups: ['fleet-a', 'fleet-b'] },
  stages: [{ name: 'all', targets: { percent: 100 }, bake: '1h' }],
});

async function runJob(profile: string, options: { devices?: number; seed?: number; failRate?: number; document?: string } = {}) {
  const scheduler = new Scheduler({ startMs: 0 });
  const things = new ThingRegistry();
  const engine = new JobsEngine(scheduler, things);
  const jobs = new LocalFleetJobs(engine);
  const fleet = new SimulatedFleet({ devices: options.devices ?? 400, profile: faultProfile(profile, options.failRate === undefined ? {} : { failRate: options.failRate }), seed: options.seed ?? 7 });
  fleet.provision(things, release);
  await fleet.start({ engine, scheduler, things, health: new LocalHealthMetrics(scheduler), release, dataPlane: new LocalDataPlane(engine), readFirmware: async () => new Uint8Array(), signerPublicKeyPem: '' });
  await jobs.createJob({
    jobId: 'r1-s0',
    targets: { thingGroups: ['fleet-a', 'fleet-b'] },
    document: options.document ?? JSON.stringify({ operation: 'firmwareUpdate', version: '2.0.0' }),
    description: '',
    targetSelection: 'SNAPSHOT',
    jobExecutionsRolloutConfig: { maximumPerMinute: 1000 },
    abortConfig: { criteriaList: [{ failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 100, minNumberOfExecutedThings: 1 }] },
    timeoutConfig: { inProgressTimeoutInMinutes: 60 },
  });
  await scheduler.run(() => engine.getJob('r1-s0')!.jobStatus !== 'IN_PROGRESS');
  return { counts: (await jobs.describeJob('r1-s0')).counts, stats: fleet.stats(), things };
}

describe('SimulatedFleet', () => {
  it('puts every device in one of the fleet groups, round-robin', async () => {
    const { things } = await runJob('healthy', { devices: 10 });
    expect(things.membersOf('fleet-a')).toHaveLength(5);
    expect(things.membersOf('fleet-b')).toHaveLength(5);
  });

  it('updates a healthy fleet: every execution succeeds and every device runs the new version', async () => {
    const { counts, stats } = await runJob('healthy');
    expect(counts).toMatchObject({ targeted: 400, succeeded: 400, failed: 0 });
    expect(stats).toMatchObject({ exposed: 400, versions: { '2.0.0': 400 } });
  });

  it('is reproducible: the same seed gives the same counts, another seed others', async () => {
    const first = await runJob('bad-boot', { seed: 3 });
    const again = await runJob('bad-boot', { seed: 3 });
    const other = await runJob('bad-boot', { seed: 4 });
    expect(again.counts).toEqual(first.counts);
    expect(other.counts).not.toEqual(first.counts);
  });

  it.each([0.1, 0.3])('fails about %f of devices with --fail-rate, and they go back to the old version', async (rate) => {
    const { counts, stats } = await runJob('healthy', { devices: 2000, failRate: rate });
    expect(counts.failed / counts.targeted).toBeGreaterThan(rate - 0.04);
    expect(counts.failed / counts.targeted).toBeLessThan(rate + 0.04);
    expect(stats.versions['1.0.0']).toBe(counts.failed);
    expect(stats.exposed).toBe(counts.targeted);
  });

  it('lets silent devices time out', async () => {
    const { counts } = await runJob('silent-devices', { devices: 1000 });
    expect(counts.timedOut).toBeGreaterThan(100);
    expect(counts.succeeded + counts.timedOut).toBe(1000);
  });

  it('rejects with slow-rejects, after a long delay', async () => {
    const { counts } = await runJob('slow-rejects', { devices: 1000 });
    expect(counts.rejected).toBeGreaterThan(40);
  });

  it('applies no faults to a job that installs another version (a rollback)', async () => {
    const { counts } = await runJob('bad-boot', { document: JSON.stringify({ operation: 'firmwareRevert', version: '1.0.0' }) });
    expect(counts.failed).toBe(0);
  });

  it('refuses an unknown fault profile with the names it knows', () => {
    expect(() => faultProfile('nope')).toThrow(/unknown fault profile "nope"; choose one of healthy, bad-boot/);
  });
});
