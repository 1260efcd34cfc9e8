// In-test fakes of the ports the operator use cases touch, and release fixtures. Small and honest: a Map-backed
// store with the single-use semantics of the port, a job table, a workflow that records what it was asked.
import type { DecisionRecord, Judgement } from '#domain/decision.ts';
import { ReleaseRequest, type ReleaseRequestInput } from '#domain/release-request.ts';
import { ZERO_COUNTS, type StageCounts } from '#domain/stage-counts.ts';
import type { ReleaseStatus } from '#domain/status.ts';
import { NotFoundError } from '#ports/errors.ts';
import type { FleetJobs, JobSnapshot } from '#ports/fleet-jobs.ts';
import type { Notifier, ReleaseNotice } from '#ports/notifier.ts';
import type { PendingTask, ReleaseRecord, ReleaseStore, WaitKind } from '#ports/release-store.ts';
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
    reasons: [`failure rate ${((failures / Math.max(executed, 1)) * 100).toFixed(1)} % needs a person`],
    evidence: {
      counts: c,
      executed,
      failures,
      failureRate: failures / Math.max(executed, 1),
      lower: 0.01,
      upper: 0.08,
      confidence: 0.95,
      maxFailureRate: 0.02,
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

export class MemoryStore implements ReleaseStore {
  readonly releases = new Map<string, ReleaseRecord>();
  readonly tasks = new Map<string, PendingTask>();
  readonly decisions: DecisionRecord[] = [];
  readonly nonces = new Set<string>();

  constructor(records: ReleaseRecord[] = [], tasks: PendingTask[] = [], decisions: DecisionRecord[] = []) {
    for (const r of records) this.releases.set(r.releaseId, structuredClone(r));
    for (const t of tasks) this.tasks.set(`${t.releaseId}/${t.kind}`, t);
    this.decisions.push(...decisions);
  }

  async createRelease(r: ReleaseRecord) {
    const known = this.releases.get(r.releaseId);
    if (known) return { record: known, created: false };
    this.releases.set(r.releaseId, structuredClone(r));
    return { record: r, created: true };
  }
  async getRelease(releaseId: string) {
    const known = this.releases.get(releaseId);
    return known && structuredClone(known);
  }
  async updateRelease(releaseId: string, change: (current: ReleaseRecord) => ReleaseRecord) {
    const known = this.releases.get(releaseId);
    if (!known) throw new NotFoundError(`no release ${releaseId}`);
    const next = change(structuredClone(known));
    this.releases.set(releaseId, next);
    return next;
  }
  async listReleases() {
    return [...this.releases.values()].map((r) => structuredClone(r));
  }
  async putPendingTask(task: PendingTask) {
    this.tasks.set(`${task.releaseId}/${task.kind}`, task);
  }
  async getPendingTask(releaseId: string, kind: WaitKind) {
    return this.tasks.get(`${releaseId}/${kind}`);
  }
  async findPendingTaskByJob(jobId: string) {
    return [...this.tasks.values()].find((t) => t.jobId === jobId);
  }
  async takePendingTask(releaseId: string, kind: WaitKind, token: string) {
    const key = `${releaseId}/${kind}`;
    if (this.tasks.get(key)?.token !== token) return false;
    this.tasks.delete(key);
    return true;
  }
  async appendDecision(decision: DecisionRecord) {
    this.decisions.push(decision);
  }
  async listDecisions(releaseId: string) {
    return this.decisions.filter((d) => d.releaseId === releaseId);
  }
  async markEventSeen(eventId: string) {
    if (this.nonces.has(`event/${eventId}`)) return false;
    this.nonces.add(`event/${eventId}`);
    return true;
  }
  async forgetEvent(eventId: string) {
    this.nonces.delete(`event/${eventId}`);
  }
  async useNonce(nonce: string) {
    if (this.nonces.has(nonce)) return false;
    this.nonces.add(nonce);
    return true;
  }
}

export class FakeJobs implements FleetJobs {
  readonly jobs = new Map<string, JobSnapshot>();
  readonly canceled: { jobId: string; reasonCode: string; force: boolean }[] = [];

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
  async cancelJob(jobId: string, options: { reasonCode: string; comment: string; force?: boolean }) {
    this.canceled.push({ jobId, reasonCode: options.reasonCode, force: options.force ?? false });
    const job = this.jobs.get(jobId);
    if (job) this.jobs.set(jobId, { ...job, status: 'CANCELED' });
  }
  async *listExecutions() {}
  async *listThingsInGroups() {}
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

export function statusOf(store: MemoryStore, releaseId = 'fw-2-4-0'): ReleaseStatus | undefined {
  return store.releases.get(releaseId)?.status;
}
