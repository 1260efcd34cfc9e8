// Provisioning's cohort attribute for the embedded cloud. A real fleet sets it when each thing is made (for example
// `cohortOf(thingName)`, a hash: binomial wave sizes). The simulator spreads cohorts evenly instead, so a wave of p %
// holds p % of the fleet to within one device and simulated numbers are exact; which devices land in which cohort is
// still a seeded shuffle, unrelated to their fault profile.
import { COHORTS } from '#domain/cohort.ts';
import type { ThingRegistry } from '../iot-jobs/things.ts';

/** Gives every thing of `indices` without a value for `attribute` an evenly spread cohort; returns how many it set. */
export function spreadCohorts(things: ThingRegistry, attribute: string, indices: ArrayLike<number>, seed = 1): number {
  const column = things.attributeColumn(attribute);
  const pending = new Int32Array(indices.length);
  let n = 0;
  for (let at = 0; at < indices.length; at++) if (Number.isNaN(column[indices[at]!])) pending[n++] = indices[at]!;
  if (n === 0) return 0;
  // i ↦ (i·stride + shift) mod n is a permutation when gcd(stride, n) = 1: a shuffle without sorting a million keys.
  const stride = coprimeStride(n, seed);
  const shift = (seed * 7919) % n;
  for (let i = 0; i < n; i++) {
    const rank = (((i * stride) % n) + shift) % n; // exact: i·stride < 2^53 for fleets up to ~90 million
    column[pending[i]!] = Math.floor(((rank + 0.5) * COHORTS) / n);
  }
  return n;
}

function coprimeStride(n: number, seed: number): number {
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  let stride = Math.max(1, Math.floor(n * 0.6180339887) + seed);
  while (gcd(stride, n) !== 1) stride++;
  return stride % n || 1;
}
