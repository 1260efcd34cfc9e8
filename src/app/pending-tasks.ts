// A release that ends (rolled back, aborted) leaves no wait behind: its execution will never answer a bake or approval
// token again, and a task left in the store would show in `status` as a wait that cannot end.
import type { ReleaseStore } from '#ports/release-store.ts';

/**
 * Removes the release's pending bake and approval tasks. A task someone takes between the read and the take (an answer
 * racing the end) is gone either way: takePendingTask then returns false, which is fine here.
 */
export async function dropPendingTasks(store: Pick<ReleaseStore, 'getPendingTask' | 'takePendingTask'>, releaseId: string): Promise<void> {
  for (const kind of ['bake', 'approval'] as const) {
    const task = await store.getPendingTask(releaseId, kind);
    if (task) await store.takePendingTask(releaseId, kind, task.token);
  }
}
