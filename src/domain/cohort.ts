// Cohorts: every thing carries a stable attribute (default `otaCohort`) with a value in 0000–9999, set when it is
// provisioned (`cohortOf(thingName)` is the recommended assignment; `ota-release` never needs the whole fleet to
// compute it). A percent wave is a window of cohort values, so its targets are one query whatever the fleet size.
// Windows are rotated per release by a hash of the releaseId, so no device is always in the canary. Pure.
import type { CohortRange, FleetQuery } from './fleet-query.ts';
import { type ReleaseRequest, stageTarget } from './release-request.ts';
import { cumulativeCount, stableHash } from './wave-plan.ts';

/** Cohort values 0..COHORTS-1: 0.01 % of the fleet each. */
export const COHORTS = 10_000;
export const DEFAULT_COHORT_ATTRIBUTE = 'otaCohort';
const COHORT_SEED = 0x0c0401;

/** The recommended cohort of a thing: a stable, well-mixed hash of its name. */
export function cohortOf(thingName: string): number {
  return stableHash(thingName, COHORT_SEED) % COHORTS;
}

/** Where this release's windows start on the cohort circle. */
export function releaseOffset(releaseId: string): number {
  return stableHash(`cohort-offset\u0000${releaseId}`) % COHORTS;
}

/**
 * The cohort values of the cumulative share fromPercent..toPercent for this release, as at most two inclusive ranges
 * (a window that wraps past 9999 splits in two). Empty when the share is empty.
 */
export function cohortWindow(releaseId: string, fromPercent: number, toPercent: number): CohortRange[] {
  const start = cumulativeCount(fromPercent, COHORTS);
  const end = Math.max(start, cumulativeCount(toPercent, COHORTS));
  if (end === start) return [];
  if (end - start >= COHORTS) return [{ from: 0, to: COHORTS - 1 }];
  const from = (releaseOffset(releaseId) + start) % COHORTS;
  const to = (from + (end - start) - 1) % COHORTS;
  return from <= to ? [{ from, to }] : [{ from, to: COHORTS - 1 }, { from: 0, to }];
}

/** The cumulative percent reached before stage `stageIndex` and by it (thing-group stages reach no further). */
export function percentSpan(request: Pick<ReleaseRequest, 'stages'>, stageIndex: number): { fromPercent: number; toPercent: number } {
  let fromPercent = 0;
  for (let index = 0; index < stageIndex; index++) {
    const target = stageTarget(request.stages[index]!.targets);
    if (target.kind === 'percent') fromPercent = target.percent;
  }
  const stage = request.stages[stageIndex];
  const target = stage && stageTarget(stage.targets);
  if (target?.kind !== 'percent') throw new RangeError(`stage ${stageIndex} is not a percent stage`);
  return { fromPercent, toPercent: target.percent };
}

/**
 * The query of percent stage `stageIndex`: the fleet, narrowed to the stage's cohort window. The stage that reaches
 * 100 % takes instead the fleet *outside* the earlier windows, so things without a cohort (provisioned before the
 * attribute, not yet backfilled) still get the release, in its last wave.
 */
export function cohortWaveQuery(request: Pick<ReleaseRequest, 'releaseId' | 'stages' | 'fleet'>, stageIndex: number): FleetQuery {
  const { fromPercent, toPercent } = percentSpan(request, stageIndex);
  const attribute = request.fleet.cohortAttribute ?? DEFAULT_COHORT_ATTRIBUTE;
  const thingGroups = request.fleet.thingGroups;
  if (toPercent >= 100) {
    const earlier = cohortWindow(request.releaseId, 0, fromPercent);
    return earlier.length === 0 ? { thingGroups } : { thingGroups, cohort: { attribute, outside: earlier } };
  }
  return { thingGroups, cohort: { attribute, within: cohortWindow(request.releaseId, fromPercent, toPercent) } };
}
