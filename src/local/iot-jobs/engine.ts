// The in-memory IoT Jobs engine: jobs, their executions, rollout, abort, timeouts, retries, cancel and the
// job / job-execution events, following the documented semantics (the AWS IoT Jobs developer guide; sources in docs/embedded-cloud.md).
// Device-side changes go through `start`, `progress` and `finish`: the data plane (src/local/iot-jobs/
// local-data-plane.ts) and the simulated fleet's bulk path both land here, so both see the same rules,
// counters and events. Control-plane calls (the FleetJobs port) are in local-fleet-jobs.ts.
import type { IotJobsEvent, JobEvent, JobExecutionEvent } from '#ports/events.ts';
import type { JobSpec } from '#ports/fleet-jobs.ts';
import type { EventSource, Scheduler } from '../time/scheduler.ts';
import { firedAbortCriterion } from './abort-criteria.ts';
import { executionEvent, jobEvent } from './event-payloads.ts';
import { Exec, isTerminalCode, OPERATION_OF_CODE } from './execution-status.ts';
import { JobRecord } from './job-record.ts';
import type { ThingRegistry } from './things.ts';

/** Receives IoT Jobs events; `wants` is asked once per kind, so unwanted payloads are never built. */
export interface JobsEventSink {
  wants(eventType: 'JOB' | 'JOB_EXECUTION', operation: string): boolean;
  deliver(event: IotJobsEvent): void;
}

/** A fleet that learns about new executions in bulk instead of one notify-next message per thing. */
export interface BulkDeviceListener {
  /** Executions `from`..`to - 1` of `job` were just rolled out (QUEUED, their things notified). */
  queued(job: JobRecord, from: number, to: number): void;
  /** An execution went back to QUEUED for a retry. */
  requeued(job: JobRecord, index: number): void;
}

/** Outcome of a device-side change; `ok` or the data-plane error code the device would get. */
export type ChangeResult = 'ok' | 'ResourceNotFound' | 'InvalidStateTransition' | 'TerminalStateReached';

export type NextListener = (thing: number) => void;

const ROLLOUT_TICK_MS = 1000;
/** The execution event's operation by status code (undefined for codes no event ends with). */
const OPERATION_BY_CODE: ReadonlyArray<string | undefined> = Object.values(Exec).map((code) => OPERATION_OF_CODE[code as keyof typeof OPERATION_OF_CODE]);

export class JobsEngine implements EventSource {
  private readonly jobsById = new Map<string, JobRecord>();
  private readonly jobList: JobRecord[] = [];
  private readonly sinks: JobsEventSink[] = [];
  private readonly wanted = new Map<string, boolean>();
  /** Execution events by status code: counted and asked about per event, so by number, not by a string key. */
  private readonly executionEvents = new Float64Array(OPERATION_BY_CODE.length);
  private readonly executionWanted: Array<boolean | undefined> = [];
  private readonly jobEvents: Record<string, number> = {};
  private bulk: BulkDeviceListener | undefined;
  private readonly nextListeners = new Map<number, Set<NextListener>>();
  private eventSequence = 0;

  /** Events produced per `JOB/completed`, `JOB_EXECUTION/succeeded`, …, built or not. */
  get eventCounts(): Record<string, number> {
    const counts: Record<string, number> = { ...this.jobEvents };
    this.executionEvents.forEach((count, code) => {
      if (count > 0) counts[`JOB_EXECUTION/${OPERATION_BY_CODE[code]!}`] = count;
    });
    return counts;
  }

  constructor(
    readonly scheduler: Scheduler,
    readonly things: ThingRegistry,
  ) {
    scheduler.addSource(this);
  }

  // ── jobs ────────────────────────────────────────────────────────────────────────────────────────────────

  /** Creates a SNAPSHOT job over sorted thing indices; an existing jobId returns that job unchanged. */
  createJob(spec: JobSpec, things: Int32Array, targetArns: () => string[]): { job: JobRecord; created: boolean } {
    const existing = this.jobsById.get(spec.jobId);
    if (existing) return { job: existing, created: false };
    const job = new JobRecord(this.jobList.length, spec, things, targetArns, this.scheduler.nowMs());
    this.jobsById.set(spec.jobId, job);
    this.jobList.push(job);
    if (job.size === 0) {
      // Nothing to do: a SNAPSHOT job over no things is complete at once.
      this.complete(job);
    } else {
      this.rolloutTick(job);
    }
    return { job, created: true };
  }

  getJob(jobId: string): JobRecord | undefined {
    return this.jobsById.get(jobId);
  }

  jobs(): readonly JobRecord[] {
    return this.jobList;
  }

  /**
   * CancelJob: QUEUED executions (and IN_PROGRESS ones with force) become CANCELED; targets not yet notified get no
   * execution. Events: `cancellation_in_progress`, the executions' `canceled`, then the job's `canceled`.
   * Cancelling a completed job does nothing; cancelling a cancelled one again only adds what `force` adds.
   */
  cancelJob(jobId: string, options: { reasonCode: string; comment: string; force?: boolean }): JobRecord | undefined {
    const job = this.jobsById.get(jobId);
    if (!job || job.jobStatus === 'COMPLETED') return job;
    const force = options.force === true;
    const wasCanceled = job.jobStatus === 'CANCELED';
    if (wasCanceled && (!force || job.forceCanceled)) return job;
    const now = this.scheduler.nowMs();
    job.jobStatus = 'CANCELED';
    job.reasonCode ??= options.reasonCode;
    job.comment ??= options.comment;
    job.forceCanceled ||= force;
    job.lastUpdatedAt = now;
    if (job.rolloutTimer !== undefined) this.scheduler.cancel(job.rolloutTimer);
    job.rolloutTimer = undefined;
    if (!wasCanceled) this.emitJob(job, 'cancellation_in_progress');
    for (let index = 0; index < job.notified; index++) {
      const code = job.status[index]!;
      if (code === Exec.QUEUED || (force && code === Exec.IN_PROGRESS)) {
        job.setStatus(index, Exec.CANCELED);
        job.versionNumber[index]!++;
        job.updatedAt[index] = now;
        job.stepDeadlines.delete(index);
        this.emitExecution(job, index, Exec.CANCELED);
        this.announceNext(job.things[index]!);
      }
    }
    if (!wasCanceled) {
      job.completedAt = now;
      this.emitJob(job, 'canceled');
    }
    return job;
  }

  // ── device-side changes ─────────────────────────────────────────────────────────────────────────────────

  /** QUEUED → IN_PROGRESS (StartNext, or an update to IN_PROGRESS); IN_PROGRESS stays, with new details. */
  start(job: JobRecord, index: number, details?: Readonly<Record<string, string>>, stepTimeoutInMinutes?: number): ChangeResult {
    const code = job.status[index]!;
    if (code === Exec.NONE) return 'ResourceNotFound';
    if (isTerminalCode(code)) return 'InvalidStateTransition';
    const now = this.scheduler.nowMs();
    if (code === Exec.QUEUED) {
      job.setStatus(index, Exec.IN_PROGRESS);
      job.startedAt[index] = now;
      const timeoutMinutes = job.spec.timeoutConfig?.inProgressTimeoutInMinutes;
      if (timeoutMinutes) job.pushTimeout(now + timeoutMinutes * 60_000, index, job.retryAttempt[index]!);
    }
    if (details) job.details[index] = details;
    job.versionNumber[index]!++;
    job.updatedAt[index] = now;
    if (stepTimeoutInMinutes !== undefined) this.setStepTimer(job, index, stepTimeoutInMinutes);
    // QUEUED → IN_PROGRESS changes the pending list (jobs/notify) and may change which execution is next.
    if (code === Exec.QUEUED && this.nextListeners.size > 0) this.announceNext(job.things[index]!);
    return 'ok';
  }

  /** An IN_PROGRESS update with new statusDetails (a step of the agent). */
  progress(job: JobRecord, index: number, details: Readonly<Record<string, string>>): ChangeResult {
    return this.start(job, index, details);
  }

  /** The device reports SUCCEEDED, FAILED or REJECTED. FAILED may be retried (jobExecutionsRetryConfig). */
  finish(job: JobRecord, index: number, code: typeof Exec.SUCCEEDED | typeof Exec.FAILED | typeof Exec.REJECTED, details?: Readonly<Record<string, string>>): ChangeResult {
    const current = job.status[index]!;
    if (current === Exec.NONE) return 'ResourceNotFound';
    if (isTerminalCode(current)) return 'InvalidStateTransition';
    if (details) job.details[index] = details;
    this.end(job, index, code);
    return 'ok';
  }

  // ── subscriptions ───────────────────────────────────────────────────────────────────────────────────────

  addEventSink(sink: JobsEventSink): () => void {
    this.sinks.push(sink);
    this.forgetWanted();
    return () => {
      const at = this.sinks.indexOf(sink);
      if (at >= 0) this.sinks.splice(at, 1);
      this.forgetWanted();
    };
  }

  setBulkListener(listener: BulkDeviceListener | undefined): void {
    this.bulk = listener;
  }

  /** Called with the thing index whenever which execution is next for that thing may have changed. */
  onNextChanged(thing: number, listener: NextListener): () => void {
    let set = this.nextListeners.get(thing);
    if (!set) this.nextListeners.set(thing, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.nextListeners.delete(thing);
    };
  }

  /** A thing's pending and finished executions across jobs, oldest job first. */
  executionsOf(thing: number): Array<{ job: JobRecord; index: number }> {
    const found: Array<{ job: JobRecord; index: number }> = [];
    for (const job of this.jobList) {
      const index = job.indexOfThing(thing);
      if (index >= 0 && job.status[index] !== Exec.NONE) found.push({ job, index });
    }
    return found;
  }

  /** StartNext's choice: an IN_PROGRESS execution first, then the oldest QUEUED one. */
  nextFor(thing: number): { job: JobRecord; index: number } | undefined {
    let queued: { job: JobRecord; index: number } | undefined;
    for (const entry of this.executionsOf(thing)) {
      const code = entry.job.status[entry.index]!;
      if (code === Exec.IN_PROGRESS) return entry;
      if (code === Exec.QUEUED && (!queued || entry.job.queuedAt[entry.index]! < queued.job.queuedAt[queued.index]!)) queued = entry;
    }
    return queued;
  }

  // ── timeouts (the engine is an event source on the shared clock) ────────────────────────────────────────

  nextTime(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const job of this.jobList) {
      const time = job.nextTimeout();
      if (time < earliest) earliest = time;
    }
    return earliest;
  }

  runNext(): void {
    let due: JobRecord | undefined;
    for (const job of this.jobList) if (!due || job.nextTimeout() < due.nextTimeout()) due = job;
    // nextTimeout has dropped stale entries (a later retry, a finished execution): the head is live, if any.
    if (!due || due.nextTimeout() === Number.POSITIVE_INFINITY) return;
    const index = due.timeoutIndex[due.timeoutHead++]!;
    this.end(due, index, Exec.TIMED_OUT);
  }

  // ── internals ───────────────────────────────────────────────────────────────────────────────────────────

  private rolloutTick(job: JobRecord): void {
    job.rolloutTimer = undefined;
    if (job.jobStatus !== 'IN_PROGRESS') return;
    const allowed = Math.min(job.size, job.rollout.allowedBy(job.rolloutSecond, job.notified, job.counts[Exec.SUCCEEDED]!));
    if (allowed > job.notified) {
      const from = job.notified;
      const now = this.scheduler.nowMs();
      for (let index = from; index < allowed; index++) {
        job.setStatus(index, Exec.QUEUED);
        job.queuedAt[index] = now;
        job.updatedAt[index] = now;
        job.versionNumber[index] = 1;
      }
      job.notified = allowed;
      job.lastUpdatedAt = now;
      this.bulk?.queued(job, from, allowed);
      if (this.nextListeners.size > 0) for (let index = from; index < allowed; index++) this.announceNext(job.things[index]!);
    }
    if (job.notified < job.size) {
      job.rolloutSecond++;
      job.rolloutTimer = this.scheduler.at(job.createdAt + job.rolloutSecond * ROLLOUT_TICK_MS, () => this.rolloutTick(job));
    }
  }

  private end(job: JobRecord, index: number, code: number): void {
    const now = this.scheduler.nowMs();
    job.stepDeadlines.delete(index);
    job.updatedAt[index] = now;
    job.versionNumber[index]!++;
    if ((code === Exec.FAILED || code === Exec.TIMED_OUT) && this.retryAllowed(job, index, code)) {
      // Retried: back to QUEUED for another attempt. The execution has not ended, so no terminal event.
      job.retryAttempt[index]!++;
      if (code === Exec.FAILED) job.retriesFailed[index]!++;
      else job.retriesTimedOut[index]!++;
      job.setStatus(index, Exec.QUEUED);
      job.queuedAt[index] = now;
      this.bulk?.requeued(job, index);
      this.announceNext(job.things[index]!);
      return;
    }
    job.setStatus(index, code);
    job.lastUpdatedAt = now;
    this.emitExecution(job, index, code);
    this.announceNext(job.things[index]!);
    if (job.jobStatus !== 'IN_PROGRESS') return;
    if (code !== Exec.SUCCEEDED) this.checkAbort(job);
    if (job.jobStatus === 'IN_PROGRESS' && job.allTerminal()) this.complete(job);
  }

  /** Retries: per failure type up to numberOfRetries; `ALL` counts both types together; 10 at most overall. */
  private retryAllowed(job: JobRecord, index: number, code: number): boolean {
    const criteria = job.spec.jobExecutionsRetryConfig?.criteriaList;
    if (!criteria || job.jobStatus !== 'IN_PROGRESS') return false;
    const type = code === Exec.FAILED ? 'FAILED' : 'TIMED_OUT';
    const used = code === Exec.FAILED ? job.retriesFailed[index]! : job.retriesTimedOut[index]!;
    const total = job.retryAttempt[index]!;
    if (total >= 10) return false;
    const own = criteria.find((c) => c.failureType === type);
    if (own) return used < own.numberOfRetries;
    const all = criteria.find((c) => c.failureType === 'ALL');
    return all !== undefined && total < all.numberOfRetries;
  }

  private checkAbort(job: JobRecord): void {
    const c = job.counts;
    const fired = firedAbortCriterion(job.spec.abortConfig, {
      succeeded: c[Exec.SUCCEEDED]!,
      failed: c[Exec.FAILED]!,
      rejected: c[Exec.REJECTED]!,
      timedOut: c[Exec.TIMED_OUT]!,
    });
    if (!fired) return;
    this.cancelJob(job.jobId, {
      reasonCode: 'ABORT_CRITERIA_MET',
      comment: `${fired.failureType} executions above ${fired.thresholdPercentage}% after at least ${fired.minNumberOfExecutedThings} executed`,
    });
  }

  private complete(job: JobRecord): void {
    const now = this.scheduler.nowMs();
    job.jobStatus = 'COMPLETED';
    job.completedAt = now;
    job.lastUpdatedAt = now;
    this.emitJob(job, 'completed');
  }

  private setStepTimer(job: JobRecord, index: number, minutes: number): void {
    if (minutes === -1) {
      job.stepDeadlines.delete(index);
      return;
    }
    const deadline = this.scheduler.nowMs() + minutes * 60_000;
    job.stepDeadlines.set(index, deadline);
    const attempt = job.retryAttempt[index]!;
    this.scheduler.at(deadline, () => {
      if (job.stepDeadlines.get(index) !== deadline || job.retryAttempt[index] !== attempt) return;
      if (job.status[index] === Exec.IN_PROGRESS) this.end(job, index, Exec.TIMED_OUT);
    });
  }

  private announceNext(thing: number): void {
    const listeners = this.nextListeners.get(thing);
    if (!listeners) return;
    for (const listener of [...listeners]) listener(thing);
  }

  private forgetWanted(): void {
    this.wanted.clear();
    this.executionWanted.length = 0;
  }

  private wants(eventType: 'JOB' | 'JOB_EXECUTION', operation: string): boolean {
    const key = `${eventType}/${operation}`;
    let wanted = this.wanted.get(key);
    if (wanted === undefined) {
      wanted = this.sinks.some((sink) => sink.wants(eventType, operation));
      this.wanted.set(key, wanted);
    }
    return wanted;
  }

  private emitExecution(job: JobRecord, index: number, code: number): void {
    const operation = OPERATION_BY_CODE[code] as JobExecutionEvent['operation'];
    const sequence = ++this.eventSequence;
    this.executionEvents[code]!++;
    const wanted = (this.executionWanted[code] ??= this.wants('JOB_EXECUTION', operation));
    if (!wanted) return;
    const arn = this.things.thingArn(this.things.nameOf(job.things[index]!));
    this.deliver(executionEvent(job, index, operation, arn, sequence, this.scheduler.nowMs()));
  }

  private emitJob(job: JobRecord, operation: JobEvent['operation']): void {
    const sequence = ++this.eventSequence;
    this.jobEvents[`JOB/${operation}`] = (this.jobEvents[`JOB/${operation}`] ?? 0) + 1;
    if (!this.wants('JOB', operation)) return;
    this.deliver(jobEvent(job, operation, sequence, this.scheduler.nowMs()));
  }

  private deliver(event: IotJobsEvent): void {
    for (const sink of this.sinks) if (sink.wants(event.eventType, event.operation)) sink.deliver(event);
  }
}

