// A device-side compatibility check in front of the agent, for the devices a fault profile says reject the update
// (slow-rejects). The reference agent leaves such checks to the integrator; a gateway whose check fails reports
// REJECTED through the agent's own reporter (expectedVersion, executionNumber) on its own MQTT connection, after
// the check has taken its time. The agent behind it never sees the execution.
import { ExecutionReporter } from '#device/execution-reporter.ts';
import type { JobExecution, JobsClient, UpdateExecutionRequest, UpdateExecutionResponse } from '#device/jobs-client.ts';
import { statusDetails } from '#device/status-details.ts';

export interface CompatibilityCheck {
  /** True for an execution this device cannot take (the release's new version). */
  refuses(execution: JobExecution): boolean;
  /** Waits as long as the check takes; resolves false when the device is switched off meanwhile. */
  takeTime(): Promise<boolean>;
  runningVersion(): string;
}

export const INCOMPATIBLE = 'INCOMPATIBLE';

export class CompatibilityCheckedJobs implements JobsClient {
  constructor(
    private readonly jobs: JobsClient,
    private readonly check: CompatibilityCheck,
  ) {}

  get thingName(): string {
    return this.jobs.thingName;
  }

  /** The next execution the agent may work on: those the check refuses are rejected first. */
  async startNext(request: { statusDetails?: Record<string, string>; stepTimeoutInMinutes?: number }): Promise<JobExecution | undefined> {
    for (;;) {
      const execution = await this.jobs.startNext(request);
      if (!execution || !this.check.refuses(execution)) return execution;
      if (!(await this.check.takeTime())) return undefined;
      const reporter = new ExecutionReporter(this.jobs, execution.jobId, execution.executionNumber, execution.versionNumber);
      const details = statusDetails({ reason: INCOMPATIBLE, detail: 'the compatibility check refused this image for this hardware', runningVersion: this.check.runningVersion() });
      // A closed execution (cancelled, timed out meanwhile) refuses the report: then it is simply not ours any more.
      await reporter.report('REJECTED', details).catch(() => undefined);
    }
  }

  describe(jobId: string, request: { executionNumber?: number; includeJobDocument?: boolean }): Promise<JobExecution | undefined> {
    return this.jobs.describe(jobId, request);
  }

  update(jobId: string, request: UpdateExecutionRequest): Promise<UpdateExecutionResponse> {
    return this.jobs.update(jobId, request);
  }

  onNextChanged(listener: (execution: JobExecution | undefined) => void): () => void {
    return this.jobs.onNextChanged(listener);
  }

  close(): Promise<void> {
    return this.jobs.close();
  }
}
