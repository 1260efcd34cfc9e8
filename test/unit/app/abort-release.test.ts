import { ABORT_REASON_CODE, abortRelease } from '#app/abort-release.ts';
import type { ReleaseStatus } from '#domain/status.ts';
import { FakeJobs, FakeWorkflow, RecordingNotifier, T0, approvalTask, fixedClock, record, seededStore, statusOf } from '../operator/support.ts';

function setUp(status: ReleaseStatus = 'AWAITING_APPROVAL', workflow = new FakeWorkflow()) {
  const store = seededStore([record({ status })], [approvalTask()]);
  const jobs = new FakeJobs().set('fw-2-4-0-s0', { targeted: 100, succeeded: 10, queued: 90 });
  const notifier = new RecordingNotifier();
  return { store, jobs, workflow, notifier, clock: fixedClock() };
}

describe('abortRelease', () => {
  it('stops the workflow, cancels the open job and records the abort', async () => {
    const ports = setUp();

    const result = await abortRelease(ports, { releaseId: 'fw-2-4-0', by: 'alice', reason: 'wrong image' });

    expect(result).toMatchObject({ outcome: 'aborted', status: 'ABORTED', canceledJobIds: ['fw-2-4-0-s0'] });
    expect(ports.workflow.stopped).toEqual(['fw-2-4-0']);
    expect(ports.jobs.canceled).toEqual([{ jobId: 'fw-2-4-0-s0', reasonCode: ABORT_REASON_CODE, force: false, comment: 'aborted by alice: wrong image' }]);
    expect(await statusOf(ports.store)).toBe('ABORTED');
    expect((await ports.store.getRelease('fw-2-4-0'))?.stages[0]).toMatchObject({ outcome: 'canceled', closedAt: '2026-11-24T13:00:00.000Z' });
    expect(ports.store.snapshot().decisions).toEqual([expect.objectContaining({ kind: 'action', action: 'abort', reason: 'wrong image', detail: expect.objectContaining({ by: 'alice' }) })]);
    expect(ports.store.snapshot().pendingTasks).toHaveLength(0);
    expect(ports.notifier.notices.map((n) => n.kind)).toEqual(['aborted']);
    // The release leaves no wave group behind.
    expect(ports.jobs.deletedGroups).toEqual(['fw-2-4-0-w0', 'fw-2-4-0-w1', 'fw-2-4-0-w2']);
  });

  it('sends IoT a comment without line breaks or control characters, however the reason was typed', async () => {
    const ports = setUp();

    await abortRelease(ports, { releaseId: 'fw-2-4-0', by: 'alice', reason: 'bricks units\r\n\tsee ticket 42\u0000' });

    expect(ports.jobs.canceled[0]?.comment).toBe('aborted by alice: bricks units see ticket 42');
  });

  it('aborts a release whose open wave was empty (no job was made for it): record, notice and all', async () => {
    const ports = setUp('IN_PROGRESS');
    await ports.store.updateRelease('fw-2-4-0', (current) => ({
      ...current,
      stageIndex: 1,
      stages: [
        { ...current.stages[0]!, closedAt: T0, outcome: 'promoted' as const },
        { index: 1, name: 'wave', jobId: 'fw-2-4-0-s1', targeted: 0, createdAt: T0 },
      ],
    }));

    const result = await abortRelease(ports, { releaseId: 'fw-2-4-0', by: 'alice', reason: 'stop' });

    expect(result).toMatchObject({ outcome: 'aborted', status: 'ABORTED', canceledJobIds: [] });
    expect(result.message).toContain('no job was open');
    expect(ports.store.snapshot().decisions).toEqual([expect.objectContaining({ action: 'abort' })]);
    expect(ports.notifier.notices.map((n) => n.kind)).toEqual(['aborted']);
  });

  it('passes force on to IoT Jobs when asked', async () => {
    const ports = setUp('IN_PROGRESS');
    await abortRelease(ports, { releaseId: 'fw-2-4-0', by: 'alice', reason: 'brick risk', force: true });
    expect(ports.jobs.canceled[0]?.force).toBe(true);
  });

  it('still marks the release aborted when no execution runs under its name', async () => {
    const ports = setUp('IN_PROGRESS', new FakeWorkflow(null));
    const result = await abortRelease(ports, { releaseId: 'fw-2-4-0', by: 'alice', reason: 'stale' });
    expect(result.outcome).toBe('aborted');
  });

  it.each([
    ['PROMOTED', 'already-ended'],
    ['ROLLED_BACK', 'already-ended'],
    ['ABORTED', 'already-ended'],
    ['FAILED', 'already-ended'],
    ['ROLLING_BACK', 'rolling-back'],
  ] as const)('changes nothing for a %s release (%s)', async (status, outcome) => {
    const ports = setUp(status);

    const result = await abortRelease(ports, { releaseId: 'fw-2-4-0', by: 'alice', reason: 'x' });

    expect(result).toMatchObject({ outcome, status, canceledJobIds: [] });
    expect(result.message).not.toContain('\n');
    expect(ports.workflow.stopped).toEqual([]);
    expect(ports.jobs.canceled).toEqual([]);
    expect(await statusOf(ports.store)).toBe(status);
  });

  it('ends FAILED a release that was rolling back when its process stopped, since nothing will finish the rollback', async () => {
    const ports = setUp('ROLLING_BACK');

    const result = await abortRelease(ports, { releaseId: 'fw-2-4-0', by: 'alice', reason: 'killed', processGone: true });

    expect(result).toMatchObject({ outcome: 'aborted', status: 'FAILED' });
    expect(result.message).toBe('fw-2-4-0 was rolling back when its process stopped, and nothing is left to finish that rollback; it ends FAILED');
    expect(await statusOf(ports.store)).toBe('FAILED');
    expect(ports.store.snapshot().decisions).toEqual([expect.objectContaining({ kind: 'action', action: 'abort', reason: 'killed' })]);
  });

  it('answers unknown-release for a release that does not exist', async () => {
    const result = await abortRelease(setUp(), { releaseId: 'nope', by: 'alice', reason: 'x' });
    expect(result).toMatchObject({ outcome: 'unknown-release', message: 'no release named nope' });
  });

  it('leaves a release alone that ended while the workflow was being stopped', async () => {
    const ports = setUp('IN_PROGRESS');
    const stop = ports.workflow.stop.bind(ports.workflow);
    ports.workflow.stop = async (releaseId: string) => {
      await ports.store.updateRelease(releaseId, (current) => ({ ...current, status: 'PROMOTED' }));
      await stop(releaseId);
    };

    const result = await abortRelease(ports, { releaseId: 'fw-2-4-0', by: 'alice', reason: 'x' });

    expect(result).toMatchObject({ outcome: 'already-ended', status: 'PROMOTED' });
    expect(ports.jobs.canceled).toEqual([]);
  });
});
