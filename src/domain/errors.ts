// Domain errors. The class name is the ASL contract: Retry/Catch list these names before States.ALL.

export class OtaReleaseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The release file is not valid; `problems` lists every one with its path, e.g. `stages[1].bake: expected …`. */
export class InvalidReleaseError extends OtaReleaseError {
  constructor(readonly problems: string[]) {
    super(`the release request has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`);
  }
}

export class InvalidTransitionError extends OtaReleaseError {
  constructor(readonly from: string, readonly to: string, readonly subject: 'release' | 'stage' = 'release') {
    super(`a ${subject} cannot go from ${from} to ${to}`);
  }
}

/** A job document came out larger than IoT Jobs accepts (32,768 characters). */
export class JobDocumentTooLargeError extends OtaReleaseError {}

/** A job document cannot be built from what the workflow holds (a bug upstream, not bad user input). */
export class JobDocumentError extends OtaReleaseError {}
