// EvaluateMetrics: read the stage's counters (DescribeJob: one call whatever the fleet size) and, when the release
// has health gates, what devices did after the update (one HealthSignals read), judge them against the health
// policy, store the verdict with its evidence, and tell the state machine where to go.
import { JudgeRule, type DecisionRecord, type Judgement, type Route, Verdict } from '#domain/decision.ts';
import type { GateResult } from '#domain/health-gates/gate-result.ts';
import { errorBudgets, evaluateGates, installTestPolicy, sum } from '#domain/health-gates/gates.ts';
import { withHealthGates } from '#domain/health-gates/with-gates.ts';
import { judge, routeFor } from '#domain/judge.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { type StageCounts, ZERO_COUNTS } from '#domain/stage-counts.ts';
import { NotFoundError } from '#ports/errors.ts';
import type { JobSnapshot } from '#ports/fleet-jobs.ts';
import type { Ports } from '#ports/index.ts';
import type { StageInfo } from './workflow-state.ts';

export type EvaluateStagePorts = Pick<Ports, 'jobs' | 'store' | 'clock' | 'health'>;

export interface EvaluateStageInput {
  request: ReleaseRequest;
  stage: StageInfo;
}

export interface EvaluateStageResult {
  judgement: Judgement;
  route: Route;
  /** Seconds to bake on when the route is `extend`; 0 otherwise (the ASL reads the field every time). */
  extendSeconds: number;
}

export async function evaluateStage(ports: EvaluateStagePorts, input: EvaluateStageInput): Promise<EvaluateStageResult> {
  const { request, stage } = input;
  const { releaseId } = request;
  const now = ports.clock.now();
  const record = await ports.store.getRelease(releaseId);
  if (!record) throw new NotFoundError(`no record of release ${releaseId}`);
  const startedAt = record.stages.find((s) => s.index === stage.index)?.createdAt;
  const bakedSeconds = startedAt ? Math.max(0, Math.floor((now.getTime() - Date.parse(startedAt)) / 1000)) : 0;
  const earlier = (await ports.store.listDecisions(releaseId)).filter((d) => d.kind === 'verdict' && d.stageIndex === stage.index);
  const extensionsUsed = earlier.filter((d) => d.kind === 'verdict' && d.judgement.countsAsExtension === true).length;

  const snapshot = stage.targeted > 0 ? await ports.jobs.describeJob(stage.jobId) : undefined;
  const jobCounts = snapshot ? { ...snapshot.counts, targeted: stage.targeted } : ZERO_COUNTS;
  const health = startedAt && request.health.gates.length > 0 ? await readHealth(ports, request, jobCounts, new Date(startedAt), now, earlier) : undefined;
  const counts = health?.counts ?? jobCounts;
  // The install test and every statistical gate share the budget for wrong rollbacks (health-gates/gates.ts).
  const installPolicy = installTestPolicy(request.health);
  const progress = { bakedSeconds, bakeSeconds: stage.bakeSeconds, extensionsUsed };
  const installJudgement = judge(counts, installPolicy, progress);
  if (health && health.reverted > 0) installJudgement.evidence.reverted = health.reverted;
  const judgement = cancelledJobRollsBack(withHealthGates(installJudgement, health?.gates ?? [], request.health, progress), snapshot);
  const route = routeFor(judgement, stage.approval);
  const extendSeconds = route === 'extend' ? Math.max(1, Math.round(judgement.extendSeconds ?? stage.bakeSeconds / 2)) : 0;

  await ports.store.appendDecision({
    kind: 'verdict',
    releaseId,
    stageIndex: stage.index,
    stageName: stage.name,
    jobId: stage.jobId,
    at: now.toISOString(),
    judgement,
    route,
    extensionsUsed,
    look: earlier.length + 1,
  });
  return { judgement, route, extendSeconds };
}

interface HealthLook {
  /** The job's counts with devices that silently rolled back moved from succeeded to failed. */
  counts: StageCounts;
  reverted: number;
  gates: GateResult[];
}

/** One HealthSignals read over the stage's time so far, and the gates judged on it. */
async function readHealth(ports: EvaluateStagePorts, request: ReleaseRequest, jobCounts: StageCounts, from: Date, now: Date, earlier: DecisionRecord[]): Promise<HealthLook> {
  const { health, firmware } = request;
  const alarmNames = health.gates.flatMap((gate) => (gate.kind === 'alarm' ? [gate.alarmName] : []));
  const reading = await ports.health.read({
    product: request.product,
    treatmentVersion: firmware.version,
    controlVersion: firmware.previousVersion,
    from,
    to: now,
    // CloudWatch's finest period for standard metrics is a minute; one report period per bucket keeps a read small.
    periodSeconds: Math.max(60, Math.ceil(health.reportEvery / 60) * 60),
    alarmNames,
  });
  // A device that said SUCCEEDED and later runs the old version again failed, whatever IoT Jobs recorded.
  const reverted = Math.min(jobCounts.succeeded, sum(reading.buckets, 'reverted'));
  const counts = { ...jobCounts, succeeded: jobCounts.succeeded - reverted, failed: jobCounts.failed + reverted };
  const succeededBefore = (secondsAgo: number) => {
    const cutoff = now.getTime() - secondsAgo * 1000;
    const look = earlier.filter((d) => d.kind === 'verdict' && Date.parse(d.at) <= cutoff).at(-1);
    return look?.kind === 'verdict' ? look.judgement.evidence.counts.succeeded + (look.judgement.evidence.reverted ?? 0) : 0;
  };
  const gates = evaluateGates(health.gates, {
    reading,
    succeeded: jobCounts.succeeded,
    succeededBefore,
    reportEverySeconds: health.reportEvery,
    maxFailureRate: health.maxFailureRate,
    unacceptableFailureRate: health.unacceptableFailureRate,
    budgets: errorBudgets(health.confidence, health.gates).gate,
  });
  return { counts, reverted, gates };
}

/**
 * A job that was cancelled (IoT's abort criteria fired, or someone cancelled it in the console) will not reach any
 * more devices, so waiting or promoting cannot be right: it rolls back, saying why.
 */
function cancelledJobRollsBack(judgement: Judgement, snapshot: JobSnapshot | undefined): Judgement {
  if (snapshot?.status !== 'CANCELED' || judgement.verdict === Verdict.ROLLBACK) return judgement;
  const code = snapshot.reasonCode ? ` (reason code ${snapshot.reasonCode})` : '';
  const { extendSeconds: _e, countsAsExtension: _c, ...rest } = judgement;
  return { ...rest, verdict: Verdict.ROLLBACK, rules: [JudgeRule.JOB_CANCELED, ...judgement.rules.filter((rule) => rule !== JudgeRule.BAKE_NOT_OVER && rule !== JudgeRule.INCONCLUSIVE)], reasons: [`the stage's job was cancelled${code} before the stage could be judged healthy`, ...judgement.reasons] };
}
