// Errors of the AWS adapters themselves. Errors the use cases must understand are the port errors (#ports/errors.ts);
// these are for a stack that is set up wrongly, which no retry will fix.
import { OtaReleaseError } from '#domain/errors.ts';

/** An environment variable the stack should have set is missing: the function was deployed outside serverless.yml. */
export class MissingConfigurationError extends OtaReleaseError {
  override name = 'MissingConfigurationError';
  constructor(readonly variable: string) {
    super(`${variable} is not set; deploy with serverless.yml or export it (see docs/backend.md)`);
  }
}

/** No AWS credentials on the operator's machine (CLI with AWS ports). */
export class NoCredentialsError extends OtaReleaseError {
  override name = 'NoCredentialsError';
}

/** The stack exists but is not in a usable state (being created, rolled back, deleted). */
export class StackNotReadyError extends OtaReleaseError {
  override name = 'StackNotReadyError';
}
