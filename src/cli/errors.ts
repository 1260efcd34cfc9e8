// The CLI's one error edge: every error becomes one plain message and an exit status. No stack traces for
// expected failures; unexpected ones keep their stack behind OTA_RELEASE_DEBUG=1.
import { InvalidReleaseError, OtaReleaseError } from '#domain/errors.ts';
import { ExitCode } from './exit-codes.ts';

/** A file or argument the command cannot use: exit 2, nothing done. */
export class BadInputError extends OtaReleaseError {
  override name = 'BadInputError';
}

/** SIGINT or SIGTERM stopped a command that was running something (simulate): exit 130. */
export class InterruptedError extends OtaReleaseError {
  override name = 'InterruptedError';
}

export function describeError(error: unknown): { message: string; exitCode: number } {
  if (error instanceof InvalidReleaseError || error instanceof BadInputError) return { message: error.message, exitCode: ExitCode.BAD_INPUT };
  if (error instanceof OtaReleaseError) return { message: error.message, exitCode: ExitCode.ERROR };
  const debug = process.env.OTA_RELEASE_DEBUG === '1';
  if (error instanceof Error) return { message: debug && error.stack ? error.stack : error.message, exitCode: ExitCode.ERROR };
  return { message: String(error), exitCode: ExitCode.ERROR };
}
