// The scenarios `assess` runs a release policy through: a healthy fleet; boot failures on a grid around the policy's
// acceptable rate (½×, 1×, 2× and 4× maxFailureRate); every named fault profile (FAULT_PROFILE_NAMES, so a new profile
// joins by itself); and, with a budget, its defect. Each knows its true defect rate, which says which call would be
// wrong: a rollback at or below the acceptable rate, a promotion at or above the unacceptable one.
import type { ReleaseRequest } from '#domain/release-request.ts';
import { formatLimit } from '#domain/percent.ts';
import { LocalOptionsError } from '../errors.ts';
import { FAULT_PROFILE_NAMES, faultProfile, type FaultProfile } from '../fleet/fault-profiles.ts';

/** Multiples of maxFailureRate the boot-failure grid tries. */
export const GRID_MULTIPLES = [0.5, 1, 2, 4] as const;

/**
 * Which call is wrong: a rollback when acceptable, a promotion when unacceptable, neither when indifferent (between the
 * two rates) or post-update (the fault shows after a successful install, so only the health gates can judge it and the
 * install rates do not say which call is right).
 */
export type Acceptability = 'acceptable' | 'indifferent' | 'unacceptable' | 'post-update';

export interface Scenario {
  /** Stable id for --scenarios and JSON: `healthy`, `boot-fail-2x`, `silent-devices`, `budget-defect`. */
  name: string;
  description: string;
  profile: FaultProfile;
  /** The share of devices that try the new version and end in a failure the judge counts (install side). */
  defectRate: number;
  acceptability: Acceptability;
}

/**
 * The install-side defect rate of a profile: the chance a device that picks the job up ends FAILED, REJECTED or
 * TIMED_OUT (silent), each fault drawn independently as the simulated fleet draws them. Offline devices never try and
 * do not count. Faults the judge does not see through job executions (a profile's post-update health signals) are
 * not in it; such a scenario is classed by this rate alone.
 */
export function defectRateOf(profile: FaultProfile): number {
  const pass = [profile.rejectRate, profile.downloadFailureRate, profile.verifyFailureRate, profile.installFailureRate, profile.silentRate, profile.bootFailureRate].reduce(
    (product, rate) => product * (1 - rate),
    1,
  );
  // Rounded, so 1 − (1 − 5 %) is the 5 % it is, and a rate exactly at the limit is classed as at the limit.
  return Number((1 - pass).toPrecision(12));
}

/** Whether the new version misbehaves after it installed: crashes or reboots more, leaks, or never reports again. */
export function hasPostUpdateFault(profile: FaultProfile): boolean {
  const health = profile.health;
  return health.crashRatio !== 1 || health.rebootRatio !== 1 || health.leak !== undefined || health.neverReturnRate > 0;
}

export function acceptabilityOf(rate: number, health: Pick<ReleaseRequest['health'], 'maxFailureRate' | 'unacceptableFailureRate'>): Acceptability {
  if (rate <= health.maxFailureRate) return 'acceptable';
  if (rate >= health.unacceptableFailureRate) return 'unacceptable';
  return 'indifferent';
}

/**
 * Every scenario for this release, or those `only` names (in the order given, each once); unknown names are bad input,
 * all of them named in one message.
 */
export function assessmentScenarios(request: ReleaseRequest, only?: readonly string[]): Scenario[] {
  const health = request.health;
  const make = (name: string, description: string, profile: FaultProfile): Scenario => {
    const defectRate = defectRateOf(profile);
    return { name, description, profile, defectRate, acceptability: hasPostUpdateFault(profile) ? 'post-update' : acceptabilityOf(defectRate, health) };
  };
  const all: Scenario[] = [make('healthy', 'every device installs, boots and reports success', faultProfile('healthy'))];
  for (const multiple of GRID_MULTIPLES) {
    const rate = Math.min(1, multiple * health.maxFailureRate);
    all.push(make(`boot-fail-${multiple}x`, `${formatLimit(rate)} of devices fail to boot the new image (${multiple}× maxFailureRate)`, faultProfile('healthy', { failRate: rate })));
  }
  for (const name of FAULT_PROFILE_NAMES) {
    if (name === 'healthy') continue;
    const profile = faultProfile(name);
    all.push(make(name, profile.description, profile));
  }
  if (request.budget) {
    const rate = request.budget.defectRate;
    all.push(make('budget-defect', `the budget's defect: ${formatLimit(rate)} of devices fail to boot the new image`, faultProfile('healthy', { failRate: rate })));
  }
  if (!only || only.length === 0) return all;
  const names = [...new Set(only)];
  const unknown = names.filter((name) => !all.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    const needsBudget = unknown.includes('budget-defect') && !request.budget ? ' (budget-defect needs a budget: in the release file)' : '';
    throw new LocalOptionsError(`unknown scenario${unknown.length > 1 ? 's' : ''} ${unknown.map((name) => `"${name}"`).join(', ')}${needsBudget}; this release has ${all.map((scenario) => scenario.name).join(', ')}`);
  }
  return names.map((name) => all.find((scenario) => scenario.name === name)!);
}
