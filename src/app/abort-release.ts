// An operator stops a release: the workflow first (so it starts no new job behind our back), then the open stage
// jobs (QUEUED executions; IN_PROGRESS ones too with `force`) and the release's wave groups, then the record becomes ABORTED with an `abort`
// action in its history. Devices that already took the new version keep it: an abort is not a rollback (reject an
// approval, or let the judge roll back, for that). Asking twice is harmless; a one-line answer says why nothing was done.
import { iotComment } from '#domain/iot-text.ts';
import { type ReleaseStatus, isTerminal, transition } from '#domain/status.ts';
import { NotFoundError } from '#ports/errors.ts';
import type { Ports } from '#ports/index.ts';
import type { ReleaseRecord } from '#ports/release-store.ts';
import { dropPendingTasks } from './pending-tasks.ts';
import { removeWaveGroups } from './stage-targets.ts';

export const AbortOutcome = {
  /** The release was stopped now. */
  ABORTED: 'aborted',
  /** It had already ended (promoted, rolled back, aborted or failed): nothing to stop. */
  ALREADY_ENDED: 'already-ended',
  /** It is rolling back; stopping that would leave devices half way, so it is left to finish. */
  ROLLING_BACK: 'rolling-back',
  UNKNOWN_RELEASE: 'unknown-release',
} as const;
export type AbortOutcome = (typeof AbortOutcome)[keyof typeof AbortOutcome];

export interface AbortInput {
  releaseId: string;
  /** Who asks: an IAM principal or a CLI user. */
  by: string;
  reason: string;
  /** Also cancel executions that are IN_PROGRESS on devices (IoT Jobs `force`). */
  force?: boolean;
  /**
   * The process that ran the release is gone (an embedded release killed mid-run): nothing will finish a rollback it
   * was in, so a ROLLING_BACK release ends FAILED instead of being left to finish.
   */
  processGone?: boolean;
}

export interface AbortResult {
  outcome: AbortOutcome;
  /** One plain line for a person. */
  message: string;
  status?: ReleaseStatus;
  canceledJobIds: string[];
}

export type AbortPorts = Pick<Ports, 'store' | 'jobs' | 'workflow' | 'notifier' | 'clock'>;

/** IoT Jobs' reasonCode on the jobs an operator cancels. */
export const ABORT_REASON_CODE = 'OPERATOR_ABORT';

export async function abortRelease(ports: AbortPorts, input: AbortInput): Promise<AbortResult> {
  const { releaseId } = input;
  const record = await ports.store.getRelease(releaseId);
  const refusal = record ? refuse(record, input) : { outcome: AbortOutcome.UNKNOWN_RELEASE, message: `no release named ${releaseId}` };
  if (refusal) return { ...refusal, ...(record && { status: record.status }), canceledJobIds: [] };

  await stopWorkflow(ports, releaseId, input.reason);
  const at = ports.clock.now().toISOString();
  const late: { refusal?: ReturnType<typeof refuse> } = {};
  // Read the record again inside the update: the workflow may have moved on between our read and the stop.
  const updated = await ports.store.updateRelease(releaseId, (current) => {
    late.refusal = refuse(current, input);
    if (late.refusal) return current;
    return {
      ...current,
      status: transition(current.status, current.status === 'ROLLING_BACK' ? 'FAILED' : 'ABORTED'),
      updatedAt: at,
      stages: current.stages.map((stage) => (stage.closedAt ? stage : { ...stage, closedAt: at, outcome: 'canceled' as const })),
    };
  });
  if (late.refusal) return { ...late.refusal, status: updated.status, canceledJobIds: [] };

  // An empty wave made no job (create-stage-job creates none for zero targets): there is nothing to cancel, and asking
  // IoT would fail with ResourceNotFound half way through the abort, before its record and notice.
  const openJobIds = (record?.stages ?? []).filter((stage) => !stage.closedAt && stage.targeted > 0).map((stage) => stage.jobId);
  const comment = iotComment(`aborted by ${input.by}: ${input.reason}`);
  for (const jobId of openJobIds) {
    try {
      await ports.jobs.cancelJob(jobId, { reasonCode: ABORT_REASON_CODE, comment, force: input.force ?? false });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error; // never created (a step that failed before CreateJob)
    }
  }
  await removeWaveGroups(ports, updated.request);
  await dropPendingTasks(ports.store, releaseId);
  const stage = updated.request.stages[updated.stageIndex];
  await ports.store.appendDecision({
    kind: 'action',
    action: 'abort',
    releaseId,
    stageIndex: updated.stageIndex,
    stageName: stage?.name ?? `stage ${updated.stageIndex + 1}`,
    at,
    reason: input.reason,
    detail: { by: input.by, force: input.force ?? false, canceledJobIds: openJobIds },
  });
  await ports.notifier.releaseEvent({ releaseId, kind: 'aborted', summary: `${releaseId} aborted by ${input.by}: ${input.reason}` });
  const canceled = openJobIds.length === 0 ? 'no job was open' : `cancelled ${openJobIds.join(', ')}`;
  if (updated.status === 'FAILED') {
    return {
      outcome: AbortOutcome.ABORTED,
      message: `${releaseId} was rolling back when its process stopped, and nothing is left to finish that rollback; it ends FAILED`,
      status: updated.status,
      canceledJobIds: openJobIds,
    };
  }
  return { outcome: AbortOutcome.ABORTED, message: `${releaseId} aborted at stage ${stage?.name ?? updated.stageIndex + 1}; ${canceled}`, status: updated.status, canceledJobIds: openJobIds };
}

function refuse(record: ReleaseRecord, input: Pick<AbortInput, 'processGone'>): { outcome: AbortOutcome; message: string } | undefined {
  if (isTerminal(record.status)) {
    return { outcome: AbortOutcome.ALREADY_ENDED, message: `${record.releaseId} already ended ${record.status}; nothing to abort` };
  }
  if (record.status === 'ROLLING_BACK' && !input.processGone) {
    return { outcome: AbortOutcome.ROLLING_BACK, message: `${record.releaseId} is rolling back; it is left to finish so no device is left half way` };
  }
  return undefined;
}

async function stopWorkflow(ports: AbortPorts, releaseId: string, reason: string): Promise<void> {
  try {
    await ports.workflow.stop(releaseId, reason);
  } catch (error) {
    // Nothing running under that name (never started, or already stopped): the record is what is left to fix.
    if (!(error instanceof NotFoundError)) throw error;
  }
}
