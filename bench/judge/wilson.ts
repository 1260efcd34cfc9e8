// Wilson score bounds of a failure rate, and the normal quantile they need. Wilson rather than the plain normal
// interval because it stays inside [0, 1] and behaves at 0 failures and at small n, which is where canaries live.

/**
 * The standard normal quantile (inverse CDF) by Acklam's rational approximation: relative error below 1.2e-9 over
 * (0, 1), far finer than any confidence a release policy states. `normalQuantile(0.975)` ≈ 1.959964.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
}

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
