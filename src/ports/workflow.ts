// The workflow engine seen from outside: callbacks for waiting tasks, and starting or stopping executions.
// AWS: Step Functions (@aws-sdk/client-sfn). Local: the runner that executes statemachines/staged-release.asl.json.
import type { ReleaseRequest } from '#domain/release-request.ts';

export interface WorkflowCallbacks {
  /** SendTaskSuccess. Throws TaskClosedError or InvalidTokenError (ports/errors.ts), never an SDK error. */
  succeed(token: string, output: unknown): Promise<void>;
  /** SendTaskFailure with an error name the ASL catches (e.g. `ApprovalRejected`). */
  fail(token: string, error: string, cause: string): Promise<void>;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ReleaseWorkflow {
  /** Starts the execution named by the release id; a second start of the same release is harmless. */
  start(request: ReleaseRequest): Promise<{ executionId: string; alreadyStarted: boolean }>;
  describe(releaseId: string): Promise<{ status: ExecutionStatus; error?: string; cause?: string } | undefined>;
  /** StopExecution; the release is then rolled back or marked aborted by the caller. */
  stop(releaseId: string, reason: string): Promise<void>;
}
