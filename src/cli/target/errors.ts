// Errors of choosing and reaching the operator's cloud. Each is bad input (exit 2): nothing was changed.
import { OtaReleaseError } from '#domain/errors.ts';

export class TargetError extends OtaReleaseError {
  override name = 'TargetError';
}

/** The flags name no usable cloud: no state directory here, conflicting flags, an unknown stage. */
export class NoTargetError extends TargetError {
  override name = 'NoTargetError';
}

/** An approve / reject that does not say which wave it answers, or names one the release does not have. */
export class WaveError extends TargetError {
  override name = 'WaveError';
}
