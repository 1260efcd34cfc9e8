// Ending a release whose process was killed (SIGKILL, crash, power cut): it is saved at its last step, not terminal,
// and nothing runs it. The embedded cloud cannot resume it: its workflow, simulated fleet and jobs lived in that
// process and ended with it. `abort` ends it cleanly instead: under the release's lock (so a run that restarts it
// meanwhile is never overwritten), the same abort use case as a live release, over the saved record, with nothing
// left to stop or cancel, written durably.
import { type AbortInput, type AbortResult, abortRelease } from '#app/abort-release.ts';
import { systemClock } from '#ports/clock.ts';
import type { FleetJobs } from '#ports/fleet-jobs.ts';
import type { ReleaseWorkflow } from '#ports/workflow.ts';
import { DurableReleaseStore } from '../adapters/durable-release-store.ts';
import type { ReleaseStoreSnapshot } from '../adapters/memory-release-store.ts';
import { ReleaseLockedError } from '../errors.ts';
import { acquireReleaseLock } from '../release-lock.ts';
import { loadState } from '../state-dir.ts';
import { ReadOnlyStateError } from '#operator/errors.ts';

export async function abortInterrupted(stateDir: string, input: AbortInput): Promise<AbortResult> {
  let lock;
  try {
    lock = await acquireReleaseLock(stateDir, input.releaseId);
  } catch (error) {
    if (!(error instanceof ReleaseLockedError)) throw error;
    throw new ReadOnlyStateError(`${error.message}; it serves no control API (run without --approve external), so stop that process to end it`);
  }
  try {
    // Read again under the lock: what the last run saved is what gets aborted.
    const store = new DurableReleaseStore(systemClock, stateDir);
    store.restore(only(await loadState(stateDir), input.releaseId));
    const gone = async () => {};
    // The use case stops the workflow, cancels open jobs and deletes the waves' dynamic thing groups: here all of them
    // went with the process (only these are called).
    const jobs = { cancelJob: gone, deleteDynamicGroup: gone } as unknown as FleetJobs;
    const workflow = { stop: gone } as unknown as ReleaseWorkflow;
    const result = await abortRelease({ store, jobs, workflow, notifier: { approvalRequested: gone, releaseEvent: gone }, clock: systemClock }, { ...input, processGone: true });
    if (result.outcome !== 'aborted' || result.status === 'FAILED') return result;
    return { ...result, message: `${input.releaseId} aborted; its process had stopped, and its embedded jobs ended with it (nothing left to cancel)`, canceledJobIds: [] };
  } finally {
    await lock.release();
  }
}

function only(state: ReleaseStoreSnapshot, releaseId: string): ReleaseStoreSnapshot {
  return {
    releases: state.releases.filter((r) => r.releaseId === releaseId),
    pendingTasks: state.pendingTasks.filter((t) => t.releaseId === releaseId),
    decisions: state.decisions.filter((d) => d.releaseId === releaseId),
  };
}
