// Counter-based randomness: each draw is a hash of (seed, device, job, attempt, draw number), so a device's fate does
// not depend on the order events happen to be processed in, and the same seed gives the same run.

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A uniform number in [0, 1) for the given coordinates. */
export function uniform(seed: number, device: number, job: number, attempt: number, draw: number): number {
  let h = fmix32(seed ^ 0x9e3779b9);
  h = fmix32(h ^ Math.imul(device + 1, 0x27d4eb2d));
  h = fmix32(h ^ Math.imul(job + 1, 0x165667b1));
  h = fmix32(h ^ Math.imul(((attempt & 0xff) << 8) | (draw & 0xff), 0x61c88647));
  return h / 4294967296;
}

/** A uniform duration in [min, max]. */
export function between(u: number, min: number, max: number): number {
  return min + u * (max - min);
}

/** An exponentially distributed duration with the given mean. */
export function exponential(u: number, mean: number): number {
  return -Math.log(1 - u) * mean;
}

/** A sequential seeded generator (mulberry32), for simulations that draw in a fixed order: the same seed, the same run. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
