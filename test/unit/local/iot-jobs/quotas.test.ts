// The embedded IoT enforces the documented limits the AWS design relies on, and meters control-plane calls.
import { ControlPlane } from '#local/iot-jobs/control-plane.ts';
import { LocalFleetJobs } from '#local/iot-jobs/local-fleet-jobs.ts';
import { MAX_DYNAMIC_GROUPS, MAX_GROUPS_PER_THING } from '#local/iot-jobs/things.ts';
import { harness, spec } from './harness.ts';

const collect = async <T>(items: AsyncIterable<T>) => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};
const cohortQuery = (from: number, to: number) => ({ thingGroups: ['all'], cohort: { attribute: 'otaCohort', within: [{ from, to }] } });

/** A fleet with cohorts 0, 10, 20, …; its meter has no rates, so only the limits under test apply. */
function withCohorts(count: number) {
  const h = harness(count);
  for (let index = 0; index < count; index++) h.things.setAttribute('otaCohort', index, index * 10);
  return { ...h, jobs: new LocalFleetJobs(h.engine, new ControlPlane(h.scheduler, {})) };
}

describe('dynamic thing groups in the embedded IoT', () => {
  it('counts and targets the things a cohort window holds', async () => {
    const { jobs, engine } = withCohorts(20);

    expect(await jobs.countThings(cohortQuery(0, 49))).toBe(5);
    expect(await jobs.ensureDynamicGroup('r-w0', cohortQuery(0, 49))).toEqual({ ready: true });
    await jobs.createJob(spec({ targets: { thingGroups: ['r-w0'] } }));

    expect(engine.getJob('job-1')!.size).toBe(5);
  });

  it('keeps a SNAPSHOT job as it was made when its group is deleted', async () => {
    const { jobs, engine, things } = withCohorts(20);
    await jobs.ensureDynamicGroup('r-w0', cohortQuery(0, 49));
    await jobs.createJob(spec({ targets: { thingGroups: ['r-w0'] } }));

    await jobs.deleteDynamicGroup('r-w0');
    await jobs.deleteDynamicGroup('r-w0'); // already gone: done

    expect(things.dynamicGroupNames()).toEqual([]);
    expect(engine.getJob('job-1')!.size).toBe(5);
  });

  it(`refuses dynamic group ${MAX_DYNAMIC_GROUPS + 1} with LimitExceeded (QuotaExceededError)`, async () => {
    const { jobs } = withCohorts(5);
    for (let i = 0; i < MAX_DYNAMIC_GROUPS; i++) await jobs.ensureDynamicGroup(`g${i}`, cohortQuery(0, 9));

    await expect(jobs.ensureDynamicGroup('one-more', cohortQuery(0, 9))).rejects.toMatchObject({ name: 'QuotaExceededError' });
    await expect(jobs.ensureDynamicGroup('g0', cohortQuery(0, 9))).resolves.toEqual({ ready: true }); // a retry finds its own
  });

  it(`refuses to put a thing in group ${MAX_GROUPS_PER_THING + 1}`, () => {
    const { things } = harness(1); // t-000001 is in `all` already
    for (let i = 1; i < MAX_GROUPS_PER_THING; i++) things.addToGroup(`g${i}`, 0);

    expect(() => things.addToGroup('one-more', 0)).toThrow(expect.objectContaining({ name: 'QuotaExceededError' }));
    expect(things.groupCountOf(0)).toBe(MAX_GROUPS_PER_THING);
  });

  it('refuses a query of more than twelve terms, as fleet indexing does', async () => {
    const { jobs } = withCohorts(5);
    const query = { thingGroups: Array.from({ length: 13 }, (_, i) => `g${i}`) };

    await expect(jobs.countThings(query)).rejects.toMatchObject({ name: 'InvalidJobRequestError' });
  });

  it('refuses a job with more than 100 targets', async () => {
    const { jobs } = harness(101);
    const things = Array.from({ length: 101 }, (_, i) => `t-${String(i + 1).padStart(6, '0')}`);

    await expect(jobs.createJob(spec({ targets: { things } }))).rejects.toMatchObject({ name: 'InvalidJobRequestError' });
  });
});

describe('the control-plane meter', () => {
  it('counts calls by the AWS API the adapter would call, a page of 250 being one call', async () => {
    const { jobs, controlPlane } = (() => {
      const h = harness(600);
      return { ...h, controlPlane: h.jobs.controlPlane };
    })();

    await collect(jobs.listThingsInGroups(['all']));
    await jobs.countThings({ thingGroups: ['all'] });

    expect(controlPlane.report().calls).toEqual({ ListThingsInThingGroup: 3, GetStatistics: 1 });
  });

  it('reports the most calls one invocation made, across its awaits', async () => {
    const meter = new ControlPlane({ nowMs: () => 0 }, {});
    const busy = async () => {
      for (let i = 0; i < 3; i++) {
        await Promise.resolve();
        meter.call('DescribeJob');
      }
    };

    await Promise.all([meter.invocation('a', busy), meter.invocation('b', async () => meter.call('CreateJob'))]);
    meter.call('CancelJob'); // outside any invocation: counted, but in none

    expect(meter.report()).toEqual({ calls: { DescribeJob: 3, CreateJob: 1, CancelJob: 1 }, maxCallsInOneInvocation: 3, largestInvocation: 'a', throttled: 0 });
  });

  it('throttles an API past its rate with TransientError (what the ASL retries), and lets it through once the clock moves', () => {
    let now = 0;
    const meter = new ControlPlane({ nowMs: () => now }, { CreateJob: 2 }, () => 0);
    meter.call('CreateJob');
    meter.call('CreateJob');

    expect(() => meter.call('CreateJob')).toThrow(expect.objectContaining({ name: 'TransientError' }));
    now += 500;
    expect(() => meter.call('CreateJob')).not.toThrow();
    expect(meter.report().throttled).toBe(1);
  });

  it('refills by the wall clock while the shared clock stands still (a release waiting for an operator)', () => {
    let real = 0;
    const meter = new ControlPlane({ nowMs: () => 0 }, { DescribeJob: 1 }, () => real);
    meter.call('DescribeJob');

    expect(() => meter.call('DescribeJob')).toThrow(expect.objectContaining({ name: 'TransientError' }));
    real += 1000;
    expect(() => meter.call('DescribeJob')).not.toThrow();
  });
});
