// Errors that adapters (AWS and local alike) throw through the ports, so use cases and the ASL see one vocabulary.
// Class names are the ASL contract: `Retry` lists TransientError; `Catch` lists the rest before States.ALL.
import { OtaReleaseError } from '#domain/errors.ts';

/** Throttling, 5xx, timeouts: safe to retry with backoff (the state machine does). */
export class TransientError extends OtaReleaseError {
  override name = 'TransientError';
}

/**
 * A documented quota is used up (IoT `LimitExceededException`: active or concurrent jobs, dynamic thing groups, groups
 * per thing). Not transient: retrying within seconds meets the same wall. The ASL lets only the rollback path wait for
 * it (job concurrency clears as rollouts finish); a stage that meets it ends in the catch-all rollback.
 */
export class QuotaExceededError extends OtaReleaseError {
  override name = 'QuotaExceededError';
}

/** The thing asked for does not exist (release, job, object, token). */
export class NotFoundError extends OtaReleaseError {
  override name = 'NotFoundError';
}

/** The task behind a callback token is already closed: answered, timed out, or the release ended. */
export class TaskClosedError extends OtaReleaseError {
  override name = 'TaskClosedError';
}

/** The callback token is malformed or belongs to nothing. */
export class InvalidTokenError extends OtaReleaseError {
  override name = 'InvalidTokenError';
}

/** Signing failed for a reason a retry will not fix (bad profile, revoked certificate, object not versioned). */
export class SigningFailedError extends OtaReleaseError {
  override name = 'SigningFailedError';
}
