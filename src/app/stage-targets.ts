// The one place that decides whom a stage's job goes to, and what a release leaves behind.
//
// - thing-group stage: its groups; the count is one fleet-indexing query.
// - percent stage, fleet of more than SAMPLED_FLEET_MAX things: a dynamic thing group `<releaseId>-w<stage>` over the
//   stage's cohort window (src/domain/cohort.ts). One count, one create (or describe), whatever the fleet size.
// - percent stage, fleet of at most SAMPLED_FLEET_MAX things: the exact hash-ranked sample of wave-plan.ts, each thing
//   named in the job (listing such a fleet is one page). A 1 % canary of 50 things is still one thing.
// The first percent stage picks sampled or cohort (one count) and records it; later stages follow it, and a fleet that
// outgrows sampling mid-release goes on in cohort windows without skipping anyone. No call here grows with the fleet
// or the wave: at most one count, one listing page, one create and one describe per stage.
import { cohortWaveQuery } from '#domain/cohort.ts';
import type { FleetQuery } from '#domain/fleet-query.ts';
import { type ReleaseRequest, stageTarget } from '#domain/release-request.ts';
import { selectWave } from '#domain/wave-plan.ts';
import { NotFoundError } from '#ports/errors.ts';
import { type JobTargets, MAX_JOB_TARGETS } from '#ports/fleet-jobs.ts';
import type { Ports } from '#ports/index.ts';
import type { StageRecord, TargetingKind } from '#ports/release-store.ts';
import { TargetsNotReadyError } from './errors.ts';

/** Fleets up to this size are sampled exactly: their listing is one page, their waves fit IoT's 100 job targets. */
export const SAMPLED_FLEET_MAX = MAX_JOB_TARGETS;

export type TargetingPorts = Pick<Ports, 'jobs'>;

export interface ResolvedTargets {
  kind: TargetingKind;
  /** Undefined when the stage is empty (no job is made). */
  targets?: JobTargets;
  targeted: number;
}

/** The dynamic thing group of percent stage `stageIndex`. */
export function waveGroupName(releaseId: string, stageIndex: number): string {
  return `${releaseId}-w${stageIndex}`;
}

export async function resolveStageTargets(ports: TargetingPorts, request: ReleaseRequest, stageIndex: number, earlier: readonly StageRecord[]): Promise<ResolvedTargets> {
  const target = stageTarget(request.stages[stageIndex]!.targets);
  if (target.kind === 'thingGroups') {
    const targeted = await ports.jobs.countThings({ thingGroups: target.thingGroups });
    return { kind: 'thingGroups', targeted, ...(targeted > 0 && { targets: { thingGroups: target.thingGroups } }) };
  }
  const fleetSize = await ports.jobs.countThings(fleetQuery(request));
  const sampledBefore = earlier.some((stage) => stage.targeting === 'sampled');
  const cohortBefore = earlier.some((stage) => stage.targeting === 'cohort');
  // The first percent stage decides; a fleet that outgrew sampling since then goes on in cohort windows.
  if (!cohortBefore && fleetSize <= SAMPLED_FLEET_MAX) {
    const fleet: string[] = [];
    for await (const thing of ports.jobs.listThingsInGroups(request.fleet.thingGroups)) {
      fleet.push(thing);
      if (fleet.length > SAMPLED_FLEET_MAX) break; // the index lagged behind the fleet: too big to name, use cohorts
    }
    if (fleet.length <= SAMPLED_FLEET_MAX) {
      const things = selectWave(request, stageIndex, fleet);
      return { kind: 'sampled', targeted: things.length, ...(things.length > 0 && { targets: { things } }) };
    }
  }
  let query = cohortWaveQuery(request, stageIndex);
  // The last wave takes "the fleet outside the earlier windows"; if an earlier wave was sampled instead, it takes the
  // whole fleet, so no one is skipped (devices that already run the version answer at once).
  if (sampledBefore && query.cohort?.outside) query = fleetQuery(request);
  if (query.cohort?.within?.length === 0) return { kind: 'cohort', targeted: 0 }; // a window too thin for one cohort
  const targeted = await ports.jobs.countThings(query);
  if (targeted === 0) return { kind: 'cohort', targeted };
  const group = waveGroupName(request.releaseId, stageIndex);
  const { ready } = await ports.jobs.ensureDynamicGroup(group, query);
  if (!ready) throw new TargetsNotReadyError(`dynamic thing group ${group} is still building its membership; CreateStageJob is retried`);
  return { kind: 'cohort', targeted, targets: { thingGroups: [group] } };
}

export function fleetQuery(request: Pick<ReleaseRequest, 'fleet'>): FleetQuery {
  return { thingGroups: request.fleet.thingGroups };
}

/**
 * Whom a rollback job goes to. When at most 100 devices took the release (the common case: a canary fails), exactly
 * those, read from the stage jobs (one page each). Otherwise the waves themselves (their dynamic groups, the stages'
 * thing groups): devices that never took the release answer the rollback at once (already on the old version).
 * `tookIt` counts SUCCEEDED, IN_PROGRESS and TIMED_OUT executions, from DescribeJob: O(stages) calls either way.
 */
export async function rollbackTargets(ports: TargetingPorts, request: ReleaseRequest, exposed: readonly StageRecord[]): Promise<{ targets?: JobTargets; tookIt: number }> {
  let tookIt = 0;
  for (const stage of exposed) {
    try {
      const { counts } = await ports.jobs.describeJob(stage.jobId);
      tookIt += counts.succeeded + counts.inProgress + counts.timedOut;
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error; // a job that never got made has no devices
    }
  }
  if (tookIt === 0) return { tookIt };
  if (tookIt <= MAX_JOB_TARGETS) {
    const things = new Set<string>();
    for (const stage of exposed) {
      // TIMED_OUT too: a device that went quiet may have installed the new image first; a rollback to one still on
      // the old version costs it nothing.
      for (const status of ['SUCCEEDED', 'IN_PROGRESS', 'TIMED_OUT'] as const) {
        try {
          for await (const execution of ports.jobs.listExecutions(stage.jobId, status)) things.add(execution.thingName);
        } catch (error) {
          if (!(error instanceof NotFoundError)) throw error;
        }
      }
    }
    const sorted = [...things].sort().slice(0, MAX_JOB_TARGETS);
    return { tookIt, ...(sorted.length > 0 && { targets: { things: sorted } }) };
  }
  const groups = new Set<string>();
  for (const stage of exposed) {
    const target = stageTarget(request.stages[stage.index]!.targets);
    if (target.kind === 'thingGroups') target.thingGroups.forEach((group) => groups.add(group));
    else if (stage.targeting === 'cohort') groups.add(waveGroupName(request.releaseId, stage.index));
    else request.fleet.thingGroups.forEach((group) => groups.add(group)); // sampled waves of a fleet that grew: the fleet
  }
  // More groups than a job takes: the whole fleet instead (its members not in a wave answer at once).
  const thingGroups = groups.size <= MAX_JOB_TARGETS ? [...groups] : request.fleet.thingGroups;
  return { tookIt, targets: { thingGroups } };
}

/**
 * Deletes every wave group the release may have made (`<releaseId>-w<k>` for each percent stage; a missing one is
 * done), so a release leaves no dynamic group behind and each thing's memberships are what they were before. At most
 * one call per stage. Safe once the jobs exist: IoT resolves a SNAPSHOT job's targets when the job is created.
 */
export async function removeWaveGroups(ports: TargetingPorts, request: ReleaseRequest): Promise<string[]> {
  const removed: string[] = [];
  for (const [index, stage] of request.stages.entries()) {
    if (stageTarget(stage.targets).kind !== 'percent') continue;
    const group = waveGroupName(request.releaseId, index);
    await ports.jobs.deleteDynamicGroup(group);
    removed.push(group);
  }
  return removed;
}
