import { describeRelease } from '#app/describe-release.ts';
import { NotFoundError } from '#ports/errors.ts';
import { FakeJobs, FakeWorkflow, approvalTask, record, seededStore, verdictRecord } from '../operator/support.ts';

describe('describeRelease', () => {
  it('shows live counts from IoT Jobs for a stage that has a job', async () => {
    const store = seededStore([record()]);
    const jobs = new FakeJobs().set('fw-2-4-0-s0', { targeted: 100, succeeded: 40, failed: 2, inProgress: 8, queued: 50 });

    const view = await describeRelease({ store, jobs }, 'fw-2-4-0');

    expect(view.stages[0]).toMatchObject({ name: 'canary', state: 'active', countsSource: 'live', jobStatus: 'IN_PROGRESS', progress: 0.42 });
    expect(view.stages[0]?.counts?.inProgress).toBe(8);
    expect(view.stages.slice(1).map((s) => s.state)).toEqual(['pending', 'pending']);
  });

  it('says when it read live counts, on the clock it is given, so the dashboard can draw them over time', async () => {
    const jobs = new FakeJobs().set('fw-2-4-0-s0', { targeted: 100, succeeded: 40 });
    const clock = { now: () => new Date('2026-11-24T10:30:00.000Z') };

    expect((await describeRelease({ store: seededStore([record()]), jobs, clock }, 'fw-2-4-0')).stages[0]?.countsAt).toBe('2026-11-24T10:30:00.000Z');
    expect((await describeRelease({ store: seededStore([record()]), clock }, 'fw-2-4-0')).stages[0]?.countsAt).toBeUndefined();
  });

  it('falls back to the counts of the latest verdict when the job engine is not reachable', async () => {
    const store = seededStore([record()], [], [
      verdictRecord(0, 'EXTEND', '2026-11-24T11:00:00.000Z', { targeted: 100, succeeded: 10 }),
      verdictRecord(0, 'HOLD', '2026-11-24T12:00:00.000Z', { targeted: 100, succeeded: 95, failed: 5 }),
    ]);

    const view = await describeRelease({ store }, 'fw-2-4-0');

    expect(view.stages[0]).toMatchObject({ countsSource: 'last-verdict', progress: 1, latestVerdict: { verdict: 'HOLD' } });
    expect(view.stages[0]?.counts?.failed).toBe(5);
  });

  it('says the workflow waits for an approval and shows the evidence the operator is asked about', async () => {
    const store = seededStore([record()], [approvalTask()], [verdictRecord(0, 'HOLD', '2026-11-24T12:00:00.000Z')]);

    const view = await describeRelease({ store }, 'fw-2-4-0');

    expect(view.waitingFor).toMatchObject({ kind: 'approval', stageName: 'canary', expiresAt: '2026-11-25T12:00:00.000Z', evidence: { verdict: 'HOLD' } });
  });

  it('shows no wait for a release that has ended, whatever tokens were left behind', async () => {
    const store = seededStore([record({ status: 'PROMOTED' })], [approvalTask({ kind: 'bake' })]);
    expect((await describeRelease({ store }, 'fw-2-4-0')).waitingFor).toBeUndefined();
  });

  it('lists decisions oldest first and reports the execution', async () => {
    const store = seededStore([record()], [], [verdictRecord(0, 'HOLD', '2026-11-24T12:00:00.000Z'), verdictRecord(0, 'EXTEND', '2026-11-24T11:00:00.000Z')]);

    const view = await describeRelease({ store, workflow: new FakeWorkflow('RUNNING') }, 'fw-2-4-0');

    expect(view.decisions.map((d) => d.at)).toEqual(['2026-11-24T11:00:00.000Z', '2026-11-24T12:00:00.000Z']);
    expect(view.execution).toEqual({ status: 'RUNNING' });
  });

  it.each([
    ['promoted', 'promoted'],
    ['rolled-back', 'rolled-back'],
    ['canceled', 'canceled'],
    [undefined, 'active'],
  ] as const)('maps a stage outcome %s to the state %s', async (outcome, state) => {
    const stored = { index: 0, name: 'canary', jobId: 'fw-2-4-0-s0', targeted: 100, createdAt: 'x', ...(outcome && { outcome, closedAt: 'y' }) };
    const view = await describeRelease({ store: seededStore([record({ status: 'IN_PROGRESS', stages: [stored] })]) }, 'fw-2-4-0');
    expect(view.stages[0]?.state).toBe(state);
  });

  it('counts a stage with no targets as fully progressed', async () => {
    const jobs = new FakeJobs().set('fw-2-4-0-s0', { targeted: 0 }, 'COMPLETED');
    const view = await describeRelease({ store: seededStore([record()]), jobs }, 'fw-2-4-0');
    expect(view.stages[0]?.progress).toBe(1);
  });

  it('throws NotFoundError for an unknown release', async () => {
    await expect(describeRelease({ store: seededStore() }, 'nope')).rejects.toBeInstanceOf(NotFoundError);
  });
});
