// Errors of the use cases. The class name is the ASL contract: none of these is retried (a retry would meet the same
// input), so each ends in the state machine's catch-all, which rolls back — except TargetsNotReadyError, which the
// ASL retries because time alone clears it.
import { OtaReleaseError } from '#domain/errors.ts';

/** A task got input it cannot use: a hand-started execution with a bad document, or a bug upstream. */
export class InvalidTaskInputError extends OtaReleaseError {
  override name = 'InvalidTaskInputError';
  constructor(
    readonly task: string,
    readonly problems: string[],
  ) {
    super(`${task} got input it cannot use:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * The wave's dynamic thing group is still building its membership, so a job made now would miss things. The ASL
 * retries CreateStageJob on this name at a slow, steady interval: waiting happens on Step Functions, not in a Lambda.
 */
export class TargetsNotReadyError extends OtaReleaseError {
  override name = 'TargetsNotReadyError';
}

/** The release's record says it has already ended, yet a task was asked to move it on. */
export class ReleaseEndedError extends OtaReleaseError {
  override name = 'ReleaseEndedError';
}

/**
 * Error names that answer a callback task with SendTaskFailure. They are not thrown inside our code, but the state
 * machine's Catch lists them, so they live here beside the error classes.
 */
export const CallbackError = {
  /** An operator rejected the promotion: the workflow rolls back. */
  APPROVAL_REJECTED: 'ApprovalRejected',
} as const;
export type CallbackError = (typeof CallbackError)[keyof typeof CallbackError];
