// Domain errors. The class name is the ASL contract: Retry/Catch list these names before States.ALL.

// Each class writes its name in the source (a field, set once the constructor has run), as Powertools does: a bundler
// that minifies renames classes, so `new.target.name` would reach Step Functions as `Vc`, and a Retry on
// TransientError would never match. test/unit/domain/error-names.test.ts checks every error class in src/ and
// functions/ writes it. `new.target.name` stays as the fallback for the device agent's errors (src/device), which run
// unbundled on devices and never reach the workflow.
export class OtaReleaseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The release file is not valid; `problems` lists every one with its path, e.g. `stages[1].bake: expected …`. */
export class InvalidReleaseError extends OtaReleaseError {
  override name = 'InvalidReleaseError';
  constructor(readonly problems: string[]) {
    super(`the release request has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`);
  }
}

export class InvalidTransitionError extends OtaReleaseError {
  override name = 'InvalidTransitionError';
  constructor(readonly from: string, readonly to: string, readonly subject: 'release' | 'stage' = 'release') {
    super(`a ${subject} cannot go from ${from} to ${to}`);
  }
}

/** A job document came out larger than IoT Jobs accepts (32,768 characters). */
export class JobDocumentTooLargeError extends OtaReleaseError {
  override name = 'JobDocumentTooLargeError';
}

/** A job document cannot be built from what the workflow holds (a bug upstream, not bad user input). */
export class JobDocumentError extends OtaReleaseError {
  override name = 'JobDocumentError';
}
