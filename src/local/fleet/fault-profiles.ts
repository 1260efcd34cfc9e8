// Named fault profiles: how a simulated fleet behaves when offered the release's new version. Rollback jobs (back to
// the previous version) use the profile's timings but none of its faults: the old image is known good.
// Probabilities are per device and per attempt; durations in seconds.
import { LocalOptionsError } from '../errors.ts';
import type { HealthBehaviour } from '../health/simulated-health.ts';

export interface FaultProfile {
  name: string;
  description: string;
  /** Mean delay from notification to StartNext (exponential): devices are not all online at the same instant. */
  pickupMeanSeconds: number;
  downloadSeconds: [number, number];
  applySeconds: [number, number];
  rebootSeconds: [number, number];
  selfTestSeconds: [number, number];
  /** Never picks the job up: stays QUEUED (offline for the whole release). */
  offlineRate: number;
  /** Rejects the document (incompatible hardware, for example), after `rejectSeconds`. */
  rejectRate: number;
  rejectSeconds: [number, number];
  /** The download fails for good (a retryable FAILED). */
  downloadFailureRate: number;
  /** The image does not match its checksum or signature. */
  verifyFailureRate: number;
  /** Writing the inactive slot fails. */
  installFailureRate: number;
  /** The new image fails to boot or its self-test; the bootloader goes back to the old slot. */
  bootFailureRate: number;
  /**
   * Goes dark after installing (bricked, or lost its network) and never reports or asks for a job again. IoT's
   * in-progress timer ends the execution TIMED_OUT; a TIMED_OUT retry sends it back to QUEUED, where it stays, since
   * IoT Jobs never times out a QUEUED execution and the device never asks for it.
   */
  silentRate: number;
  /** Event delivery: share of IoT events delivered twice, and the most an event is delayed (reordering). */
  eventDuplicateRate: number;
  eventDelaySeconds: number;
  /** What devices do after the update (crashes, reboots, never coming back), read by the release's health gates. */
  health: HealthBehaviour;
}

const BASE: Omit<FaultProfile, 'name' | 'description'> = {
  pickupMeanSeconds: 30,
  downloadSeconds: [60, 240],
  applySeconds: [20, 60],
  rebootSeconds: [20, 45],
  selfTestSeconds: [10, 30],
  offlineRate: 0,
  rejectRate: 0,
  rejectSeconds: [5, 20],
  downloadFailureRate: 0,
  verifyFailureRate: 0,
  installFailureRate: 0,
  bootFailureRate: 0,
  silentRate: 0,
  eventDuplicateRate: 0,
  eventDelaySeconds: 0,
  // A gateway app that crashes about once in 20 device-hours and reboots once in 100, before and after the update.
  health: { crashesPerDeviceHour: 0.05, rebootsPerDeviceHour: 0.01, crashRatio: 1, rebootRatio: 1, neverReturnRate: 0 },
};

// Profiles whose installs all succeed: only the health gates can tell the release is bad.
const POST_UPDATE: Record<string, FaultProfile> = {
  crashy: {
    ...BASE,
    name: 'crashy',
    description: 'every install succeeds, but the new version crashes 3× as often as the previous one (only health gates see it)',
    health: { ...BASE.health, crashRatio: 3 },
  },
  'slow-leak': {
    ...BASE,
    name: 'slow-leak',
    description: 'every install succeeds and the new version is fine for 4 hours, then crashes and reboots 5× as often (a leak: only a long enough bake sees it)',
    health: { ...BASE.health, leak: { onsetSeconds: 4 * 3600, crashRatio: 5, rebootRatio: 5 } },
  },
  'post-update-silence': {
    ...BASE,
    name: 'post-update-silence',
    description: '15 % of devices report SUCCEEDED and then never send a health report (they did not come back)',
    health: { ...BASE.health, neverReturnRate: 0.15 },
  },
};

export const FAULT_PROFILES: Record<string, FaultProfile> = {
  healthy: { ...BASE, name: 'healthy', description: 'every device installs, boots and reports success' },
  'bad-boot': {
    ...BASE,
    name: 'bad-boot',
    description: '30 % of devices cannot boot the new image and fall back to the old slot (FAILED)',
    bootFailureRate: 0.3,
  },
  'flaky-network': {
    ...BASE,
    name: 'flaky-network',
    description: 'slow downloads, 1 % that fail for good; IoT events arrive late, out of order and twice',
    downloadSeconds: [120, 900],
    downloadFailureRate: 0.01,
    eventDuplicateRate: 0.2,
    eventDelaySeconds: 120,
  },
  'silent-devices': {
    ...BASE,
    name: 'silent-devices',
    description: '15 % of devices go dark after installing and are TIMED_OUT; with a TIMED_OUT retry they stay QUEUED instead, so the stage lacks coverage and HOLDs',
    silentRate: 0.15,
  },
  'slow-rejects': {
    ...BASE,
    name: 'slow-rejects',
    description: '8 % of devices reject the update after a long self-check (REJECTED)',
    rejectRate: 0.08,
    rejectSeconds: [600, 1800],
  },
  stragglers: {
    ...BASE,
    name: 'stragglers',
    description: '5 % of devices stay offline for the whole release; their executions stay QUEUED',
    offlineRate: 0.05,
  },
  ...POST_UPDATE,
};


export const FAULT_PROFILE_NAMES = Object.keys(FAULT_PROFILES);

/** The named profile, with `--fail-rate` (boot failures of the new image) laid over it when given. */
export function faultProfile(name: string, overrides: { failRate?: number } = {}): FaultProfile {
  const profile = FAULT_PROFILES[name];
  if (!profile) throw new LocalOptionsError(`unknown fault profile "${name}"; choose one of ${FAULT_PROFILE_NAMES.join(', ')}`);
  if (overrides.failRate === undefined) return profile;
  if (!(overrides.failRate >= 0 && overrides.failRate <= 1)) throw new LocalOptionsError(`--fail-rate must be between 0 and 1, got ${overrides.failRate}`);
  return { ...profile, bootFailureRate: overrides.failRate };
}
