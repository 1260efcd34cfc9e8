// Errors of the embedded cloud. Expected ones (bad options, a stuck release) carry a plain message for the CLI.
import { OtaReleaseError } from '#domain/errors.ts';

/** Base class for everything the embedded cloud throws on its own account. */
export class LocalCloudError extends OtaReleaseError {
  override name = 'LocalCloudError';
}

/** Options or release settings the local cloud cannot run with (an unknown fault profile, a bad device count). */
export class LocalOptionsError extends LocalCloudError {
  override name = 'LocalOptionsError';
}

/** Virtual time cannot move: nothing is scheduled, nothing is running, and the release has not ended. */
export class StalledError extends LocalCloudError {
  override name = 'StalledError';
}

/** statemachines/event-rules.json or the ASL file use something the local cloud does not implement. */
export class UnsupportedDefinitionError extends LocalCloudError {
  override name = 'UnsupportedDefinitionError';
}

/** A feature that exists only once another part of the project is built (for example `--mqtt`). */
export class NotAvailableError extends LocalCloudError {
  override name = 'NotAvailableError';
}

/** Another live process runs this release in this state directory (its lock is held). */
export class ReleaseLockedError extends LocalCloudError {
  override name = 'ReleaseLockedError';
}

/** One run of an assessment threw (in this thread or in a worker): the assessment stops, naming the run to replay. */
export class AssessRunError extends LocalCloudError {
  override name = 'AssessRunError';
}
