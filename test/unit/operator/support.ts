// In-test fakes of the ports the operator use cases touch, and release fixtures. The store is the project's own
// in-memory adapter, seeded; the fakes are a job table, a workflow that records what it was asked, a notifier.
import { sequentialTest } from '#domain/sequential-test.ts';
import type { DecisionRecord, Judgement } from '#domain/decision.ts';
import { isIotComment } from '#domain/iot-text.ts';
import { ReleaseRequest, type ReleaseRequestInput } from '#domain/release-request.ts';
import { ZERO_COUNTS, type StageCounts } from '#domain/stage-counts.ts';
import type { ReleaseStatus } from '#domain/status.ts';
import { MemoryReleaseStore } from '#local/adapters/memory-release-store.ts';
import type { Clock } from '#ports/clock.ts';
import { NotFoundError } from '#ports/errors.ts';
import type { FleetJobs, JobSnapshot } from '#ports/fleet-jobs.ts';
import type { Notifier, ReleaseNotice } from '#ports/notifier.ts';
import type { PendingTask, ReleaseRecord, ReleaseStore } from '#ports/release-store.ts';
import type { ExecutionStatus, ReleaseWorkflow } from '#ports/workflow.ts';

export const T0 = '2026-11-24T10:00:00.000Z';

export function request(overrides: Partial<ReleaseRequestInput> = {}): ReleaseRequest {
  return ReleaseRequest.parse({
    releaseId: 'fw-2-4-0',
    product: 'gateway',
    firmware: { version: '2.4.0', previousVersion: '2.3.1', source: { file: 'firmware.bin' } },
    fleet: { thingGroups: ['gateways'] },
    stages: [
      { name: 'canary', targets: { percent: 1 }, bake: '2h', approval: 'manual' },
      { name: 'wave', targets: { percent: 20 }, bake: '1h' },
      { name: 'all', targets: { percent: 100 }, bake: '30m' },
    ],
    ...overrides,
  } satisfies ReleaseRequestInput);
}

export function record(overrides: Partial<ReleaseRecord> = {}): ReleaseRecord {
  return {
    releaseId: 'fw-2-4-0',
    request: request(),
    status: 'AWAITING_APPROVAL',
    stageIndex: 0,
    stages: [{ index: 0, name: 'canary', jobId: 'fw-2-4-0-s0', targeted: 100, createdAt: T0 }],
    rollbackJobIds: [],
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function counts(partial: Partial<StageCounts>): StageCounts {
  return { ...ZERO_COUNTS, ...partial };
}

export function judgement(verdict: Judgement['verdict'], partial: Partial<StageCounts> = { targeted: 100, succeeded: 97, failed: 3 }): Judgement {
  const c = counts(partial);
  const executed = c.succeeded + c.failed + c.rejected + c.timedOut;
  const failures = c.failed + c.rejected + c.timedOut;
  return {
    verdict,
    rules: [],
    reasons: [`failure rate ${((failures / Math.max(executed, 1)) * 100).toFixed(1)} % needs a person`],
    evidence: {
      counts: c,
      executed,
      failures,
      failureRate: failures / Math.max(executed, 1),
      confidence: 0.95,
      maxFailureRate: 0.02,
      unacceptableFailureRate: 0.04,
      sequential: sequentialTest(failures, executed, { maxFailureRate: 0.02, unacceptableFailureRate: 0.04, confidence: 0.95 }),
      coverage: executed / Math.max(c.targeted, 1),
      timeoutRate: c.timedOut / Math.max(executed, 1),
      bakedSeconds: 7200,
    },
  };
}

export function verdictRecord(stageIndex: number, verdict: Judgement['verdict'], at: string, partial?: Partial<StageCounts>): DecisionRecord {
  return { kind: 'verdict', releaseId: 'fw-2-4-0', stageIndex, stageName: ['canary', 'wave', 'all'][stageIndex]!, at, judgement: judgement(verdict, partial), route: verdict === 'HOLD' ? 'approve' : 'promote', extensionsUsed: 0 };
}

export function approvalTask(overrides: Partial<PendingTask> = {}): PendingTask {
  return { releaseId: 'fw-2-4-0', kind: 'approval', stageIndex: 0, token: 'token-0', createdAt: '2026-11-24T12:00:00.000Z', expiresAt: '2026-11-25T12:00:00.000Z', ...overrides };
}

/** The project's in-memory ReleaseStore adapter, seeded with the given records, pending tasks and decisions. */
export function seededStore(records: ReleaseRecord[] = [], tasks: PendingTask[] = [], decisions: DecisionRecord[] = [], clock: Clock = fixedClock()): MemoryReleaseStore {
  const store = new MemoryReleaseStore(clock);
  store.restore({ releases: records, pendingTasks: tasks, decisions });
  return store;
}

export class FakeJobs implements FleetJobs {
  readonly jobs = new Map<string, JobSnapshot>();
  readonly canceled: { jobId: string; reasonCode: string; force: boolean; comment: string }[] = [];

  set(jobId: string, partial: Partial<StageCounts>, status: JobSnapshot['status'] = 'IN_PROGRESS'): this {
    this.jobs.set(jobId, { jobId, status, counts: counts(partial) });
    return this;
  }
  async createJob(): Promise<{ jobId: string; created: boolean }> {
    throw new Error('not used by operator use cases');
  }
  async describeJob(jobId: string) {
    const job = this.jobs.get(jobId);
    if (!job) throw new NotFoundError(`no job ${jobId}`);
    return job;
  }
  /** As IoT answers: an unknown job is ResourceNotFound, a comment outside `[^\p{C}]+` (≤ 2,028) is refused. */
  async cancelJob(jobId: string, options: { reasonCode: string; comment: string; force?: boolean }) {
    if (!isIotComment(options.comment)) throw new Error(`InvalidRequestException: comment ${JSON.stringify(options.comment)}`);
    const job = this.jobs.get(jobId);
    if (!job) throw new NotFoundError(`no job ${jobId}`);
    this.canceled.push({ jobId, reasonCode: options.reasonCode, force: options.force ?? false, comment: options.comment });
    this.jobs.set(jobId, { ...job, status: 'CANCELED' });
  }
  async *listExecutions() {}
  async *listThingsInGroups() {}
  readonly deletedGroups: string[] = [];
  async countThings() {
    return 0;
  }
  async ensureDynamicGroup() {
    return { ready: true };
  }
  async deleteDynamicGroup(name: string) {
    this.deletedGroups.push(name);
  }
}

export class FakeWorkflow implements ReleaseWorkflow {
  readonly stopped: string[] = [];
  /** `null`: no execution under the release's name. */
  constructor(private status: ExecutionStatus | null = 'RUNNING') {}
  async start(_request: ReleaseRequest) {
    return { executionId: 'exec', alreadyStarted: false };
  }
  async describe() {
    return this.status ? { status: this.status } : undefined;
  }
  async stop(releaseId: string, _reason?: string) {
    if (!this.status) throw new NotFoundError(`no execution ${releaseId}`);
    this.stopped.push(releaseId);
    this.status = 'ABORTED';
  }
}

export class RecordingNotifier implements Notifier {
  readonly notices: ReleaseNotice[] = [];
  async approvalRequested() {}
  async releaseEvent(notice: ReleaseNotice) {
    this.notices.push(notice);
  }
}

export const fixedClock = (iso = '2026-11-24T13:00:00.000Z') => ({ now: () => new Date(iso) });

export async function statusOf(store: ReleaseStore, releaseId = 'fw-2-4-0'): Promise<ReleaseStatus | undefined> {
  return (await store.getRelease(releaseId))?.status;
}
