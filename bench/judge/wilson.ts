// Wilson score bounds of a failure rate, and the normal quantile they need. Wilson rather than the plain normal
// interval because it stays inside [0, 1] and behaves at 0 failures and at small n, which is where canaries live.
// The 0.1 judge's own form (failures may be fractional), on the domain's normal quantile.
import { normalQuantile } from '#domain/binomial-interval.ts';

/** The two-sided z for a confidence level: 0.95 → 1.96. */
export function zForConfidence(confidence: number): number {
  return normalQuantile(1 - (1 - confidence) / 2);
}

export interface Bounds {
  lower: number;
  upper: number;
}

/**
 * Two-sided Wilson score interval for `failures` out of `n` at `confidence`. Failures may be fractional (weighted)
 * and are capped at n. With n = 0 nothing is known: [0, 1].
 */
export function wilsonBounds(failures: number, n: number, confidence: number): Bounds {
  if (n <= 0) return { lower: 0, upper: 1 };
  const p = Math.min(1, Math.max(0, failures / n));
  const z = zForConfidence(confidence);
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  // Clamp away float dust so the bounds always contain p (0 and 1 exactly at the ends).
  return { lower: p === 0 ? 0 : Math.max(0, Math.min(p, centre - half)), upper: p === 1 ? 1 : Math.min(1, Math.max(p, centre + half)) };
}
