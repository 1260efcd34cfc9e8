// Reports one job execution's progress with optimistic concurrency: every update carries expectedVersion and the
// versionNumber the last accepted update returned. A VersionMismatch whose execution is still live means our view was
// stale (a lost reply, a restart): adopt the cloud's version and send again. A terminal execution ends the work.
import { JobGoneError, JobsRejectedError, JobsTimeoutError, SimulatedCrash } from './errors.ts';
import type { DeviceUpdateStatus, JobsClient } from './jobs-client.ts';

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED', 'REMOVED']);
const GONE_CODES = new Set(['TerminalStateReached', 'InvalidStateTransition', 'ResourceNotFound', 'VersionMismatch']);
const ATTEMPTS = 4;

export class ExecutionReporter {
  private progressChain: Promise<void> = Promise.resolve();
  private pendingProgress: Record<string, string> | undefined;
  private progressFailure: unknown;

  constructor(
    private readonly jobs: JobsClient,
    readonly jobId: string,
    readonly executionNumber: number,
    public versionNumber: number,
    private readonly stepTimeoutInMinutes?: number,
  ) {}

  /** Sends one status update; throws JobGoneError when the execution is no longer ours to update. */
  async report(status: DeviceUpdateStatus, statusDetails: Record<string, string>): Promise<void> {
    await this.flush();
    await this.send(status, statusDetails);
  }

  /**
   * Queues an IN_PROGRESS update without waiting for it: the latest one wins when several pile up, so a fast download
   * cannot flood the broker (AWS IoT allows 100 publishes/s per connection).
   */
  progress(statusDetails: Record<string, string>): void {
    const idle = this.pendingProgress === undefined;
    this.pendingProgress = statusDetails;
    if (!idle) return;
    this.progressChain = this.progressChain.then(async () => {
      const details = this.pendingProgress;
      this.pendingProgress = undefined;
      if (!details || this.progressFailure) return;
      await this.send('IN_PROGRESS', details).catch((error: unknown) => {
        // A lost progress update is no reason to stop a download (the broker may be reconnecting); a job that is gone is.
        if (!(error instanceof JobsTimeoutError)) this.progressFailure = error;
      });
    });
  }

  /** Throws at once if a queued progress update already found the job gone, so a cancelled download stops early. */
  throwIfFailed(): void {
    if (this.progressFailure) throw this.progressFailure;
  }

  /** Waits for queued progress; rethrows what it met (a job that went away mid-download, for one). */
  async flush(): Promise<void> {
    await this.progressChain;
    if (this.progressFailure) throw this.progressFailure;
  }

  private async send(status: DeviceUpdateStatus, statusDetails: Record<string, string>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const response = await this.jobs.update(this.jobId, {
          status,
          statusDetails,
          expectedVersion: this.versionNumber,
          executionNumber: this.executionNumber,
          includeJobExecutionState: true,
          ...(status === 'IN_PROGRESS' && this.stepTimeoutInMinutes !== undefined ? { stepTimeoutInMinutes: this.stepTimeoutInMinutes } : {}),
        });
        this.versionNumber = response.executionState?.versionNumber ?? this.versionNumber + 1;
        return;
      } catch (error) {
        if (error instanceof SimulatedCrash) throw error;
        if (attempt >= ATTEMPTS) throw error;
        if (error instanceof JobsTimeoutError) continue;
        if (!(error instanceof JobsRejectedError)) throw error;
        if (error.code === 'VersionMismatch') {
          const state = error.executionState ?? (await this.jobs.describe(this.jobId, { executionNumber: this.executionNumber, includeJobDocument: false }));
          if (state && state.status !== undefined && !TERMINAL.has(state.status) && state.versionNumber !== undefined) {
            this.versionNumber = state.versionNumber;
            continue;
          }
        }
        if (GONE_CODES.has(error.code)) {
          throw new JobGoneError(`job ${this.jobId} is no longer open: ${error.message}`, { cause: error });
        }
        throw error;
      }
    }
  }
}
