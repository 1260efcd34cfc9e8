// Which things a wave reaches, as data: members of any of the fleet's thing groups, optionally narrowed by a range
// of the per-thing cohort attribute. The AWS adapter renders it in fleet-indexing query syntax (for GetStatistics and
// CreateDynamicThingGroup); the embedded IoT evaluates the same structure. Pure.

/** Cohort values `from`..`to`, both included. */
export interface CohortRange {
  from: number;
  to: number;
}

export interface FleetQuery {
  /** Things in any of these groups (fleet indexing's `thingGroupNames`). */
  thingGroups: string[];
  cohort?: {
    attribute: string;
    /** Only things whose cohort lies in one of these ranges (things without the attribute are left out). */
    within?: CohortRange[];
    /** Only things whose cohort lies in none of these (things without the attribute are kept: the final wave). */
    outside?: CohortRange[];
  };
}

/** Fleet indexing refuses a query with more than twelve terms (developer guide, "Query syntax"). */
export const MAX_QUERY_TERMS = 12;
/** Cohort values are written with this many digits, so the index's string ranges order like numbers. */
export const COHORT_DIGITS = 4;

export function formatCohort(value: number): string {
  return String(value).padStart(COHORT_DIGITS, '0');
}

/** How many terms fleet indexing counts: one per group name and one per range. */
export function termCount(query: FleetQuery): number {
  return query.thingGroups.length + (query.cohort?.within?.length ?? 0) + (query.cohort?.outside?.length ?? 0);
}

const range = (attribute: string, r: CohortRange) => `attributes.${attribute}:[${formatCohort(r.from)} TO ${formatCohort(r.to)}]`;

/**
 * `thingGroupNames:(a OR b) AND (attributes.otaCohort:[0100 TO 0199] OR …) AND NOT attributes.otaCohort:[…]`.
 * Group names are `[a-zA-Z0-9:_-]+`; the colon is escaped, the other characters need no escape.
 */
export function fleetQueryString(query: FleetQuery): string {
  if (query.thingGroups.length === 0) throw new RangeError('a fleet query needs at least one thing group');
  const groups = query.thingGroups.map((group) => group.replace(/:/g, '\\:'));
  const parts = [groups.length === 1 ? `thingGroupNames:${groups[0]}` : `thingGroupNames:(${groups.join(' OR ')})`];
  const cohort = query.cohort;
  if (cohort?.within?.length) parts.push(cohort.within.length === 1 ? range(cohort.attribute, cohort.within[0]!) : `(${cohort.within.map((r) => range(cohort.attribute, r)).join(' OR ')})`);
  for (const r of cohort?.outside ?? []) parts.push(`NOT ${range(cohort!.attribute, r)}`);
  return parts.join(' AND ');
}

/**
 * Whether a thing with this cohort value (undefined: no attribute) passes the cohort part of the query. The embedded
 * IoT asks it once per thing per wave, so it is written without closures (a closure per call costs more than the test).
 */
export function cohortMatches(query: FleetQuery, value: number | undefined): boolean {
  const cohort = query.cohort;
  if (!cohort) return true;
  if (cohort.within && !insideAny(cohort.within, value)) return false;
  if (cohort.outside && insideAny(cohort.outside, value)) return false;
  return true;
}

function insideAny(ranges: CohortRange[], value: number | undefined): boolean {
  if (value === undefined) return false;
  for (const r of ranges) if (value >= r.from && value <= r.to) return true;
  return false;
}
