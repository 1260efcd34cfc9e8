// Exact binomial tails in log space, for the power analysis. Pure arithmetic; fine for n up to millions.

/** ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9): about 15 significant digits. */
export function logGamma(x: number): number {
  const coefficients = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const shifted = x - 1;
  let sum = coefficients[0]!;
  for (let i = 1; i < coefficients.length; i++) sum += coefficients[i]! / (shifted + i);
  const t = shifted + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (shifted + 0.5) * Math.log(t) - t + Math.log(sum);
}

function logPmf(k: number, n: number, p: number): number {
  if (p === 0) return k === 0 ? 0 : -Infinity;
  if (p === 1) return k === n ? 0 : -Infinity;
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/**
 * P(X ≥ k) for X ~ Binomial(n, p). Sums from the boundary away from the mode (terms only shrink there) and stops once
 * they no longer change the sum, so a million trials cost a few thousand terms.
 */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const mean = n * p;
  if (k > mean) return sumAway(k, n, p, +1);
  return 1 - sumAway(k - 1, n, p, -1);
}

function sumAway(start: number, n: number, p: number, step: 1 | -1): number {
  let sum = 0;
  for (let j = start; j >= 0 && j <= n; j += step) {
    const term = Math.exp(logPmf(j, n, p));
    sum += term;
    if (term === 0 || term < sum * 1e-17) break;
  }
  return Math.min(1, sum);
}
