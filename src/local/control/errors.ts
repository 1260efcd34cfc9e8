// Errors of the operator control API and its clients. One base class; each subclass sets its name and accepts a cause.
import { OtaReleaseError } from '#domain/errors.ts';

export class ControlError extends OtaReleaseError {}

/** A request the API refuses as malformed: bad JSON, a missing reason, an impossible release id. */
export class BadControlRequestError extends ControlError {}

/** The caller did not show the control token, or came through a host name other than loopback. */
export class ControlForbiddenError extends ControlError {}

/** The live process behind a state directory is gone or does not answer. */
export class ControlUnavailableError extends ControlError {}

/** The releases are a saved snapshot (no live process): they can be read but not changed. */
export class ReadOnlyStateError extends ControlError {}
