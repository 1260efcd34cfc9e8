// Confidence intervals for a binomial proportion (k of n runs), for what `assess` measures: how often a policy rolls a
// good release back, promotes a bad one, or keeps a defect within a budget. Wilson's score interval (Wilson 1927,
// "Probable inference, the law of succession, and statistical inference", JASA 22:209-212): unlike the textbook
// normal ("Wald") interval it stays inside [0, 1] and keeps close to its nominal coverage for small n and for
// proportions near 0 or 1, which is where wrong-call rates live (Brown, Cai & DasGupta 2001, "Interval estimation for
// a binomial proportion", Statistical Science 16:101-133, recommend it for n < 40 and as a default). Pure.

export interface Interval {
  low: number;
  high: number;
}

/** The two-sided standard normal quantile for `confidence` (0.95 → 1.95996…), by Acklam's rational approximation. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`expected a probability strictly between 0 and 1, got ${p}`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

/** Wilson's score interval for `k` successes in `n` trials at two-sided `confidence`; [0, 1] when n is 0. */
export function wilsonInterval(k: number, n: number, confidence = 0.95): Interval {
  if (!(Number.isInteger(k) && Number.isInteger(n) && k >= 0 && k <= n)) throw new RangeError(`expected 0 ≤ k ≤ n whole numbers, got ${k} of ${n}`);
  if (n === 0) return { low: 0, high: 1 };
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const z2 = z * z;
  const p = k / n;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At k = 0 (k = n) the bound is exactly 0 (1); clamping keeps rounding from putting it a hair outside.
  return { low: k === 0 ? 0 : Math.max(0, centre - half), high: k === n ? 1 : Math.min(1, centre + half) };
}
