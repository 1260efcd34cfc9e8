// Promote: close the stage as promoted and go on to the next one, or finish the release (and delete its wave groups:
// the jobs' SNAPSHOT targets were resolved when they were made). The stage's job keeps running: its remaining devices
// still update (coverage was enough to judge, not necessarily 100 %).
import type { DecisionRecord } from '#domain/decision.ts';
import type { Ports } from '#ports/index.ts';
import { InvalidTaskInputError } from './errors.ts';
import { moveTo, withStage } from './release-record.ts';
import { removeWaveGroups } from './stage-targets.ts';
import { NextStep, type StepResult, type WorkflowState } from './workflow-state.ts';

export type PromoteStagePorts = Pick<Ports, 'store' | 'notifier' | 'clock' | 'jobs'>;

export async function promoteStage(ports: PromoteStagePorts, state: WorkflowState, reason: string): Promise<StepResult> {
  const { request, stage } = state;
  if (!stage) throw new InvalidTaskInputError('PromoteOrRollback', ['stage: a promotion needs the stage it promotes']);
  const { releaseId } = request;
  const isLast = stage.index >= request.stages.length - 1;
  const now = ports.clock.now().toISOString();

  const updated = await ports.store.updateRelease(releaseId, (current) => {
    const existing = current.stages.find((s) => s.index === stage.index);
    if (existing?.outcome === 'promoted') return current; // a retried step: done already
    // Keep what the stage record already says (how its devices were chosen, above all): a rollback later reads it to
    // reach only the waves' devices.
    const closed = { ...existing, index: stage.index, name: stage.name, jobId: stage.jobId, targeted: stage.targeted, createdAt: existing?.createdAt ?? now, closedAt: now, outcome: 'promoted' as const };
    return withStage(moveTo(current, isLast ? 'PROMOTED' : 'IN_PROGRESS', now), closed);
  });
  // Decisions carry the time the stage closed, so a retry writes the same records again (same keys), not new ones.
  const at = updated.stages.find((s) => s.index === stage.index)?.closedAt ?? now;
  const base = { releaseId, stageIndex: stage.index, stageName: stage.name, jobId: stage.jobId, at };
  const decisions: DecisionRecord[] = [];
  if (state.approval?.answer === 'timeout') {
    decisions.push({ ...base, kind: 'approval', answer: 'timeout', by: 'policy', via: 'timeout', comment: 'the policy approves on timeout' });
  }
  decisions.push({ ...base, kind: 'action', action: 'promote', reason });
  if (isLast) decisions.push({ ...base, kind: 'action', action: 'complete', reason: `all ${request.stages.length} stages promoted` });
  for (const decision of decisions) await ports.store.appendDecision(decision);

  if (isLast) {
    await removeWaveGroups(ports, request);
    await ports.notifier.releaseEvent({ releaseId, kind: 'promoted', summary: `${releaseId}: ${request.firmware.version} promoted through all ${request.stages.length} stages` });
    return { next: NextStep.RELEASE_COMPLETE, nextStageIndex: stage.index };
  }
  await ports.notifier.releaseEvent({ releaseId, kind: 'stage-promoted', summary: `${releaseId}: stage ${stage.name} promoted (${reason}); next ${request.stages[stage.index + 1]?.name}` });
  return { next: NextStep.NEXT_STAGE, nextStageIndex: stage.index + 1 };
}
