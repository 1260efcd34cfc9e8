// Which things each percent stage reaches. Things are ranked by a stable hash of (releaseId, thingName); stage k with
// cumulative percent p_k takes the ranks from ceil(p_{k-1}·N/100) up to ceil(p_k·N/100). Waves never overlap, a retried
// step picks the same things, and another release gets a different canary (so no device is always first).
import { type ReleaseRequest, stageTarget } from './release-request.ts';

/** cyrb53: a fast, well-mixed 53-bit string hash in pure TypeScript (no I/O, same result everywhere). */
export function stableHash(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** The fleet in rank order for this release; ties (practically never) fall back to the name, so the order is total. */
export function rankThings(releaseId: string, thingNames: Iterable<string>): string[] {
  const keyed = Array.from(new Set(thingNames), (name) => ({ name, key: stableHash(`${releaseId}\u0000${name}`) }));
  keyed.sort((a, b) => a.key - b.key || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return keyed.map((entry) => entry.name);
}

/** How many of `fleetSize` things a cumulative percentage reaches; rounded up so a 1 % canary of 50 is one thing. */
export function cumulativeCount(percent: number, fleetSize: number): number {
  // Scale to an integer first: 0.29 * 100 is 28.999999999999996 in floating point.
  const exact = (Math.round(percent * 1e6) * fleetSize) / 1e8;
  return Math.min(fleetSize, Math.max(0, Math.ceil(exact - 1e-9)));
}

export type StagePlan =
  | { index: number; name: string; kind: 'percent'; percent: number; fromPercent: number; start: number; end: number; cohort: number }
  | { index: number; name: string; kind: 'thingGroups'; thingGroups: string[]; cohort: undefined };

/**
 * Each stage's share of a fleet of `fleetSize`: for percent stages the rank range [start, end) and its size; for
 * thing-group stages the groups (their size is known only when the job is created).
 */
export function planStages(request: Pick<ReleaseRequest, 'stages'>, fleetSize: number): StagePlan[] {
  let fromPercent = 0;
  return request.stages.map((stage, index) => {
    const target = stageTarget(stage.targets);
    if (target.kind === 'thingGroups') return { index, name: stage.name, kind: 'thingGroups', thingGroups: target.thingGroups, cohort: undefined };
    const start = cumulativeCount(fromPercent, fleetSize);
    const end = Math.max(start, cumulativeCount(target.percent, fleetSize));
    const plan: StagePlan = { index, name: stage.name, kind: 'percent', percent: target.percent, fromPercent, start, end, cohort: end - start };
    fromPercent = target.percent;
    return plan;
  });
}

/**
 * The things of percent stage `stageIndex`, given the whole fleet (any order: it is ranked here). Thing-group stages
 * are not sampled; asking for one is a bug and throws.
 */
export function selectWave(request: Pick<ReleaseRequest, 'releaseId' | 'stages'>, stageIndex: number, fleet: Iterable<string>): string[] {
  const ranked = rankThings(request.releaseId, fleet);
  const plan = planStages(request, ranked.length)[stageIndex];
  if (!plan) throw new RangeError(`stage ${stageIndex} does not exist (the release has ${request.stages.length})`);
  if (plan.kind !== 'percent') throw new RangeError(`stage ${plan.name} targets thing groups; it is not sampled`);
  return ranked.slice(plan.start, plan.end);
}
