// EvaluateMetrics: read the stage's counters (DescribeJob: one call whatever the fleet size), judge them against
// the health policy, store the verdict with its evidence, and tell the state machine where to go.
import { JudgeRule, type Judgement, type Route, Verdict } from '#domain/decision.ts';
import { judge, routeFor } from '#domain/judge.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import { ZERO_COUNTS } from '#domain/stage-counts.ts';
import { NotFoundError } from '#ports/errors.ts';
import type { JobSnapshot } from '#ports/fleet-jobs.ts';
import type { Ports } from '#ports/index.ts';
import type { StageInfo } from './workflow-state.ts';

export type EvaluateStagePorts = Pick<Ports, 'jobs' | 'store' | 'clock'>;

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
  const counts = snapshot ? { ...snapshot.counts, targeted: stage.targeted } : ZERO_COUNTS;
  const judgement = cancelledJobRollsBack(judge(counts, request.health, { bakedSeconds, bakeSeconds: stage.bakeSeconds, extensionsUsed }), snapshot);
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
