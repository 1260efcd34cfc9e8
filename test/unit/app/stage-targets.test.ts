// The targeting module on the embedded IoT: sampled small fleets, cohort waves, a fleet that outgrows sampling
// mid-release, rollback targets, and the clean-up of wave groups.
import { removeWaveGroups, resolveStageTargets, rollbackTargets } from '#app/stage-targets.ts';
import { ReleaseRequest } from '#domain/release-request.ts';
import { spreadCohorts } from '#local/fleet/cohorts.ts';
import { ControlPlane } from '#local/iot-jobs/control-plane.ts';
import { JobsEngine } from '#local/iot-jobs/engine.ts';
import { LocalFleetJobs } from '#local/iot-jobs/local-fleet-jobs.ts';
import { ThingRegistry } from '#local/iot-jobs/things.ts';
import { Scheduler } from '#local/time/scheduler.ts';
import type { FleetJobs } from '#ports/fleet-jobs.ts';
import type { StageRecord } from '#ports/release-store.ts';
import { ZERO_COUNTS } from '#domain/stage-counts.ts';

const request = ReleaseRequest.parse({
  releaseId: 'r-1',
  product: 'p',
  firmware: { version: '2.0.0', previousVersion: '1.0.0', source: { file: 'f.bin' } },
  fleet: { thingGroups: ['fleet'] },
  stages: [
    { name: 'canary', targets: { percent: 10 }, bake: '1h' },
    { name: 'half', targets: { percent: 50 }, bake: '1h' },
    { name: 'all', targets: { percent: 100 }, bake: '1h' },
  ],
});

function cloud(devices: number) {
  const things = new ThingRegistry();
  const grow = (count: number, prefix = 'gw') => {
    things.addNumbered(prefix, count, () => ['fleet']);
    spreadCohorts(things, 'otaCohort', things.membersOf('fleet'));
  };
  grow(devices);
  const engine = new JobsEngine(new Scheduler({ startMs: 0 }), things);
  const jobs = new LocalFleetJobs(engine, new ControlPlane({ nowMs: () => 0 }, {}));
  return { things, jobs, grow };
}
const record = (index: number, targeting: StageRecord['targeting'], targeted = 1): StageRecord => ({ index, name: `s${index}`, jobId: `r-1-s${index}`, targeted, createdAt: 'now', ...(targeting && { targeting }) });

describe('resolveStageTargets', () => {
  it('names the things of a small fleet\'s wave (exact: 10 % of 40 is 4)', async () => {
    const { jobs } = cloud(40);

    const resolved = await resolveStageTargets({ jobs }, request, 0, []);

    expect(resolved).toMatchObject({ kind: 'sampled', targeted: 4 });
    expect(resolved.targets?.things).toHaveLength(4);
  });

  it('targets a big fleet\'s wave as one dynamic group of exactly its share', async () => {
    const { jobs, things } = cloud(5000);

    const resolved = await resolveStageTargets({ jobs }, request, 1, [record(0, 'cohort')]);

    expect(resolved).toEqual({ kind: 'cohort', targeted: 2000, targets: { thingGroups: ['r-1-w1'] } });
    expect(things.membersOf('r-1-w1')).toHaveLength(2000);
  });

  it('goes on in cohort windows when the fleet outgrew sampling, and its last wave then takes the whole fleet', async () => {
    const { jobs, grow } = cloud(60);
    const first = await resolveStageTargets({ jobs }, request, 0, []);
    grow(440, 'late');

    const last = await resolveStageTargets({ jobs }, request, 2, [record(0, first.kind), record(1, 'cohort')]);

    expect(first.kind).toBe('sampled');
    expect(last).toMatchObject({ kind: 'cohort', targeted: 500 });
  });

  it('makes no group and no count for a window too thin for one cohort', async () => {
    const { jobs, things } = cloud(5000);
    // 0.001 % and 0.002 % both round up to the first cohort: the second stage's window is empty.
    const thin = ReleaseRequest.parse({ ...request, stages: [0.001, 0.002, 100].map((percent, i) => ({ name: `s${i}`, targets: { percent }, bake: '1h' })) });

    const resolved = await resolveStageTargets({ jobs }, thin, 1, [record(0, 'cohort')]);

    expect(resolved).toEqual({ kind: 'cohort', targeted: 0 });
    expect(things.dynamicGroupNames()).toEqual([]);
  });
});

describe('rollbackTargets and removeWaveGroups', () => {
  const stub = (succeeded: number): FleetJobs & { deleted: string[] } => {
    const deleted: string[] = [];
    return {
      deleted,
      createJob: async () => ({ jobId: 'x', created: true }),
      describeJob: async (jobId) => ({ jobId, status: 'CANCELED', counts: { ...ZERO_COUNTS, succeeded } }),
      cancelJob: async () => {},
      async *listExecutions(jobId, status) {
        if (status === 'SUCCEEDED') for (let i = 0; i < succeeded; i++) yield { thingName: `${jobId}-t${i}`, status };
      },
      async *listThingsInGroups() {},
      countThings: async () => 0,
      ensureDynamicGroup: async () => ({ ready: true }),
      deleteDynamicGroup: async (name) => void deleted.push(name),
    };
  };

  it('names the devices when at most 100 took the release', async () => {
    const { targets, tookIt } = await rollbackTargets({ jobs: stub(30) }, request, [record(0, 'cohort'), record(1, 'cohort')]);

    expect(tookIt).toBe(60);
    expect(targets?.things).toHaveLength(60);
  });

  it('targets the waves when more took it', async () => {
    const { targets, tookIt } = await rollbackTargets({ jobs: stub(5000) }, request, [record(0, 'cohort'), record(1, 'cohort')]);

    expect(tookIt).toBe(10_000);
    expect(targets).toEqual({ thingGroups: ['r-1-w0', 'r-1-w1'] });
  });

  it('deletes the group of every percent stage', async () => {
    const jobs = stub(0);

    await removeWaveGroups({ jobs }, request);

    expect(jobs.deleted).toEqual(['r-1-w0', 'r-1-w1', 'r-1-w2']);
  });
});
