// Release and stage status as data, with one table of the allowed transitions (hawkBit-style).
import { InvalidTransitionError } from './errors.ts';

export const ReleaseStatus = {
  /** Accepted and started; nothing has reached a device. */
  STARTED: 'STARTED',
  /** The image is being measured and signed. */
  SIGNING: 'SIGNING',
  /** A stage's job is rolling out or baking. */
  IN_PROGRESS: 'IN_PROGRESS',
  /** Waiting for an operator's approve or reject. */
  AWAITING_APPROVAL: 'AWAITING_APPROVAL',
  /** Cancelling open jobs and sending a rollback job to devices that took the new version. */
  ROLLING_BACK: 'ROLLING_BACK',
  /** Every stage promoted: the whole target fleet has the new version. */
  PROMOTED: 'PROMOTED',
  /** Stopped and rolled back, by the judge, an operator or an error. */
  ROLLED_BACK: 'ROLLED_BACK',
  /** Stopped by an operator (`abort`) before a verdict; open jobs cancelled. */
  ABORTED: 'ABORTED',
  /** Could not even be rolled back cleanly; a person must look. */
  FAILED: 'FAILED',
} as const;
export type ReleaseStatus = (typeof ReleaseStatus)[keyof typeof ReleaseStatus];

const R = ReleaseStatus;
const RELEASE_TRANSITIONS: Record<ReleaseStatus, readonly ReleaseStatus[]> = {
  STARTED: [R.SIGNING, R.ROLLING_BACK, R.ABORTED, R.FAILED],
  SIGNING: [R.IN_PROGRESS, R.ROLLING_BACK, R.ABORTED, R.FAILED],
  IN_PROGRESS: [R.IN_PROGRESS, R.AWAITING_APPROVAL, R.ROLLING_BACK, R.PROMOTED, R.ABORTED, R.FAILED],
  AWAITING_APPROVAL: [R.IN_PROGRESS, R.ROLLING_BACK, R.PROMOTED, R.ABORTED, R.FAILED],
  ROLLING_BACK: [R.ROLLED_BACK, R.FAILED],
  PROMOTED: [],
  ROLLED_BACK: [],
  ABORTED: [],
  FAILED: [],
};

export const TERMINAL_RELEASE_STATUSES: readonly ReleaseStatus[] = [R.PROMOTED, R.ROLLED_BACK, R.ABORTED, R.FAILED];

export function isTerminal(status: ReleaseStatus): boolean {
  return TERMINAL_RELEASE_STATUSES.includes(status);
}

export function canTransition(from: ReleaseStatus, to: ReleaseStatus): boolean {
  return RELEASE_TRANSITIONS[from].includes(to);
}

/** Returns `to`, or throws InvalidTransitionError: an illegal transition is a bug, never silently ignored. */
export function transition(from: ReleaseStatus, to: ReleaseStatus): ReleaseStatus {
  if (!canTransition(from, to)) throw new InvalidTransitionError(from, to);
  return to;
}

export const StageStatus = {
  /** Not started: an earlier stage is still running. */
  PENDING: 'PENDING',
  /** Its job exists: executions roll out and the stage bakes (an extension keeps it here). */
  IN_PROGRESS: 'IN_PROGRESS',
  /** Judged, and waiting for an operator: a manual stage, or a HOLD verdict. */
  AWAITING_APPROVAL: 'AWAITING_APPROVAL',
  /** Judged healthy (and approved where asked); the next stage may start. */
  PROMOTED: 'PROMOTED',
  /** Judged bad, rejected, or swept up by a release rollback; its job was cancelled. */
  ROLLED_BACK: 'ROLLED_BACK',
  /** Never judged: the release was aborted or failed first. */
  CANCELED: 'CANCELED',
} as const;
export type StageStatus = (typeof StageStatus)[keyof typeof StageStatus];

const S = StageStatus;
const STAGE_TRANSITIONS: Record<StageStatus, readonly StageStatus[]> = {
  PENDING: [S.IN_PROGRESS, S.CANCELED],
  IN_PROGRESS: [S.IN_PROGRESS, S.AWAITING_APPROVAL, S.PROMOTED, S.ROLLED_BACK, S.CANCELED],
  AWAITING_APPROVAL: [S.PROMOTED, S.ROLLED_BACK, S.CANCELED],
  PROMOTED: [],
  ROLLED_BACK: [],
  CANCELED: [],
};

export function canTransitionStage(from: StageStatus, to: StageStatus): boolean {
  return STAGE_TRANSITIONS[from].includes(to);
}

/** Returns `to`, or throws InvalidTransitionError. */
export function transitionStage(from: StageStatus, to: StageStatus): StageStatus {
  if (!canTransitionStage(from, to)) throw new InvalidTransitionError(from, to, 'stage');
  return to;
}

export function isTerminalStage(status: StageStatus): boolean {
  return STAGE_TRANSITIONS[status].length === 0;
}
