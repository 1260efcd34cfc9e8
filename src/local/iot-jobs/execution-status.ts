// Execution statuses as small integers, so a job's executions fit in one Uint8Array.
import type { ExecutionStatus } from '#ports/fleet-jobs.ts';

export const Exec = {
  /** Not rolled out yet: the thing has not been notified, and IoT Jobs has no execution for it. */
  NONE: 0,
  QUEUED: 1,
  IN_PROGRESS: 2,
  SUCCEEDED: 3,
  FAILED: 4,
  TIMED_OUT: 5,
  REJECTED: 6,
  REMOVED: 7,
  CANCELED: 8,
} as const;
export type ExecCode = (typeof Exec)[keyof typeof Exec];

export const STATUS_OF_CODE: readonly (ExecutionStatus | undefined)[] = [
  undefined, 'QUEUED', 'IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'REJECTED', 'REMOVED', 'CANCELED',
];

export const CODE_OF_STATUS: Record<ExecutionStatus, ExecCode> = {
  QUEUED: Exec.QUEUED,
  IN_PROGRESS: Exec.IN_PROGRESS,
  SUCCEEDED: Exec.SUCCEEDED,
  FAILED: Exec.FAILED,
  TIMED_OUT: Exec.TIMED_OUT,
  REJECTED: Exec.REJECTED,
  REMOVED: Exec.REMOVED,
  CANCELED: Exec.CANCELED,
};

/** The `$aws/events/jobExecution/{jobId}/{operation}` operation published when an execution ends this way. */
export const OPERATION_OF_CODE = {
  [Exec.SUCCEEDED]: 'succeeded',
  [Exec.FAILED]: 'failed',
  [Exec.TIMED_OUT]: 'timed_out',
  [Exec.REJECTED]: 'rejected',
  [Exec.REMOVED]: 'removed',
  [Exec.CANCELED]: 'canceled',
} as const;

/** Terminal: every status except QUEUED and IN_PROGRESS (and "not rolled out"). */
export function isTerminalCode(code: number): boolean {
  return code >= Exec.SUCCEEDED;
}

/** Pending: what GetPendingJobExecutions and StartNext look at. */
export function isPendingCode(code: number): boolean {
  return code === Exec.QUEUED || code === Exec.IN_PROGRESS;
}
