// One job's state: its spec, its targets, and every execution as a slot in typed arrays (struct of arrays).
// A million executions cost about 40 bytes each. Counters are kept as executions change, so DescribeJob is O(1).
import type { JobSpec, JobStatus } from '#ports/fleet-jobs.ts';
import type { StageCounts } from '#domain/stage-counts.ts';
import { Exec } from './execution-status.ts';
import { RolloutPlan } from './rollout.ts';

export class JobRecord {
  /** Executions per status code (index = Exec code). */
  readonly counts = new Int32Array(9);
  readonly status: Uint8Array;
  readonly versionNumber: Uint16Array;
  /** Retries used so far per failure type, and overall (retryAttempt). */
  readonly retriesFailed: Uint8Array;
  readonly retriesTimedOut: Uint8Array;
  readonly retryAttempt: Uint8Array;
  readonly queuedAt: Float64Array;
  readonly startedAt: Float64Array;
  readonly updatedAt: Float64Array;
  /** statusDetails per execution; shared frozen objects from the simulator, so this is an array of references. */
  readonly details: Array<Readonly<Record<string, string>> | undefined>;
  /** Step timers (rare: only real agents set them): execution index → deadline ms. */
  readonly stepDeadlines = new Map<number, number>();
  /** In-progress timeouts: FIFO of (deadline, index, attempt). Deadlines grow with start times, so no heap. */
  timeoutIndex: Int32Array;
  timeoutAttempt: Uint8Array;
  timeoutDeadline: Float64Array;
  timeoutHead = 0;
  timeoutTail = 0;

  /** Executions notified so far; targets [0, notified) have executions. */
  notified = 0;
  jobStatus: JobStatus = 'IN_PROGRESS';
  reasonCode: string | undefined;
  comment: string | undefined;
  forceCanceled = false;
  completedAt: number | undefined;
  lastUpdatedAt: number;
  readonly rollout: RolloutPlan;
  /** Whole seconds since creation at which the next rollout tick runs. */
  rolloutSecond = 0;
  rolloutTimer: number | undefined;

  constructor(
    readonly slot: number,
    readonly spec: JobSpec,
    /** Sorted thing indices (SNAPSHOT targets, resolved at creation). */
    readonly things: Int32Array,
    /** Target ARNs as given (thing or thing-group ARNs), built on demand: a sampled wave may name a million things. */
    readonly targetArns: () => string[],
    readonly createdAt: number,
  ) {
    const n = things.length;
    this.status = new Uint8Array(n);
    this.versionNumber = new Uint16Array(n);
    this.retriesFailed = new Uint8Array(n);
    this.retriesTimedOut = new Uint8Array(n);
    this.retryAttempt = new Uint8Array(n);
    this.queuedAt = new Float64Array(n);
    this.startedAt = new Float64Array(n);
    this.updatedAt = new Float64Array(n);
    this.details = new Array(n);
    // The timeout FIFO holds one entry per start; retries add more, so it grows on demand.
    const capacity = Math.max(16, Math.min(n, 1 << 16));
    this.timeoutIndex = new Int32Array(capacity);
    this.timeoutAttempt = new Uint8Array(capacity);
    this.timeoutDeadline = new Float64Array(capacity);
    this.rollout = new RolloutPlan(spec.jobExecutionsRolloutConfig);
    this.lastUpdatedAt = createdAt;
    this.counts[Exec.NONE] = n;
  }

  get jobId(): string {
    return this.spec.jobId;
  }

  get size(): number {
    return this.things.length;
  }

  /** The execution index of a thing in this job, or -1 (binary search over the sorted targets). */
  indexOfThing(thing: number): number {
    let low = 0;
    let high = this.things.length - 1;
    while (low <= high) {
      const mid = (low + high) >>> 1;
      const value = this.things[mid]!;
      if (value === thing) return mid;
      if (value < thing) low = mid + 1;
      else high = mid - 1;
    }
    return -1;
  }

  setStatus(index: number, code: number): void {
    this.counts[this.status[index]!]!--;
    this.counts[code]!++;
    this.status[index] = code;
  }

  pushTimeout(deadline: number, index: number, attempt: number): void {
    if (this.timeoutTail === this.timeoutIndex.length) this.compactOrGrowTimeouts();
    this.timeoutDeadline[this.timeoutTail] = deadline;
    this.timeoutIndex[this.timeoutTail] = index;
    this.timeoutAttempt[this.timeoutTail] = attempt;
    this.timeoutTail++;
  }

  /**
   * The earliest in-progress timeout still live. Entries whose execution has ended, or moved on to a retry, since
   * they were pushed are dropped here instead of being run as events: in a healthy rollout nearly every entry is
   * one, and running each through the shared clock cost a seventh of its events.
   */
  nextTimeout(): number {
    while (this.timeoutHead < this.timeoutTail) {
      const index = this.timeoutIndex[this.timeoutHead]!;
      if (this.status[index] === Exec.IN_PROGRESS && this.retryAttempt[index] === this.timeoutAttempt[this.timeoutHead]) return this.timeoutDeadline[this.timeoutHead]!;
      this.timeoutHead++;
    }
    return Number.POSITIVE_INFINITY;
  }

  /** True when every target has an execution and every execution has ended. */
  allTerminal(): boolean {
    const c = this.counts;
    return c[Exec.NONE] === 0 && c[Exec.QUEUED] === 0 && c[Exec.IN_PROGRESS] === 0;
  }

  stageCounts(): StageCounts {
    const c = this.counts;
    return {
      targeted: this.size,
      succeeded: c[Exec.SUCCEEDED]!,
      failed: c[Exec.FAILED]!,
      rejected: c[Exec.REJECTED]!,
      timedOut: c[Exec.TIMED_OUT]!,
      inProgress: c[Exec.IN_PROGRESS]!,
      queued: c[Exec.QUEUED]!,
      canceled: c[Exec.CANCELED]!,
      removed: c[Exec.REMOVED]!,
    };
  }

  /** DescribeJob's `jobProcessDetails`, counters named as IoT names them. */
  jobProcessDetails(): Record<string, number> {
    const c = this.counts;
    return {
      numberOfCanceledThings: c[Exec.CANCELED]!,
      numberOfSucceededThings: c[Exec.SUCCEEDED]!,
      numberOfFailedThings: c[Exec.FAILED]!,
      numberOfRejectedThings: c[Exec.REJECTED]!,
      numberOfQueuedThings: c[Exec.QUEUED]!,
      numberOfInProgressThings: c[Exec.IN_PROGRESS]!,
      numberOfRemovedThings: c[Exec.REMOVED]!,
      numberOfTimedOutThings: c[Exec.TIMED_OUT]!,
    };
  }

  private compactOrGrowTimeouts(): void {
    const live = this.timeoutTail - this.timeoutHead;
    const capacity = live * 2 > this.timeoutIndex.length ? this.timeoutIndex.length * 2 : this.timeoutIndex.length;
    const index = new Int32Array(capacity);
    const attempt = new Uint8Array(capacity);
    const deadline = new Float64Array(capacity);
    index.set(this.timeoutIndex.subarray(this.timeoutHead, this.timeoutTail));
    attempt.set(this.timeoutAttempt.subarray(this.timeoutHead, this.timeoutTail));
    deadline.set(this.timeoutDeadline.subarray(this.timeoutHead, this.timeoutTail));
    this.timeoutIndex = index;
    this.timeoutAttempt = attempt;
    this.timeoutDeadline = deadline;
    this.timeoutHead = 0;
    this.timeoutTail = live;
  }
}
