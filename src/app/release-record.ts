// Small helpers every use case shares for the ReleaseRecord: a new one, and a status change that tolerates the
// retry of a step that already made it.
import type { ReleaseRequest } from '#domain/release-request.ts';
import { type ReleaseStatus, transition } from '#domain/status.ts';
import type { Clock } from '#ports/clock.ts';
import type { ReleaseRecord, StageRecord } from '#ports/release-store.ts';

export function newReleaseRecord(request: ReleaseRequest, at: string): ReleaseRecord {
  return { releaseId: request.releaseId, request, status: 'STARTED', stageIndex: 0, stages: [], rollbackJobIds: [], createdAt: at, updatedAt: at };
}

/** `record` in `status`; already there is fine (a retried step), anything the transition table forbids throws. */
export function moveTo(record: ReleaseRecord, status: ReleaseStatus, at: string): ReleaseRecord {
  if (record.status === status) return record;
  return { ...record, status: transition(record.status, status), updatedAt: at };
}

/** Inserts or replaces the record of stage `stage.index`, keeping the stages in index order. */
export function withStage(record: ReleaseRecord, stage: StageRecord): ReleaseRecord {
  const stages = record.stages.filter((existing) => existing.index !== stage.index);
  stages.push(stage);
  stages.sort((a, b) => a.index - b.index);
  return { ...record, stages };
}

export function isoNow(clock: Clock): string {
  return clock.now().toISOString();
}

/** Jobs are named for the release, so a retried step finds the job it made. */
export function stageJobId(releaseId: string, stageIndex: number): string {
  return `${releaseId}-s${stageIndex}`;
}

export function rollbackJobId(releaseId: string, stageIndex: number): string {
  return `${releaseId}-rb${stageIndex}`;
}
