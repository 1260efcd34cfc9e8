// A minimal in-memory IoT Jobs data plane (the documented device-side semantics the agent relies on) and a JobsClient
// that calls it directly, so the agent's core is tested without a broker. The MQTT path is tested in test/unit/local/mqtt.
import { JobsRejectedError } from '#device/errors.ts';
import type { JobExecution, JobsClient, UpdateExecutionRequest, UpdateExecutionResponse } from '#device/jobs-client.ts';
import type { DataPlaneResult, JobExecutionState, JobsDataPlane, UpdateRequest } from '#local/iot-jobs/data-plane.ts';

const TERMINAL = ['SUCCEEDED', 'FAILED', 'REJECTED', 'TIMED_OUT', 'CANCELED', 'REMOVED'];

interface Execution extends JobExecutionState {
  document: () => string;
}

export interface RecordedUpdate {
  thingName: string;
  jobId: string;
  request: UpdateRequest;
  accepted: boolean;
}

export class FakeJobsCloud implements JobsDataPlane {
  private readonly executions = new Map<string, Execution[]>();
  private readonly listeners = new Map<string, Set<(message: { execution?: JobExecutionState; timestamp: number }) => void>>();
  readonly updates: RecordedUpdate[] = [];
  private time = 1_700_000_000_000;

  /** Queues an execution of `jobId` for the thing; `document` is called on every read, like presigned-URL substitution. */
  addJob(thingName: string, jobId: string, document: () => string): void {
    const list = this.executions.get(thingName) ?? [];
    const before = this.next(thingName);
    list.push({ jobId, thingName, status: 'QUEUED', queuedAt: this.tick(), lastUpdatedAt: this.time, versionNumber: 1, executionNumber: list.length + 1, document });
    this.executions.set(thingName, list);
    if (before === undefined) this.notify(thingName);
  }

  execution(thingName: string, jobId: string): Execution | undefined {
    return this.executions.get(thingName)?.find((execution) => execution.jobId === jobId);
  }

  /** CancelJobExecution with force: an IN_PROGRESS execution too. */
  cancel(thingName: string, jobId: string): void {
    const execution = this.execution(thingName, jobId);
    if (!execution || TERMINAL.includes(execution.status)) return;
    execution.status = 'CANCELED';
    execution.versionNumber += 1;
    this.notify(thingName);
  }

  /** Someone else (a console user, another client) updated the execution: our versionNumber goes stale. */
  bumpVersion(thingName: string, jobId: string): void {
    const execution = this.execution(thingName, jobId);
    if (execution) execution.versionNumber += 1;
  }

  /** Sends the current next execution again: a duplicate notification. */
  notify(thingName: string): void {
    const next = this.next(thingName);
    for (const listener of this.listeners.get(thingName) ?? []) listener({ ...(next ? { execution: this.view(next, true) } : {}), timestamp: this.tick() });
  }

  finalStatuses(thingName: string): Array<{ jobId: string; status: string; statusDetails?: Record<string, string> }> {
    return this.updates.filter((update) => update.thingName === thingName && update.accepted && update.request.status !== 'IN_PROGRESS').map((update) => ({ jobId: update.jobId, status: update.request.status, ...(update.request.statusDetails ? { statusDetails: update.request.statusDetails } : {}) }));
  }

  steps(thingName: string, jobId: string): string[] {
    return this.updates.filter((update) => update.thingName === thingName && update.jobId === jobId && update.accepted && update.request.status === 'IN_PROGRESS').map((update) => update.request.statusDetails?.step ?? '?');
  }

  getPending(): DataPlaneResult<{ inProgressJobs: JobExecutionState[]; queuedJobs: JobExecutionState[] }> {
    return { ok: true, value: { inProgressJobs: [], queuedJobs: [] } };
  }

  startNext(thingName: string, request: { statusDetails?: Record<string, string>; stepTimeoutInMinutes?: number }): DataPlaneResult<JobExecutionState | undefined> {
    const next = this.next(thingName);
    if (!next) return { ok: true, value: undefined };
    if (next.status === 'QUEUED') {
      next.status = 'IN_PROGRESS';
      next.startedAt = this.tick();
      next.versionNumber += 1;
      if (request.statusDetails) next.statusDetails = request.statusDetails;
    }
    return { ok: true, value: this.view(next, true) };
  }

  describe(thingName: string, jobId: string, request: { includeJobDocument?: boolean }): DataPlaneResult<JobExecutionState | undefined> {
    const execution = jobId === '$next' ? this.next(thingName) : this.execution(thingName, jobId);
    if (!execution) return { ok: false, error: { code: 'ResourceNotFound', message: `no execution of ${jobId}` } };
    return { ok: true, value: this.view(execution, request.includeJobDocument !== false) };
  }

  update(thingName: string, jobId: string, request: UpdateRequest): DataPlaneResult<{ executionState?: JobExecutionState; jobDocument?: string }> {
    const execution = this.execution(thingName, jobId);
    const record = (accepted: boolean) => this.updates.push({ thingName, jobId, request, accepted });
    if (!execution) {
      record(false);
      return { ok: false, error: { code: 'ResourceNotFound', message: `no execution of ${jobId}` } };
    }
    const state = { status: execution.status as JobExecutionState['status'], versionNumber: execution.versionNumber, ...(execution.statusDetails ? { statusDetails: execution.statusDetails } : {}) };
    if (TERMINAL.includes(execution.status)) {
      record(false);
      return { ok: false, error: { code: 'TerminalStateReached', message: `job ${jobId} is ${execution.status}`, executionState: state } };
    }
    if (request.expectedVersion !== undefined && request.expectedVersion !== execution.versionNumber) {
      record(false);
      return { ok: false, error: { code: 'VersionMismatch', message: `expected ${request.expectedVersion}, is ${execution.versionNumber}`, executionState: state } };
    }
    const before = this.next(thingName);
    record(true);
    execution.status = request.status;
    execution.versionNumber += 1;
    execution.lastUpdatedAt = this.tick();
    if (request.statusDetails) execution.statusDetails = request.statusDetails;
    if (this.next(thingName) !== before) this.notify(thingName);
    return { ok: true, value: request.includeJobExecutionState ? { executionState: this.view(execution, false) } : {} };
  }

  onNextChanged(thingName: string, listener: (message: { execution?: JobExecutionState; timestamp: number }) => void): () => void {
    const set = this.listeners.get(thingName) ?? new Set();
    set.add(listener);
    this.listeners.set(thingName, set);
    return () => set.delete(listener);
  }

  private next(thingName: string): Execution | undefined {
    const list = this.executions.get(thingName) ?? [];
    return list.find((execution) => execution.status === 'IN_PROGRESS') ?? list.find((execution) => execution.status === 'QUEUED');
  }

  private view(execution: Execution, withDocument: boolean): JobExecutionState {
    const { document, ...state } = execution;
    return { ...state, ...(withDocument ? { jobDocument: document() } : {}) };
  }

  private tick(): number {
    this.time += 1000;
    return this.time;
  }
}

/** A JobsClient straight onto a JobsDataPlane: what the MQTT client does, minus the broker. */
export class DirectJobsClient implements JobsClient {
  constructor(
    private readonly plane: JobsDataPlane,
    readonly thingName: string,
  ) {}

  async startNext(request: { statusDetails?: Record<string, string>; stepTimeoutInMinutes?: number }): Promise<JobExecution | undefined> {
    return this.unwrap(this.plane.startNext(this.thingName, request));
  }

  async describe(jobId: string, request: { executionNumber?: number; includeJobDocument?: boolean }): Promise<JobExecution | undefined> {
    return this.unwrap(this.plane.describe(this.thingName, jobId, request));
  }

  async update(jobId: string, request: UpdateExecutionRequest): Promise<UpdateExecutionResponse> {
    const result = this.plane.update(this.thingName, jobId, request);
    if (!result.ok) throw new JobsRejectedError(result.error.code, result.error.message, result.error.executionState);
    return result.value.executionState ? { executionState: result.value.executionState } : {};
  }

  onNextChanged(listener: (execution: JobExecution | undefined) => void): () => void {
    // Delivered asynchronously, as a broker would.
    return this.plane.onNextChanged(this.thingName, (message) => setImmediate(() => listener(message.execution)));
  }

  async close(): Promise<void> {}

  private unwrap(result: DataPlaneResult<JobExecutionState | undefined>): JobExecution | undefined {
    if (!result.ok) throw new JobsRejectedError(result.error.code, result.error.message, result.error.executionState);
    return result.value;
  }
}
