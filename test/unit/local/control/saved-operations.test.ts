import { savedOperations } from '#local/control/saved-operations.ts';
import { ReadOnlyStateError } from '#operator/errors.ts';
import { approvalTask, record, verdictRecord } from '../../operator/support.ts';

const snapshot = (status: Parameters<typeof record>[0] extends infer _ ? string : never) => ({
  releases: [record({ status: status as never })],
  pendingTasks: status === 'AWAITING_APPROVAL' ? [approvalTask()] : [],
  decisions: [verdictRecord(0, 'HOLD', '2026-11-24T12:00:00.000Z')],
});

describe('saved state operations', () => {
  it('reads releases, their evidence and their wait', async () => {
    const operations = savedOperations(snapshot('AWAITING_APPROVAL'), 'saved');
    expect(await operations.listReleases()).toEqual([expect.objectContaining({ releaseId: 'fw-2-4-0', awaitingApproval: true })]);
    expect((await operations.describeRelease('fw-2-4-0')).waitingFor?.evidence?.verdict).toBe('HOLD');
  });

  it('says its releases ran on the simulated clock of the embedded cloud', async () => {
    const operations = savedOperations(snapshot('PROMOTED'), 'saved');
    expect(await operations.listReleases()).toEqual([expect.objectContaining({ clock: 'simulated' })]);
    expect((await operations.describeRelease('fw-2-4-0')).clock).toBe('simulated');
  });

  it.each([
    ['AWAITING_APPROVAL', 'not-live', 'the process that ran it has stopped'],
    ['PROMOTED', 'finished', 'already ended PROMOTED'],
    ['IN_PROGRESS', 'not-waiting', 'not waiting'],
  ])('refuses to answer a %s release (%s)', async (status, outcome, words) => {
    const result = await savedOperations(snapshot(status), 'saved').answerApproval({ releaseId: 'fw-2-4-0', answer: 'approve', by: 'a', via: 'cli' });
    expect(result).toMatchObject({ outcome, answered: false });
    expect(result.message).toContain(words);
  });

  it('cannot abort what no process runs any more without its state directory', async () => {
    await expect(savedOperations(snapshot('IN_PROGRESS'), 'saved').abortRelease({ releaseId: 'fw-2-4-0', by: 'a', reason: 'x' })).rejects.toBeInstanceOf(ReadOnlyStateError);
  });
});
