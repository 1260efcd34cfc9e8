// The IoT Jobs device-side API (JobsDataPlane, data-plane.ts) over the engine: what the MQTT bridge serves to
// real agents, and what tests use to act as one device. Errors are the documented ErrorResponse codes.
import type { ExecutionStatus } from '#ports/fleet-jobs.ts';
import type { DataPlaneError, DataPlaneResult, JobExecutionState, JobsDataPlane, PendingChanged, UpdateRequest } from './data-plane.ts';
import type { JobsEngine } from './engine.ts';
import { Exec, isPendingCode, STATUS_OF_CODE } from './execution-status.ts';
import type { JobRecord } from './job-record.ts';

const MAX_PENDING_LISTED = 10;
const PRESIGNED = /\$\{aws:iot:s3-presigned-url:([^}]+)\}/g;

export class LocalDataPlane implements JobsDataPlane {
  constructor(private readonly engine: JobsEngine) {}

  getPending(thingName: string): DataPlaneResult<{ inProgressJobs: JobExecutionState[]; queuedJobs: JobExecutionState[] }> {
    const thing = this.engine.things.indexOf(thingName);
    if (thing === undefined) return ok({ inProgressJobs: [], queuedJobs: [] });
    const pending = this.engine.executionsOf(thing).filter(({ job, index }) => isPendingCode(job.status[index]!));
    const summaries = pending
      .sort((a, b) => a.job.queuedAt[a.index]! - b.job.queuedAt[b.index]!)
      .map(({ job, index }) => this.state(job, index, thingName, false));
    return ok({
      inProgressJobs: summaries.filter((s) => s.status === 'IN_PROGRESS').slice(0, MAX_PENDING_LISTED),
      queuedJobs: summaries.filter((s) => s.status === 'QUEUED').slice(0, MAX_PENDING_LISTED),
    });
  }

  startNext(thingName: string, request: { statusDetails?: Record<string, string>; stepTimeoutInMinutes?: number }): DataPlaneResult<JobExecutionState | undefined> {
    const thing = this.engine.things.indexOf(thingName);
    if (thing === undefined) return ok(undefined);
    const next = this.engine.nextFor(thing);
    if (!next) return ok(undefined);
    const detailsError = checkDetails(request.statusDetails);
    if (detailsError) return fail(detailsError);
    // "If the next pending job execution is already IN_PROGRESS, its status details don't change" (jobs-http-device-api,
    // StartNextPendingJobExecution): nor, here, does anything else about it (version, step timer).
    if (next.job.status[next.index] === Exec.QUEUED) {
      this.engine.start(next.job, next.index, request.statusDetails && { ...request.statusDetails }, request.stepTimeoutInMinutes);
    }
    return ok(this.state(next.job, next.index, thingName, true));
  }

  describe(thingName: string, jobId: string, request: { executionNumber?: number; includeJobDocument?: boolean }): DataPlaneResult<JobExecutionState | undefined> {
    const thing = this.engine.things.indexOf(thingName);
    if (jobId === '$next') {
      const next = thing === undefined ? undefined : this.engine.nextFor(thing);
      return ok(next && this.state(next.job, next.index, thingName, request.includeJobDocument !== false));
    }
    const found = thing === undefined ? undefined : this.find(thing, jobId);
    if (!found) return fail({ code: 'ResourceNotFound', message: `no execution of job ${jobId} for thing ${thingName}` });
    return ok(this.state(found.job, found.index, thingName, request.includeJobDocument !== false));
  }

  update(thingName: string, jobId: string, request: UpdateRequest): DataPlaneResult<{ executionState?: JobExecutionState; jobDocument?: string }> {
    const thing = this.engine.things.indexOf(thingName);
    const found = thing === undefined ? undefined : this.find(thing, jobId);
    if (!found) return fail({ code: 'ResourceNotFound', message: `no execution of job ${jobId} for thing ${thingName}` });
    const { job, index } = found;
    const current = this.state(job, index, thingName, false);
    if (!['IN_PROGRESS', 'SUCCEEDED', 'FAILED', 'REJECTED'].includes(request.status)) {
      return fail({ code: 'InvalidRequest', message: `a device may set IN_PROGRESS, SUCCEEDED, FAILED or REJECTED, not ${request.status}` });
    }
    const detailsError = checkDetails(request.statusDetails);
    if (detailsError) return fail(detailsError);
    if (request.expectedVersion !== undefined && request.expectedVersion !== current.versionNumber) {
      return fail({ code: 'VersionMismatch', message: `expected version ${request.expectedVersion}, current is ${current.versionNumber}`, executionState: pick(current) });
    }
    if (request.executionNumber !== undefined && request.executionNumber !== current.executionNumber) {
      return fail({ code: 'InvalidRequest', message: `execution number ${request.executionNumber} is not the current one (${current.executionNumber})` });
    }
    const details = request.statusDetails && { ...request.statusDetails };
    const result =
      request.status === 'IN_PROGRESS'
        ? this.engine.start(job, index, details, request.stepTimeoutInMinutes)
        : this.engine.finish(job, index, request.status === 'SUCCEEDED' ? Exec.SUCCEEDED : request.status === 'FAILED' ? Exec.FAILED : Exec.REJECTED, details);
    if (result !== 'ok') {
      return fail({ code: result, message: `the execution is ${current.status} and cannot become ${request.status}`, executionState: pick(current) });
    }
    const after = this.state(job, index, thingName, false);
    return ok({
      ...(request.includeJobExecutionState ? { executionState: after } : {}),
      ...(request.includeJobDocument ? { jobDocument: this.document(job) } : {}),
    });
  }

  onNextChanged(thingName: string, listener: (message: { execution?: JobExecutionState; timestamp: number }) => void): () => void {
    const thing = this.engine.things.indexOf(thingName);
    if (thing === undefined) return () => {}; // an unknown thing never has jobs
    let lastAnnounced = this.nextKey(thing);
    return this.engine.onNextChanged(thing, () => {
      const key = this.nextKey(thing);
      if (key === lastAnnounced) return;
      lastAnnounced = key;
      const next = this.engine.nextFor(thing);
      listener({
        ...(next ? { execution: this.state(next.job, next.index, thingName, true) } : {}),
        timestamp: this.engine.scheduler.nowMs(),
      });
    });
  }

  onPendingChanged(thingName: string, listener: (message: PendingChanged) => void): () => void {
    const thing = this.engine.things.indexOf(thingName);
    if (thing === undefined) return () => {};
    let lastAnnounced = this.pendingKey(thing);
    return this.engine.onNextChanged(thing, () => {
      const key = this.pendingKey(thing);
      if (key === lastAnnounced) return;
      lastAnnounced = key;
      const pending = this.pending(thing, thingName).slice(0, MAX_PENDING_LISTED);
      const inProgress = pending.filter((state) => state.status === 'IN_PROGRESS');
      const queued = pending.filter((state) => state.status === 'QUEUED');
      listener({
        jobs: { ...(inProgress.length ? { IN_PROGRESS: inProgress } : {}), ...(queued.length ? { QUEUED: queued } : {}) },
        timestamp: this.engine.scheduler.nowMs(),
      });
    });
  }

  /** The job document as a device sees it: presigned-URL placeholders replaced by the URL they wrap. */
  document(job: JobRecord): string {
    return job.spec.document.replace(PRESIGNED, (_match, url: string) => url);
  }

  /** Pending executions, IN_PROGRESS before QUEUED, each by the time it was queued (the ListNotification order). */
  private pending(thing: number, thingName: string): JobExecutionState[] {
    return this.engine
      .executionsOf(thing)
      .filter(({ job, index }) => isPendingCode(job.status[index]!))
      .sort((a, b) => b.job.status[b.index]! - a.job.status[a.index]! || a.job.queuedAt[a.index]! - b.job.queuedAt[b.index]!)
      .map(({ job, index }) => this.state(job, index, thingName, false));
  }

  private pendingKey(thing: number): string {
    return this.engine
      .executionsOf(thing)
      .filter(({ job, index }) => isPendingCode(job.status[index]!))
      .map(({ job, index }) => `${job.jobId}#${job.retryAttempt[index]}:${job.status[index]}`)
      .join(' ');
  }

  private nextKey(thing: number): string | undefined {
    const next = this.engine.nextFor(thing);
    return next && `${next.job.jobId}#${next.job.retryAttempt[next.index]}`;
  }

  private find(thing: number, jobId: string): { job: JobRecord; index: number } | undefined {
    const job = this.engine.getJob(jobId);
    if (!job) return undefined;
    const index = job.indexOfThing(thing);
    if (index < 0 || job.status[index] === Exec.NONE) return undefined;
    return { job, index };
  }

  private state(job: JobRecord, index: number, thingName: string, includeDocument: boolean): JobExecutionState {
    const details = job.details[index];
    const started = job.startedAt[index]!;
    return {
      jobId: job.jobId,
      thingName,
      status: STATUS_OF_CODE[job.status[index]!] as ExecutionStatus,
      ...(details ? { statusDetails: { ...details } } : {}),
      queuedAt: job.queuedAt[index]!,
      ...(started > 0 ? { startedAt: started } : {}),
      lastUpdatedAt: job.updatedAt[index]!,
      versionNumber: job.versionNumber[index]!,
      executionNumber: index + 1,
      ...(includeDocument ? { jobDocument: this.document(job) } : {}),
    };
  }
}

/** statusDetails: keys 1–128 of `[a-zA-Z0-9:_-]`, values 1–1,024 characters (aws-facts.md §2). */
function checkDetails(details: Record<string, string> | undefined): DataPlaneError | undefined {
  if (!details) return undefined;
  for (const [key, value] of Object.entries(details)) {
    if (!/^[a-zA-Z0-9:_-]{1,128}$/.test(key)) return { code: 'InvalidRequest', message: `statusDetails key "${key}" must be 1–128 of [a-zA-Z0-9:_-]` };
    if (typeof value !== 'string' || value.length < 1 || value.length > 1024) return { code: 'InvalidRequest', message: `statusDetails.${key} must be a string of 1–1,024 characters` };
  }
  return undefined;
}

function pick(state: JobExecutionState): DataPlaneError['executionState'] {
  return { status: state.status, ...(state.statusDetails ? { statusDetails: state.statusDetails } : {}), versionNumber: state.versionNumber };
}

function ok<T>(value: T): DataPlaneResult<T> {
  return { ok: true, value };
}

function fail<T>(error: DataPlaneError): DataPlaneResult<T> {
  return { ok: false, error };
}
