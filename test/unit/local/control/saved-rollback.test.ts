// A saved release that rolled back: the job engine ended with its process, and status still says how the rollback went.
import { savedOperations } from '#local/control/saved-operations.ts';
import { renderStatus } from '#cli/render/status.ts';
import { ZERO_COUNTS } from '#domain/stage-counts.ts';
import { record } from '../../operator/support.ts';

const rolledBack = record({ status: 'ROLLED_BACK', rollbackJobIds: ['fw-2-4-0-rb0'] });
const snapshot = { releases: [rolledBack], pendingTasks: [], decisions: [] };
const terminal = { columns: 200, color: false };

describe('a saved release that rolled back', () => {
  it('shows its rollback job as the saved report left it: status and counts', async () => {
    const counts = { ...ZERO_COUNTS, targeted: 90, succeeded: 88, failed: 1, queued: 1 };
    const operations = savedOperations({ ...snapshot, reports: { 'fw-2-4-0': { rollbackJobs: [{ jobId: 'fw-2-4-0-rb0', jobStatus: 'COMPLETED', counts }] } } }, 'saved');
    const view = await operations.describeRelease('fw-2-4-0');
    expect(view.rollbackJobs).toEqual([{ jobId: 'fw-2-4-0-rb0', jobStatus: 'COMPLETED', counts }]);
    expect(renderStatus(view, terminal)).toContain('rollback: fw-2-4-0-rb0 COMPLETED · 88 of 90 back on 2.3.1, 1 not brought back, 1 pending');
  });

  it('says plainly when no report was saved', async () => {
    const view = await savedOperations(snapshot, 'saved').describeRelease('fw-2-4-0');
    expect(renderStatus(view, terminal)).toContain('rollback: fw-2-4-0-rb0 (how it went is not known here');
  });
});
