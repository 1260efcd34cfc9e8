// The operator's view of one release: the record, each stage with its live counts from IoT Jobs, every verdict with
// its evidence, the decision history and what the workflow is waiting for. `status`, the dashboard and `--json` all
// show this one shape, so it is plain data (serialisable as JSON, no Dates, no classes).
import type { DecisionRecord, Judgement, Route } from '#domain/decision.ts';
import { type StageTarget, stageTarget } from '#domain/release-request.ts';
import { formatLimit } from '#domain/percent.ts';
import { executedOf, type StageCounts } from '#domain/stage-counts.ts';
import { type ReleaseStatus, isTerminal } from '#domain/status.ts';
import type { Clock } from '#ports/clock.ts';
import { NotFoundError } from '#ports/errors.ts';
import type { FleetJobs, JobStatus } from '#ports/fleet-jobs.ts';
import type { PendingTask, ReleaseRecord, ReleaseStore, StageRecord } from '#ports/release-store.ts';
import type { ExecutionStatus, ReleaseWorkflow } from '#ports/workflow.ts';

export const StageState = {
  /** Not reached yet. */
  PENDING: 'pending',
  /** Its job is rolling out or baking, or it waits for a decision. */
  ACTIVE: 'active',
  PROMOTED: 'promoted',
  ROLLED_BACK: 'rolled-back',
  CANCELED: 'canceled',
} as const;
export type StageState = (typeof StageState)[keyof typeof StageState];

/** Where a stage's counts came from: IoT Jobs now, or the evidence of its latest verdict (the job is not reachable). */
export type CountsSource = 'live' | 'last-verdict' | 'none';

export interface VerdictView {
  at: string;
  verdict: Judgement['verdict'];
  route: Route;
  reasons: string[];
  evidence: Judgement['evidence'];
  /** The health gates at that verdict, when the release has gates. */
  gates?: Judgement['gates'];
  extensionsUsed: number;
}

export interface StageView {
  index: number;
  name: string;
  /** How the stage picks devices, e.g. `5 %` or `groups: lab, beta`. */
  targets: string;
  bakeSeconds: number;
  approval: 'auto' | 'manual';
  state: StageState;
  jobId?: string;
  jobStatus?: JobStatus;
  counts?: StageCounts;
  countsSource: CountsSource;
  /** When live counts were read (on the release's clock): the dashboard plots them over time between verdicts. */
  countsAt?: string;
  /** executed / targeted, 0..1 (1 when nothing was targeted). */
  progress: number;
  latestVerdict?: VerdictView;
  createdAt?: string;
  closedAt?: string;
}

export interface WaitView {
  kind: PendingTask['kind'];
  stageIndex: number;
  stageName: string;
  since: string;
  expiresAt: string;
  /** For an approval: the verdict the operator is asked to look at (the latest one of that stage). */
  evidence?: VerdictView;
}

/**
 * How to read a release's times. Absent: real times. `simulated`: the release runs in the embedded cloud, whose clock
 * starts at the real time the release started (createdAt) and then runs simulated time (a 2 h bake in milliseconds),
 * so every later time is a point on that simulated timeline, shown as time since the start, never as a date.
 */
export type ReleaseClock = 'simulated';

export interface ReleaseView {
  releaseId: string;
  clock?: ReleaseClock;
  product: string;
  version: string;
  previousVersion: string;
  status: ReleaseStatus;
  stageIndex: number;
  createdAt: string;
  updatedAt: string;
  executionId?: string;
  execution?: { status: ExecutionStatus; error?: string; cause?: string };
  stages: StageView[];
  waitingFor?: WaitView;
  rollbackJobs: { jobId: string; jobStatus?: JobStatus; counts?: StageCounts }[];
  decisions: DecisionRecord[];
}

export interface DescribeReleasePorts {
  store: ReleaseStore;
  /** Absent (or failing) when the job engine is not reachable, e.g. a saved local state directory. */
  jobs?: Pick<FleetJobs, 'describeJob'>;
  workflow?: ReleaseWorkflow;
  /** When given, live counts carry the time they were read (StageView.countsAt). */
  clock?: Clock;
}

/** Throws NotFoundError when there is no such release. */
export async function describeRelease(ports: DescribeReleasePorts, releaseId: string): Promise<ReleaseView> {
  const record = await ports.store.getRelease(releaseId);
  if (!record) throw new NotFoundError(`no release named ${releaseId}`);
  const [decisions, approvalTask, bakeTask, execution] = await Promise.all([
    ports.store.listDecisions(releaseId),
    ports.store.getPendingTask(releaseId, 'approval'),
    ports.store.getPendingTask(releaseId, 'bake'),
    describeExecution(ports.workflow, releaseId),
  ]);
  const verdicts = latestVerdicts(decisions);
  const readAt = ports.clock?.now().toISOString();
  const stages = await Promise.all(record.request.stages.map((_, index) => stageView(ports.jobs, record, index, verdicts.get(index), readAt)));
  const rollbackJobs = await Promise.all(
    record.rollbackJobIds.map(async (jobId) => {
      const live = await liveJob(ports.jobs, jobId);
      return { jobId, ...(live && { jobStatus: live.status, counts: live.counts }) };
    }),
  );
  // A task left behind by an execution that has ended (the workflow's last bake token, say) is not a wait any more.
  const task = isTerminal(record.status) ? undefined : (approvalTask ?? bakeTask);
  return {
    releaseId: record.releaseId,
    product: record.request.product,
    version: record.request.firmware.version,
    previousVersion: record.request.firmware.previousVersion,
    status: record.status,
    stageIndex: record.stageIndex,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
    ...(record.executionId !== undefined && { executionId: record.executionId }),
    ...(execution && { execution }),
    stages,
    ...(task && { waitingFor: waitView(record, task, verdicts.get(task.stageIndex)) }),
    rollbackJobs,
    decisions: [...decisions].sort((a, b) => a.at.localeCompare(b.at)),
  };
}

function latestVerdicts(decisions: DecisionRecord[]): Map<number, VerdictView> {
  const byStage = new Map<number, VerdictView>();
  for (const decision of decisions) {
    if (decision.kind !== 'verdict') continue;
    const known = byStage.get(decision.stageIndex);
    if (known && known.at > decision.at) continue;
    const { verdict, reasons, evidence, gates } = decision.judgement;
    byStage.set(decision.stageIndex, { at: decision.at, verdict, route: decision.route, reasons, evidence, ...(gates ? { gates } : {}), extensionsUsed: decision.extensionsUsed });
  }
  return byStage;
}

async function stageView(jobs: Pick<FleetJobs, 'describeJob'> | undefined, record: ReleaseRecord, index: number, verdict: VerdictView | undefined, readAt: string | undefined): Promise<StageView> {
  const stage = record.request.stages[index]!;
  const stored: StageRecord | undefined = record.stages.find((candidate) => candidate.index === index);
  const live = stored ? await liveJob(jobs, stored.jobId) : undefined;
  const counts = live?.counts ?? verdict?.evidence.counts;
  const targeted = counts?.targeted ?? stored?.targeted ?? 0;
  return {
    index,
    name: stage.name,
    targets: targetText(stageTarget(stage.targets)),
    bakeSeconds: stage.bake,
    approval: stage.approval,
    state: stageState(record, stored),
    ...(stored && { jobId: stored.jobId, createdAt: stored.createdAt }),
    ...(stored?.closedAt !== undefined && { closedAt: stored.closedAt }),
    ...(live && { jobStatus: live.status }),
    ...(counts && { counts }),
    countsSource: live ? 'live' : counts ? 'last-verdict' : 'none',
    ...(live && readAt !== undefined && { countsAt: readAt }),
    progress: counts ? (targeted === 0 ? 1 : Math.min(1, executedOf(counts) / targeted)) : 0,
    ...(verdict && { latestVerdict: verdict }),
  };
}

function stageState(record: ReleaseRecord, stored: StageRecord | undefined): StageState {
  if (!stored) return StageState.PENDING;
  if (stored.outcome === 'promoted') return StageState.PROMOTED;
  if (stored.outcome === 'rolled-back') return StageState.ROLLED_BACK;
  if (stored.outcome === 'canceled') return StageState.CANCELED;
  // A release that ended PROMOTED closed every stage it ran, whatever the stage records say.
  if (record.status === 'PROMOTED') return StageState.PROMOTED;
  return StageState.ACTIVE;
}

function waitView(record: ReleaseRecord, task: PendingTask, verdict: VerdictView | undefined): WaitView {
  return {
    kind: task.kind,
    stageIndex: task.stageIndex,
    stageName: record.request.stages[task.stageIndex]?.name ?? `stage ${task.stageIndex + 1}`,
    since: task.createdAt,
    expiresAt: task.expiresAt,
    ...(task.kind === 'approval' && verdict && { evidence: verdict }),
  };
}

/** The job as IoT Jobs sees it now; undefined when there is no engine to ask or it no longer knows the job. */
async function liveJob(jobs: Pick<FleetJobs, 'describeJob'> | undefined, jobId: string) {
  if (!jobs) return undefined;
  try {
    return await jobs.describeJob(jobId);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

async function describeExecution(workflow: ReleaseWorkflow | undefined, releaseId: string) {
  if (!workflow) return undefined;
  try {
    return await workflow.describe(releaseId);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

function targetText(target: StageTarget): string {
  return target.kind === 'percent' ? `${formatLimit(target.percent / 100)}` : `groups: ${target.thingGroups.join(', ')}`;
}
