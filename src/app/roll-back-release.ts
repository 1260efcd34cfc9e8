// Rollback: cancel every stage job of the release (QUEUED executions), then send the previous version to the devices
// that took the new one (SUCCEEDED, and IN_PROGRESS ones that may still finish installing it) in one rollback job,
// `<releaseId>-rb<stage>`. Every step is idempotent, so the state machine can retry this as often as it needs.
import type { DecisionRecord } from '#domain/decision.ts';
import type { SignedFirmware } from '#domain/firmware.ts';
import { toJobConfigs } from '#domain/iot-configs.ts';
import { iotComment } from '#domain/iot-text.ts';
import { buildJobDocument } from '#domain/job-document.ts';
import { isTerminal } from '#domain/status.ts';
import { NotFoundError } from '#ports/errors.ts';
import type { FirmwareStore } from '#ports/firmware.ts';
import type { Ports } from '#ports/index.ts';
import type { ReleaseRecord } from '#ports/release-store.ts';
import type { Outcome } from './decide-outcome.ts';
import { isoNow, moveTo, newReleaseRecord, rollbackJobId, withStage } from './release-record.ts';
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
  const jobIds = stageJobIds(record, state);
  for (const jobId of jobIds) {
    await ports.jobs.cancelJob(jobId, { reasonCode: outcome.reasonCode, comment: iotComment(`ota-release rollback: ${outcome.reason}`) });
  }
  const devices = await devicesThatTookTheRelease(ports, jobIds);
  const firmware = state.firmware ?? record.firmware;
  const rollbackJob = devices.length > 0 && firmware ? await createRollbackJob(ports, state, firmware, devices, stageIndex) : undefined;

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
  await dropPendingTasks(ports, releaseId);

  const stageName = request.stages[stageIndex]?.name ?? `stage ${stageIndex}`;
  const at = updated.updatedAt;
  const base = { releaseId, stageIndex, stageName, ...(state.stage && { jobId: state.stage.jobId }), at };
  const decisions: DecisionRecord[] = [];
  if (state.approval?.answer === 'timeout') decisions.push({ ...base, kind: 'approval', answer: 'timeout', by: 'policy', via: 'timeout', comment: 'the policy rejects on timeout' });
  decisions.push({
    ...base,
    kind: 'action',
    action: 'rollback',
    reason: outcome.reason,
    detail: { reasonCode: outcome.reasonCode, canceledJobIds: jobIds, rollbackJobId: rollbackJob ?? null, devices: devices.length },
  });
  for (const decision of decisions) await ports.store.appendDecision(decision);
  const sent = rollbackJob ? `${devices.length} devices sent back to ${request.firmware.previousVersion} (${rollbackJob})` : 'no device had taken the new version';
  await ports.notifier.releaseEvent({ releaseId, kind: 'rolled-back', summary: `${releaseId} rolled back at stage ${stageName} (${outcome.reasonCode}): ${outcome.reason}; ${sent}` });
  return ended;
}

/** Every stage job the release made, from its record and from the state (a job made just before a failure). */
function stageJobIds(record: ReleaseRecord, state: WorkflowState): string[] {
  const ids = record.stages.filter((stage) => stage.targeted > 0).map((stage) => stage.jobId);
  if (state.stage && state.stage.targeted > 0 && !ids.includes(state.stage.jobId)) ids.push(state.stage.jobId);
  return ids;
}

async function devicesThatTookTheRelease(ports: RollBackReleasePorts, jobIds: string[]): Promise<string[]> {
  const things = new Set<string>();
  for (const jobId of jobIds) {
    for (const status of ['SUCCEEDED', 'IN_PROGRESS'] as const) {
      try {
        for await (const execution of ports.jobs.listExecutions(jobId, status)) things.add(execution.thingName);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error; // a job that never got made has no devices
      }
    }
  }
  return [...things].sort();
}

async function createRollbackJob(ports: RollBackReleasePorts, state: WorkflowState, firmware: SignedFirmware, devices: string[], stageIndex: number): Promise<string> {
  const { request } = state;
  const jobId = rollbackJobId(request.releaseId, stageIndex);
  const firmwareUrl = firmware.rollback ? ports.firmware.documentUrl(firmware.rollback.location) : '';
  const { text } = buildJobDocument(request, firmware, { firmwareUrl }, 'rollback');
  const configs = toJobConfigs(request, stageIndex);
  await ports.jobs.createJob({
    jobId,
    targets: { things: devices },
    document: text,
    description: `ota-release ${request.releaseId}: roll ${devices.length} devices back from ${firmware.version} to ${request.firmware.previousVersion}`,
    targetSelection: 'SNAPSHOT',
    jobExecutionsRolloutConfig: { maximumPerMinute: ROLLBACK_RATE_PER_MINUTE },
    // IoT wants at least one abort criterion; "more than 100 % failed" can never be met (thresholds are strict).
    abortConfig: { criteriaList: [{ failureType: 'ALL', action: 'CANCEL', thresholdPercentage: 100, minNumberOfExecutedThings: 1 }] },
    timeoutConfig: configs.timeoutConfig,
    ...(configs.jobExecutionsRetryConfig && { jobExecutionsRetryConfig: configs.jobExecutionsRetryConfig }),
  });
  return jobId;
}

async function dropPendingTasks(ports: RollBackReleasePorts, releaseId: string): Promise<void> {
  for (const kind of ['bake', 'approval'] as const) {
    const task = await ports.store.getPendingTask(releaseId, kind);
    if (task) await ports.store.takePendingTask(releaseId, kind, task.token);
  }
}
