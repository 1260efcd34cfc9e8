// What a stage's job has done so far, in the words of IoT Jobs' jobProcessDetails.
// Aggregates (executed, failures, coverage) are derived from these counts, never stored beside them.

export interface StageCounts {
  /** Things the stage was meant to reach (the sampled wave or the groups' members at creation). */
  targeted: number;
  succeeded: number;
  failed: number;
  rejected: number;
  timedOut: number;
  inProgress: number;
  queued: number;
  canceled: number;
  removed: number;
}

export const ZERO_COUNTS: StageCounts = Object.freeze({
  targeted: 0, succeeded: 0, failed: 0, rejected: 0, timedOut: 0, inProgress: 0, queued: 0, canceled: 0, removed: 0,
});

/** Executions that reached a verdict of their own: succeeded, failed, rejected or timed out. */
export function executedOf(counts: StageCounts): number {
  return counts.succeeded + counts.failed + counts.rejected + counts.timedOut;
}
