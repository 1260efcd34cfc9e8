import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadState, saveState, stateFile } from '#local/state-dir.ts';
import type { ReleaseRecord } from '#ports/release-store.ts';

const record = (releaseId: string, status: ReleaseRecord['status']) => ({ releaseId, status, stageIndex: 0, stages: [], rollbackJobIds: [], createdAt: '', updatedAt: '' }) as unknown as ReleaseRecord;

describe('state directory', () => {
  it('gives an empty state for a directory that has none', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-state-'));
    expect(await loadState(dir)).toMatchObject({ releases: [], pendingTasks: [], decisions: [] });
  });

  it('merges saves by release id: a release saved again replaces its earlier copy, others stay', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-state-'));
    await saveState({ releases: [record('a', 'IN_PROGRESS'), record('b', 'PROMOTED')], pendingTasks: [], decisions: [] }, dir);
    await saveState({ releases: [record('a', 'ROLLED_BACK')], pendingTasks: [], decisions: [] }, dir, { a: { outcome: 'ROLLED_BACK' } });
    const state = await loadState(dir);
    expect(state.releases.map((r) => [r.releaseId, r.status]).sort()).toEqual([['a', 'ROLLED_BACK'], ['b', 'PROMOTED']]);
    expect(state.reports).toEqual({ a: { outcome: 'ROLLED_BACK' } });
  });

  it('drops the report of an earlier run when a release is saved again without one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-state-'));
    await saveState({ releases: [record('a', 'PROMOTED'), record('b', 'PROMOTED')], pendingTasks: [], decisions: [] }, dir, { a: { outcome: 'PROMOTED' }, b: { outcome: 'PROMOTED' } });
    await saveState({ releases: [record('a', 'IN_PROGRESS')], pendingTasks: [], decisions: [] }, dir);
    const state = await loadState(dir);
    expect(state.reports).toEqual({ b: { outcome: 'PROMOTED' } });
  });

  it('refuses a state file that is not JSON, saying how to recover', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ota-state-'));
    await saveState({ releases: [], pendingTasks: [], decisions: [] }, dir);
    await writeFile(stateFile(dir), '{ not json');
    await expect(loadState(dir)).rejects.toThrow('is not valid JSON; move it away to start afresh');
    expect(await readFile(stateFile(dir), 'utf8')).toBe('{ not json');
  });
});
