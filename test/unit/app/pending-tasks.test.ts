import { dropPendingTasks } from '#app/pending-tasks.ts';
import { approvalTask, seededStore } from '../operator/support.ts';

describe('dropPendingTasks', () => {
  it('removes the bake and the approval task of the release, and no other release', async () => {
    const store = seededStore([], [approvalTask(), approvalTask({ kind: 'bake', token: 'bake-0' }), approvalTask({ releaseId: 'fw-other' })]);

    await dropPendingTasks(store, 'fw-2-4-0');

    expect(await store.getPendingTask('fw-2-4-0', 'approval')).toBeUndefined();
    expect(await store.getPendingTask('fw-2-4-0', 'bake')).toBeUndefined();
    expect(await store.getPendingTask('fw-other', 'approval')).toBeDefined();
  });

  it('ends quietly when an answer takes the task between its read and its take', async () => {
    const store = seededStore([], [approvalTask()]);
    const racing = {
      getPendingTask: store.getPendingTask.bind(store),
      takePendingTask: async (releaseId: string, kind: 'bake' | 'approval', token: string) => {
        await store.takePendingTask(releaseId, kind, token); // the answer got there first
        return store.takePendingTask(releaseId, kind, token);
      },
    };

    await expect(dropPendingTasks(racing, 'fw-2-4-0')).resolves.toBeUndefined();
    expect(await store.getPendingTask('fw-2-4-0', 'approval')).toBeUndefined();
  });
});
