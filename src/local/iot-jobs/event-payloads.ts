// The `$aws/events/job/...` and `$aws/events/jobExecution/...` payloads, field for field as documented
// (developerguide/events-jobs.md). Built only when some consumer wants that kind of event.
import type { JobEvent, JobExecutionEvent } from '#ports/events.ts';
import type { JobRecord } from './job-record.ts';
import { Exec } from './execution-status.ts';

/** Deterministic, UUID-shaped event ids: reproducible runs, and a redelivered event keeps its id. */
export function eventIdFor(sequence: number): string {
  const hex = sequence.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/** Event `timestamp` is in seconds in the documented examples (1234567890); the *At fields are milliseconds. */
function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

export function jobEvent(job: JobRecord, operation: JobEvent['operation'], sequence: number, nowMs: number): JobEvent {
  const base: JobEvent = {
    eventType: 'JOB',
    eventId: eventIdFor(sequence),
    timestamp: seconds(nowMs),
    operation,
    jobId: job.jobId,
    status: operation === 'completed' ? 'COMPLETED' : operation.toUpperCase(),
    targetSelection: job.spec.targetSelection,
    targets: job.targetArns(),
    description: job.spec.description,
    createdAt: job.createdAt,
    lastUpdatedAt: job.lastUpdatedAt,
  };
  if (operation === 'completed') {
    // The documented `completed` example carries these five counters only.
    const c = job.counts;
    return {
      ...base,
      completedAt: job.completedAt ?? nowMs,
      jobProcessDetails: {
        numberOfCanceledThings: c[Exec.CANCELED]!,
        numberOfRejectedThings: c[Exec.REJECTED]!,
        numberOfFailedThings: c[Exec.FAILED]!,
        numberOfRemovedThings: c[Exec.REMOVED]!,
        numberOfSucceededThings: c[Exec.SUCCEEDED]!,
      },
    };
  }
  return { ...base, comment: job.comment ?? '' };
}

export function executionEvent(
  job: JobRecord,
  index: number,
  operation: JobExecutionEvent['operation'],
  thingArn: string,
  sequence: number,
  nowMs: number,
): JobExecutionEvent {
  const event: JobExecutionEvent = {
    eventType: 'JOB_EXECUTION',
    eventId: eventIdFor(sequence),
    timestamp: seconds(nowMs),
    operation,
    jobId: job.jobId,
    thingArn,
    status: operation.toUpperCase(),
  };
  const details = job.details[index];
  if (details) event.statusDetails = { ...details };
  return event;
}
