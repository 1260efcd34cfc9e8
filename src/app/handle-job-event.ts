// on-job-event: an IoT Jobs event relayed through EventBridge. Delivery is at-least-once and unordered, so it is
// de-duplicated on the IoT eventId; then, if a bake waits on the event's job and the job completed, was cancelled,
// or its failures are already decisive, the bake ends now. Ending a bake early is only ever a shortcut: when an event
// is lost or dropped, the bake's own timeout still brings the stage to its verdict.
import type { IotJobsEvent } from '#ports/events.ts';
import { TaskClosedError } from '#ports/errors.ts';
import type { Ports } from '#ports/index.ts';
import { type BakeEndReason, earlyBakeEnd } from './bake-end.ts';

export type HandleJobEventPorts = Pick<Ports, 'store' | 'jobs' | 'callbacks' | 'clock'>;

/** How long an event id is remembered: well past any redelivery (EventBridge retries for at most 24 hours). */
export const EVENT_DEDUP_SECONDS = 7 * 86_400;

export const JobEventOutcome = {
  DUPLICATE: 'duplicate',
  /** No bake waits on this job (another release's job, a rollback job, or the bake already ended). */
  NOT_WAITING: 'not-waiting',
  STILL_BAKING: 'still-baking',
  BAKE_ENDED: 'bake-ended',
  /** Someone else ended the bake between our read and our take, or the workflow closed it. */
  LATE: 'late',
} as const;
export type JobEventOutcome = (typeof JobEventOutcome)[keyof typeof JobEventOutcome];

export interface HandleJobEventResult {
  outcome: JobEventOutcome;
  jobId: string;
  releaseId?: string;
  reason?: BakeEndReason;
}

export async function handleJobEvent(ports: HandleJobEventPorts, event: IotJobsEvent): Promise<HandleJobEventResult> {
  if (!(await ports.store.markEventSeen(event.eventId, EVENT_DEDUP_SECONDS))) return { outcome: JobEventOutcome.DUPLICATE, jobId: event.jobId };
  try {
    return await endBakeIfDecided(ports, event);
  } catch (error) {
    // The event was not handled: forget it, so the redelivery (Lambda's async retries, EventBridge's) is not dropped
    // as a duplicate. Losing it would let a decisive failure go unnoticed until the bake times out.
    await ports.store.forgetEvent(event.eventId);
    throw error;
  }
}

async function endBakeIfDecided(ports: HandleJobEventPorts, event: IotJobsEvent): Promise<HandleJobEventResult> {
  const { jobId } = event;
  const task = await ports.store.findPendingTaskByJob(jobId);
  if (!task || task.kind !== 'bake') return { outcome: JobEventOutcome.NOT_WAITING, jobId };
  const { releaseId } = task;
  const record = await ports.store.getRelease(releaseId);
  const stage = record?.stages.find((s) => s.index === task.stageIndex);
  if (!record || !stage) return { outcome: JobEventOutcome.NOT_WAITING, jobId, releaseId };

  const snapshot = await ports.jobs.describeJob(jobId);
  // Only the first wait of a stage ends on completion; an extension is waiting for time (see bake-end.ts).
  const judged = (await ports.store.listDecisions(releaseId)).some((d) => d.kind === 'verdict' && d.stageIndex === stage.index);
  const reason = earlyBakeEnd(snapshot, stage.targeted, record.request.health, !judged);
  if (!reason) return { outcome: JobEventOutcome.STILL_BAKING, jobId, releaseId };
  if (!(await ports.store.takePendingTask(releaseId, 'bake', task.token))) return { outcome: JobEventOutcome.LATE, jobId, releaseId };
  try {
    await ports.callbacks.succeed(task.token, { reason });
  } catch (error) {
    if (error instanceof TaskClosedError) return { outcome: JobEventOutcome.LATE, jobId, releaseId };
    throw error;
  }
  return { outcome: JobEventOutcome.BAKE_ENDED, jobId, releaseId, reason };
}
