import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalOperations } from '#cli/target/local.ts';
import { removeControlFile, writeControlFile } from '#local/control/control-file.ts';
import { type ControlServer, startControlServer } from '#operator/server.ts';
import { saveState } from '#local/state-dir.ts';
import { FakeOperations } from '../../operator/fake-operations.ts';
import { approvalTask, record, seededStore } from '../../operator/support.ts';

describe('the embedded cloud in a state directory', () => {
  let dir: string;
  let server: ControlServer | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ota-state-'));
    await saveState({ releases: [record({ releaseId: 'old-1', status: 'PROMOTED' }), record({ releaseId: 'fw-2-4-0', status: 'IN_PROGRESS' })], pendingTasks: [], decisions: [] }, dir);
  });
  afterEach(async () => {
    await server?.close();
    await removeControlFile(dir);
  });

  it('reads the saved releases when no process runs', async () => {
    const operations = await openLocalOperations(dir);
    expect(operations.where).toBe(`embedded cloud (${dir})`);
    expect((await operations.listReleases()).map((r) => r.releaseId).sort()).toEqual(['fw-2-4-0', 'old-1']);
    expect((await operations.answerApproval({ releaseId: 'fw-2-4-0', answer: 'approve', by: 'a', via: 'cli' })).answered).toBe(false);
  });

  it('reaches a live release through its control server, and still shows the saved ones', async () => {
    const live = new FakeOperations();
    server = await startControlServer({ operations: live, token: 'tok' });
    await writeControlFile(dir, { url: server.url, token: 'tok', pid: process.pid, startedAt: new Date().toISOString() });

    const operations = await openLocalOperations(dir);
    const releases = await operations.listReleases();
    const answer = await operations.answerApproval({ releaseId: 'fw-2-4-0', answer: 'approve', by: 'cli:a', via: 'cli' });

    expect(operations.where).toContain('live pid');
    expect(releases.map((r) => [r.releaseId, r.status])).toEqual([['fw-2-4-0', 'AWAITING_APPROVAL'], ['old-1', 'PROMOTED']]);
    expect(answer.answered).toBe(true);
    expect(live.answers).toHaveLength(1);
    expect((await operations.describeRelease('old-1')).status).toBe('PROMOTED');
  });

  it('reaches two releases running at once in one state directory, each through its own process', async () => {
    const first = new FakeOperations();
    const second = new FakeOperations(seededStore([record({ releaseId: 'fw-3-0-0' })], [approvalTask({ releaseId: 'fw-3-0-0' })], []));
    server = await startControlServer({ operations: first, token: 'tok' });
    const other = await startControlServer({ operations: second, token: 'tok2' });
    try {
      // Two processes: this one and, standing in for another live process, the parent of this one.
      await writeControlFile(dir, { url: server.url, token: 'tok', pid: process.pid, startedAt: '2026-11-24T10:00:00.000Z' });
      await writeControlFile(dir, { url: other.url, token: 'tok2', pid: process.ppid, startedAt: '2026-11-24T11:00:00.000Z' });

      const operations = await openLocalOperations(dir);
      const ids = (await operations.listReleases()).map((r) => r.releaseId).sort();
      await operations.answerApproval({ releaseId: 'fw-3-0-0', answer: 'approve', by: 'cli:a', via: 'cli' });
      await operations.answerApproval({ releaseId: 'fw-2-4-0', answer: 'approve', by: 'cli:a', via: 'cli' });

      expect(ids).toEqual(['fw-2-4-0', 'fw-3-0-0', 'old-1']);
      expect(second.answers.map((a) => a.releaseId)).toEqual(['fw-3-0-0']);
      expect(first.answers.map((a) => a.releaseId)).toEqual(['fw-2-4-0']);
    } finally {
      await other.close();
      await removeControlFile(dir, process.ppid);
    }
  });

  it('follows a release that goes live, and then saved, while it stays open (a dashboard)', async () => {
    const operations = await openLocalOperations(dir);
    expect(operations.where).toBe(`embedded cloud (${dir})`);

    server = await startControlServer({ operations: new FakeOperations(), token: 'tok' });
    await writeControlFile(dir, { url: server.url, token: 'tok', pid: process.pid, startedAt: new Date().toISOString() });
    expect((await operations.describeRelease('fw-2-4-0')).status).toBe('AWAITING_APPROVAL');
    expect(operations.where).toContain('live pid');

    await server.close();
    await removeControlFile(dir);
    await saveState({ releases: [record({ releaseId: 'fw-2-4-0', status: 'PROMOTED' })], pendingTasks: [], decisions: [] }, dir);
    expect((await operations.describeRelease('fw-2-4-0')).status).toBe('PROMOTED');
    expect(operations.where).toBe(`embedded cloud (${dir})`);
  });

  it('falls back to the saved state when the live process has gone', async () => {
    server = await startControlServer({ operations: new FakeOperations(), token: 'tok' });
    await writeControlFile(dir, { url: server.url, token: 'tok', pid: process.pid, startedAt: new Date().toISOString() });
    const operations = await openLocalOperations(dir);
    await server.close();

    expect((await operations.describeRelease('fw-2-4-0')).status).toBe('IN_PROGRESS');
    expect((await operations.listReleases()).length).toBe(2);
  });
});
