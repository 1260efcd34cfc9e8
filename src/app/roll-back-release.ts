// Rollback: cancel every stage job of the release (QUEUED executions), then send the previous version to the devices
// that took the new one (SUCCEEDED, IN_PROGRESS ones that may still finish installing it, and TIMED_OUT ones that may
// have installed it before going quiet) in one rollback job,
// `<releaseId>-rb<stage>` — by name when they are few, else by wave (stage-targets.ts) — then delete the release's wave
// groups. Every step is idempotent and O(stages) calls, so the state machine can retry this as often as it needs.
import type { DecisionRecord } from '#domain/decision.ts';
import type { SignedFirmware } from '#domain/firmware.ts';
import { toJobConfigs } from '#domain/iot-configs.ts';
import { iotComment } from '#domain/iot-text.ts';
import { buildJobDocument } from '#domain/job-document.ts';
import { isTerminal } from '#domain/status.ts';
import type { FirmwareStore } from '#ports/firmware.ts';
import type { JobTargets } from '#ports/fleet-jobs.ts';
import type { Ports } from '#ports/index.ts';
import type { ReleaseRecord, StageRecord } from '#ports/release-store.ts';
import type { Outcome } from './decide-outcome.ts';
import { isoNow, moveTo, newReleaseRecord, rollbackJobId, withStage } from './release-record.ts';
import { dropPendingTasks } from './pending-tasks.ts';
import { removeWaveGroups, rollbackTargets } from './stage-targets.ts';
import { NextStep, type StepResult, type WorkflowState } from './workflow-state.ts';

export type RollBackReleasePorts = Pick<Ports, 'jobs' | 'store' | 'notifier' | 'clock'> & { firmware: Pick<FirmwareStore, 'documentUrl'> };
type Rollback = Extract<Outcome, { action: 'rollback' }>;

/** A rollback job reaches its devices fast, and is never aborted: giving up would leave them on the bad version. */
const ROLLBACK_RATE_PER_MINUTE = 1000;

export async function rollBackRelease(ports: RollBackReleasePorts, state: WorkflowState, outcome: Rollback): Promise<StepResult> {
  const { request } = state;
  const { releaseId } = request;
  const stageIndex = state.stage?.index ?? state.stageIndex;
  const ended: StepResult = { next: NextStep.ROLLED_BACK, nextStageIndex: stageIndex };
  const { record: existing } = await ports.store.createRelease(newReleaseRecord(request, isoNow(ports.clock)));
  // Ended already (a retry after success, or an old release whose id was reused): touch nothing.
  if (isTerminal(existing.status)) return ended;

  const record = await ports.store.updateRelease(releaseId, (current) => moveTo(current, 'ROLLING_BACK', isoNow(ports.clock)));
  const exposed = exposedStages(record, state);
  const jobIds = exposed.map((stage) => stage.jobId);
  const comment = iotComment(`ota-release rollback: ${outcome.reason}`);
  for (const jobId of jobIds) await ports.jobs.cancelJob(jobId, { reasonCode: outcome.reasonCode, comment });
  const { targets, tookIt } = await rollbackTargets(ports, request, exposed);
  const firmware = state.firmware ?? record.firmware;
  const rollbackJob = targets && firmware ? await createRollbackJob(ports, state, firmware, targets, tookIt, stageIndex) : undefined;
  // The rollback job's targets are resolved now that it exists (SNAPSHOT): the release's wave groups can go.
  await removeWaveGroups(ports, request);

  const now = isoNow(ports.clock);
  const updated = await ports.store.updateRelease(releaseId, (current) => {
    if (current.status === 'ROLLED_BACK') return current;
    let next = moveTo(current, 'ROLLED_BACK', now);
    for (const stage of current.stages) {
      if (!stage.closedAt) next = withStage(next, { ...stage, closedAt: now, outcome: 'rolled-back' });
    }
    const rollbackJobIds = rollbackJob && !next.rollbackJobIds.includes(rollbackJob) ? [...next.rollbackJobIds, rollbackJob] : next.rollbackJobIds;
    return { ...next, rollbackJobIds };
  });
  await dropPendingTasks(ports.store, releaseId);

  const stageName = request.stages[stageIndex]?.name ?? `stage ${stageIndex + 1}`;
  const at = updated.updatedAt;
  const base = { releaseId, stageIndex, stageName, ...(state.stage && { jobId: state.stage.jobId }), at };
  const decisions: DecisionRecord[] = [];
  if (state.approval?.answer === 'timeout') decisions.push({ ...base, kind: 'approval', answer: 'timeout', by: 'policy', via: 'timeout', comment: 'the policy rejects on timeout' });
  decisions.push({
    ...base,
    kind: 'action',
    action: 'rollback',
    reason: outcome.reason,
    detail: { reasonCode: outcome.reasonCode, canceledJobIds: jobIds, rollbackJobId: rollbackJob ?? null, devices: tookIt, rollbackTargets: targets?.things ? 'things' : targets ? 'waves' : 'none' },
  });
  for (const decision of decisions) await ports.store.appendDecision(decision);
  const sent = rollbackJob ? `${tookIt} devices sent back to ${request.firmware.previousVersion} (${rollbackJob})` : 'no device had taken the new version';
  await ports.notifier.releaseEvent({ releaseId, kind: 'rolled-back', summary: `${releaseId} rolled back at stage ${stageName} (${outcome.reasonCode}): ${outcome.reason}; ${sent}` });
  return ended;
}

/** Every stage that made a job, from the record and from the state (a job made just before a failure). */
function exposedStages(record: ReleaseRecord, state: WorkflowState): StageRecord[] {
  const stages = record.stages.filter((stage) => stage.targeted > 0);
  const current = state.stage;
  if (current && current.targeted > 0 && !stages.some((stage) => stage.jobId === current.jobId)) {
    stages.push({ index: current.index, name: current.name, jobId: current.jobId, targeted: current.targeted, createdAt: record.updatedAt });
  }
  return stages;
}

async function createRollbackJob(ports: RollBackReleasePorts, state: WorkflowState, firmware: SignedFirmware, targets: JobTargets, tookIt: number, stageIndex: number): Promise<string> {
  const { request } = state;
  const jobId = rollbackJobId(request.releaseId, stageIndex);
  const firmwareUrl = firmware.rollback ? ports.firmware.documentUrl(firmware.rollback.location) : '';
  const { text } = buildJobDocument(request, firmware, { firmwareUrl }, 'rollback');
  const configs = toJobConfigs(request, stageIndex);
  await ports.jobs.createJob({
    jobId,
    targets,
    document: text,
    description: `ota-release ${request.releaseId}: roll ${tookIt} devices back from ${firmware.version} to ${request.firmware.previousVersion}`,
    targetSelection: 'SNAPSHOT',
    jobExecutionsRolloutConfig: { maximumPerMinute: ROLLBACK_RATE_PER_MINUTE },
    // IoT wants at least one abort criterion; "more than 100 % failed" can never be met (thresholds are strict).
    abortConfig: { criteriaList: [{ failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 100, minNumberOfExecutedThings: 1 }] },
    timeoutConfig: configs.timeoutConfig,
    ...(configs.jobExecutionsRetryConfig && { jobExecutionsRetryConfig: configs.jobExecutionsRetryConfig }),
  });
  return jobId;
}
