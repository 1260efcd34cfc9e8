// Device-agent errors. Each carries a short `reason` code that goes into the job execution's statusDetails, so the
// cloud (and the operator reading a failed execution) sees why without the device's logs.
import { OtaReleaseError } from '#domain/errors.ts';

export class DeviceError extends OtaReleaseError {
  /** Short, stable code for statusDetails.reason (`[a-zA-Z0-9:_-]+`). */
  readonly reason: string = 'DEVICE_ERROR';
}

/** agent.json is not valid; `problems` lists every one with its path. */
export class AgentConfigError extends DeviceError {
  override readonly reason = 'BAD_CONFIG';
  constructor(readonly problems: string[]) {
    super(`the agent configuration has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`);
  }
}

/** A download failed for a reason a retry will not fix (404, a refused redirect, too many failed attempts). */
export class DownloadError extends DeviceError {
  override readonly reason: string = 'DOWNLOAD_FAILED';
}

/** The link failed mid-transfer (reset, timeout, 5xx): the downloader resumes from the bytes it has. */
export class TransientDownloadError extends DownloadError {
  override readonly reason: string = 'DOWNLOAD_INTERRUPTED';
}

/** No final response headers within the header timeout (1xx responses and trickled header bytes do not extend it). */
export class HeaderTimeoutError extends TransientDownloadError {
  override readonly reason = 'HEADER_TIMEOUT';
}

/** More informational (1xx) responses than the configured limit before the real one (an endless `102 Processing`). */
export class InformationalFloodError extends TransientDownloadError {
  override readonly reason = 'TOO_MANY_1XX';
}

/** One request ran past its own deadline, however steadily bytes were arriving. */
export class AttemptDeadlineError extends TransientDownloadError {
  override readonly reason = 'ATTEMPT_DEADLINE';
}

/** The whole download (every attempt, retry pause and URL refresh) ran past its deadline. */
export class DownloadDeadlineError extends DownloadError {
  override readonly reason = 'DOWNLOAD_DEADLINE';
}

/**
 * Too many attempts in a row brought no byte past the furthest one ever received. `reason` names the bound that ended
 * the last attempt (HEADER_TIMEOUT, TOO_MANY_1XX, ATTEMPT_DEADLINE); plain cuts and refusals give DOWNLOAD_FAILED.
 */
export class RetryBudgetError extends DownloadError {
  override readonly reason: string;
  constructor(message: string, cause: TransientDownloadError) {
    super(message, { cause });
    this.reason = cause.reason === 'DOWNLOAD_INTERRUPTED' ? 'DOWNLOAD_FAILED' : cause.reason;
  }
}

/** The server answered 401/403: a presigned URL has expired. The agent fetches the job document again. */
export class UrlExpiredError extends DownloadError {
  override readonly reason = 'URL_EXPIRED';
}

/** The server sent more bytes than the job document declared (the "endless data" attack). */
export class OversizeError extends DownloadError {
  override readonly reason = 'TOO_LARGE';
}

/** Throughput stayed below the configured minimum for a whole window (the "slow retrieval" attack). */
export class SlowDownloadError extends DownloadError {
  override readonly reason = 'TOO_SLOW';
}

/** The bytes do not match the declared size or SHA-256. */
export class IntegrityError extends DeviceError {
  override readonly reason = 'CHECKSUM_MISMATCH';
}

/** The signature does not verify against the pinned key, or is malformed. */
export class SignatureError extends DeviceError {
  override readonly reason = 'BAD_SIGNATURE';
}

/** The slot store is unusable (unreadable marker, no verified slot to boot). */
export class SlotError extends DeviceError {
  override readonly reason = 'SLOT_ERROR';
}

/** An IoT Jobs request was answered on a `/rejected` topic. */
export class JobsRejectedError extends DeviceError {
  override readonly reason = 'JOBS_REJECTED';
  constructor(
    readonly code: string,
    message: string,
    readonly executionState?: { status?: string; versionNumber?: number; statusDetails?: Record<string, string> },
  ) {
    super(`${code}: ${message}`);
  }
}

/** No answer to an IoT Jobs request within the request timeout (the connection is down or the broker is slow). */
export class JobsTimeoutError extends DeviceError {
  override readonly reason = 'JOBS_TIMEOUT';
}

/** Thrown by a test's crash hook to simulate power loss; never caught by the agent. */
export class SimulatedCrash extends Error {
  constructor(readonly step: string) {
    super(`simulated crash at ${step}`);
    this.name = 'SimulatedCrash';
  }
}

/** The job execution is over on the cloud's side (cancelled, timed out, removed, already terminal): stop working on it. */
export class JobGoneError extends DeviceError {
  override readonly reason = 'JOB_GONE';
}
