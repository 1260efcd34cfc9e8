// The compatibility check a slow-rejects device runs in front of its agent: REJECTED after the check's time, with the
// agent's own optimistic-concurrency update; every other execution passes through untouched.
import { CompatibilityCheckedJobs, INCOMPATIBLE } from '#local/mqtt/compatibility-check.ts';
import { DirectJobsClient, FakeJobsCloud } from '../../device/fake-cloud.ts';

const release = () => JSON.stringify({ operation: 'firmwareUpdate', version: '2.0.0' });
const rollback = () => JSON.stringify({ operation: 'firmwareUpdate', version: '1.0.0', authorisedRollback: true });

function checked(cloud: FakeJobsCloud, takeTime: () => Promise<boolean> = async () => true) {
  let waits = 0;
  const jobs = new CompatibilityCheckedJobs(new DirectJobsClient(cloud, 'thing-1'), {
    refuses: (execution) => JSON.parse(execution.jobDocument ?? '{}').version === '2.0.0',
    takeTime: () => {
      waits += 1;
      return takeTime();
    },
    runningVersion: () => '1.0.0',
  });
  return { jobs, waits: () => waits };
}

describe('CompatibilityCheckedJobs', () => {
  it('rejects an execution the check refuses, after the check, and hands the agent the next one', async () => {
    const cloud = new FakeJobsCloud();
    cloud.addJob('thing-1', 'release-s0', release);
    cloud.addJob('thing-1', 'release-rollback', rollback);
    const { jobs, waits } = checked(cloud);

    const next = await jobs.startNext({});

    expect(waits()).toBe(1);
    expect(cloud.finalStatuses('thing-1')).toEqual([{ jobId: 'release-s0', status: 'REJECTED', statusDetails: expect.objectContaining({ reason: INCOMPATIBLE, runningVersion: '1.0.0' }) }]);
    expect(cloud.updates[0]?.request).toMatchObject({ expectedVersion: 2, executionNumber: 1 });
    expect(next?.jobId).toBe('release-rollback');
  });

  it('passes an execution it does not refuse straight through, without waiting', async () => {
    const cloud = new FakeJobsCloud();
    cloud.addJob('thing-1', 'release-rollback', rollback);
    const { jobs, waits } = checked(cloud);

    expect((await jobs.startNext({}))?.jobId).toBe('release-rollback');
    expect(waits()).toBe(0);
    expect(cloud.updates).toEqual([]);
  });

  it('reports nothing and returns nothing when the device is switched off during the check', async () => {
    const cloud = new FakeJobsCloud();
    cloud.addJob('thing-1', 'release-s0', release);
    const { jobs } = checked(cloud, async () => false);

    expect(await jobs.startNext({})).toBeUndefined();
    expect(cloud.updates).toEqual([]);
    expect(cloud.execution('thing-1', 'release-s0')?.status).toBe('IN_PROGRESS');
  });

  it('moves on when the execution was closed during the check (cancelled: the reject is refused)', async () => {
    const cloud = new FakeJobsCloud();
    cloud.addJob('thing-1', 'release-s0', release);
    const { jobs } = checked(cloud, async () => {
      cloud.cancel('thing-1', 'release-s0');
      return true;
    });

    expect(await jobs.startNext({})).toBeUndefined();
    expect(cloud.execution('thing-1', 'release-s0')?.status).toBe('CANCELED');
  });
});
