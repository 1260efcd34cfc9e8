// Errors of the operator control API and its clients. One base class; each subclass sets its name and accepts a cause.
import { OtaReleaseError } from '#domain/errors.ts';

export class ControlError extends OtaReleaseError {
  override name = 'ControlError';
}

/** A request the API refuses as malformed: bad JSON, a missing reason, an impossible release id. */
export class BadControlRequestError extends ControlError {
  override name = 'BadControlRequestError';
}

/** The caller did not show the control token, or came through a host name other than loopback. */
export class ControlForbiddenError extends ControlError {
  override name = 'ControlForbiddenError';
}

/** The live process behind a state directory is gone or does not answer. */
export class ControlUnavailableError extends ControlError {
  override name = 'ControlUnavailableError';
}

/** The releases are a saved snapshot (no live process): they can be read but not changed. */
export class ReadOnlyStateError extends ControlError {
  override name = 'ReadOnlyStateError';
}
