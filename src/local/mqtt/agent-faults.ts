// A fault profile (src/local/fleet/fault-profiles.ts) played by real device agents. The simulated fleet decides each
// device's fate from probabilities; here every fault must be something a real agent, its network or its firmware
// server actually does, so that what IoT Jobs sees is the agent's own report:
//   bootFailureRate (bad-boot, --fail-rate)  the new image fails its self-test → the agent boots back into the old
//                                            slot and reports FAILED SELF_TEST_FAILED with the version it runs
//   offlineRate (stragglers)                 the agent never connects: its executions stay QUEUED
//   silentRate (silent-devices)              the agent boots the new image, then its connection drops for good:
//                                            no report, so IoT's in-progress timeout marks it TIMED_OUT
//   rejectRate, rejectSeconds (slow-rejects) the device's compatibility check takes that long, then REJECTS
//   downloadFailureRate (flaky-network)      the firmware server cuts every transfer of the new image to that device
//                                            at byte 0, so the agent gives up: FAILED DOWNLOAD_FAILED
//   a flaky network (download failures or late/duplicated events)
//                                            the firmware server also cuts other transfers at seeded random offsets,
//                                            and the agents resume them (Range + If-Range)
// Late and duplicated IoT events are the embedded cloud's delivery settings, the same for both fleets. Durations of
// the normal steps are not played: real agents take the time they take. A profile with a fault no real agent can
// show is refused before anything starts, never quietly ignored.
import { LocalOptionsError } from '../errors.ts';
import type { FaultProfile } from '../fleet/fault-profiles.ts';
import { between, uniform } from '../fleet/random.ts';

export interface AgentFaults {
  profile: string;
  offlineRate: number;
  rejectRate: number;
  rejectSeconds: [number, number];
  downloadFailureRate: number;
  silentRate: number;
  selfTestFailureRate: number;
  /** Share of image transfers the firmware server cuts at a random offset (each is resumed). */
  connectionCutRate: number;
}

/** What one device will do with the release's new version. Rollback jobs meet none of it: the old image is good. */
export interface DeviceFaults {
  offline: boolean;
  /** Seconds (virtual) the compatibility check takes before the device rejects; undefined: it accepts. */
  rejectAfterSeconds?: number;
  failsDownload: boolean;
  goesDark: boolean;
  failsSelfTest: boolean;
}

/** Only a device's first GETs of an image may be cut (each cut is resumed), so every download ends. */
export const CUT_REQUESTS = 4;
const FLAKY_CUT_RATE = 0.3;

/** Profile fields no real agent here can show, with what the user should do instead. */
const UNPLAYABLE: Array<{ field: keyof FaultProfile; fault: string }> = [
  { field: 'verifyFailureRate', fault: 'images that fail verification' },
  { field: 'installFailureRate', fault: 'slot writes that fail' },
];

// Draw numbers: each fault has its own, so changing one rate does not reshuffle which devices show the others.
const Draw = { OFFLINE: 20, REJECT: 21, REJECT_TIME: 22, DOWNLOAD: 23, SILENT: 24, SELF_TEST: 25, CUT: 26, CUT_AT: 27 } as const;

/** Maps a profile onto agent behaviour, or throws LocalOptionsError naming what real agents cannot do. */
export function agentFaultsOf(profile: FaultProfile): AgentFaults {
  const unplayable = UNPLAYABLE.filter(({ field }) => (profile[field] as number) > 0).map(({ fault }) => fault);
  if (unplayable.length > 0) {
    throw new LocalOptionsError(`--mqtt cannot play fault profile "${profile.name}": real agents here have no way to show ${unplayable.join(' or ')}; run it without --mqtt`);
  }
  const flaky = profile.downloadFailureRate > 0 || profile.eventDuplicateRate > 0 || profile.eventDelaySeconds > 0;
  return {
    profile: profile.name,
    offlineRate: profile.offlineRate,
    rejectRate: profile.rejectRate,
    rejectSeconds: profile.rejectSeconds,
    downloadFailureRate: profile.downloadFailureRate,
    silentRate: profile.silentRate,
    selfTestFailureRate: profile.bootFailureRate,
    connectionCutRate: flaky ? FLAKY_CUT_RATE : 0,
  };
}

/**
 * The faults of device number `device`, drawn from the seed alone, so the same seed picks the same devices. Like the
 * simulated fleet, a device shows at most the first fault in the order an update meets them.
 */
export function deviceFaultsOf(faults: AgentFaults, seed: number, device: number): DeviceFaults {
  const draw = (n: number) => uniform(seed, device, -1, 0, n);
  const none: DeviceFaults = { offline: false, failsDownload: false, goesDark: false, failsSelfTest: false };
  if (draw(Draw.OFFLINE) < faults.offlineRate) return { ...none, offline: true };
  if (draw(Draw.REJECT) < faults.rejectRate) return { ...none, rejectAfterSeconds: between(draw(Draw.REJECT_TIME), ...faults.rejectSeconds) };
  if (draw(Draw.DOWNLOAD) < faults.downloadFailureRate) return { ...none, failsDownload: true };
  if (draw(Draw.SILENT) < faults.silentRate) return { ...none, goesDark: true };
  if (draw(Draw.SELF_TEST) < faults.selfTestFailureRate) return { ...none, failsSelfTest: true };
  return none;
}

/**
 * Where the firmware server cuts one GET (body bytes to send before dropping the connection), or undefined to send
 * it whole. `request` counts this device's GETs of this image from 0, so each download's cuts are seeded too.
 */
export function cutOf(faults: AgentFaults, seed: number, device: number, image: number, request: number, bodyBytes: number): number | undefined {
  if (faults.connectionCutRate === 0 || request >= CUT_REQUESTS || bodyBytes <= 1) return undefined;
  if (uniform(seed, device, image, request, Draw.CUT) >= faults.connectionCutRate) return undefined;
  return Math.floor(uniform(seed, device, image, request, Draw.CUT_AT) * bodyBytes);
}
