// The IoT Jobs device-side API (the MQTT `$aws/things/{thing}/jobs/...` operations) as the in-memory engine offers it.
// The fleet simulator calls it directly; the MQTT bridge (aedes) maps topics onto it for real agents.
// Shapes follow the documented MQTT payloads (docs/embedded-cloud.md cites them); times here are epoch milliseconds,
// and the MQTT bridge sends epoch seconds, as IoT Core does.
import type { UpdateExecutionRequest } from '#device/jobs-client.ts';
import type { ExecutionStatus } from '#ports/fleet-jobs.ts';

export interface JobExecutionState {
  jobId: string;
  thingName: string;
  status: ExecutionStatus;
  statusDetails?: Record<string, string>;
  queuedAt: number;
  startedAt?: number;
  lastUpdatedAt: number;
  versionNumber: number;
  executionNumber: number;
  /** Present when asked for (start-next, get, update with includeJobDocument): the document with presigned URLs filled in. */
  jobDocument?: string;
}

export type DataPlaneErrorCode =
  | 'InvalidRequest'
  | 'InvalidStateTransition'
  | 'ResourceNotFound'
  | 'VersionMismatch'
  | 'TerminalStateReached'
  | 'InternalError';

/** The documented ErrorResponse of a `/rejected` topic. */
export interface DataPlaneError {
  code: DataPlaneErrorCode;
  message: string;
  executionState?: Pick<JobExecutionState, 'status' | 'statusDetails' | 'versionNumber'>;
}

export type DataPlaneResult<T> = { ok: true; value: T } | { ok: false; error: DataPlaneError };

/** UpdateJobExecution's request: the payload a device sends, defined once beside the agent that sends it. */
export type UpdateRequest = UpdateExecutionRequest;

/** JobExecutionsChanged: the thing's pending executions by status, IN_PROGRESS first, 10 at most in all. */
export interface PendingChanged {
  jobs: { IN_PROGRESS?: JobExecutionState[]; QUEUED?: JobExecutionState[] };
  timestamp: number;
}

export interface JobsDataPlane {
  /** GetPendingJobExecutions: `{ inProgressJobs, queuedJobs }` summaries, at most 10 each. */
  getPending(thingName: string): DataPlaneResult<{ inProgressJobs: JobExecutionState[]; queuedJobs: JobExecutionState[] }>;
  /** StartNextPendingJobExecution: IN_PROGRESS first, then the oldest QUEUED (switched to IN_PROGRESS); none → undefined. */
  startNext(thingName: string, request: { statusDetails?: Record<string, string>; stepTimeoutInMinutes?: number }): DataPlaneResult<JobExecutionState | undefined>;
  /** DescribeJobExecution; `jobId` may be `$next`. */
  describe(thingName: string, jobId: string, request: { executionNumber?: number; includeJobDocument?: boolean }): DataPlaneResult<JobExecutionState | undefined>;
  /** UpdateJobExecution; a stale expectedVersion gives VersionMismatch with the current state. */
  update(thingName: string, jobId: string, request: UpdateRequest): DataPlaneResult<{ executionState?: JobExecutionState; jobDocument?: string }>;
  /**
   * NextJobExecutionChanged: called with `{ execution, timestamp }` (execution absent when nothing is pending)
   * whenever *which* execution is next for the thing changes. Returns an unsubscribe function.
   */
  onNextChanged(thingName: string, listener: (message: { execution?: JobExecutionState; timestamp: number }) => void): () => void;
  /**
   * JobExecutionsChanged: called whenever the thing's list of pending executions changes (one queued, started, or
   * ended). Optional: a data plane without it publishes no `notify` messages. Returns an unsubscribe function.
   */
  onPendingChanged?(thingName: string, listener: (message: PendingChanged) => void): () => void;
}
