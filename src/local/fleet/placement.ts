// Which thing groups each simulated device belongs to. The fleet's groups (release.fleet.thingGroups) split the
// devices round-robin; a group that only a stage names (a hand-picked canary group, say) gets a seeded 1 % sample
// of the fleet, at least one device, so the release can run as written.
import { type ReleaseRequest, type StageTarget, stageTarget } from '#domain/release-request.ts';
import { uniform } from './random.ts';

const STAGE_GROUP_SHARE = 0.01;

export function placeDevices(release: ReleaseRequest, devices: number, seed: number): (device: number) => readonly string[] {
  const fleetGroups = release.fleet.thingGroups;
  const stageGroups = [
    ...new Set(release.stages.flatMap((stage) => groupsOf(stageTarget(stage.targets))).filter((g) => !fleetGroups.includes(g))),
  ];
  const single = fleetGroups.map((group) => [group] as const);
  if (stageGroups.length === 0) return (device) => single[device % fleetGroups.length]!;
  return (device) => {
    const groups: string[] = [fleetGroups[device % fleetGroups.length]!];
    stageGroups.forEach((group, at) => {
      if (device === at || uniform(seed, device, -2 - at, 0, 0) < STAGE_GROUP_SHARE) groups.push(group);
    });
    return groups;
  };
}

const groupsOf = (target: StageTarget): string[] => (target.kind === 'thingGroups' ? target.thingGroups : []);
