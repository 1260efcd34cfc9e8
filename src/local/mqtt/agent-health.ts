// What a real agent's health reports say when it plays a fault profile (src/local/fleet/fault-profiles.ts, `health`):
// the crash counter of a device whose application crashes as a Poisson process at the profile's rate for the version
// it runs (the previous version's rate, the new version's as a multiple of it, a slow leak's from its onset after the
// update), and whether the device never sends a report again once it runs the new version ("never came back").
// Drawn from the seed and the device's number, so the same seed gives the same devices the same crashes.
import type { HealthBehaviour } from '../health/simulated-health.ts';
import { poisson } from '../health/simulated-health.ts';
import { uniform } from '../fleet/random.ts';

const HEALTH_STREAM = 0x4846; // a job number no job slot reaches, apart from the simulated fleet's own health draws
const NEVER_RETURNS = 0;

export interface AgentHealthOptions {
  behaviour: HealthBehaviour;
  newVersion: string;
  seed: number;
  device: number;
  now: () => number;
}

export class AgentHealth {
  private total = 0;
  private draws = 1;
  private lastMs: number;
  private version: string | undefined;
  private versionSinceMs: number;
  readonly neverReturns: boolean;

  constructor(private readonly options: AgentHealthOptions) {
    this.lastMs = options.now();
    this.versionSinceMs = this.lastMs;
    this.neverReturns = uniform(options.seed, options.device, HEALTH_STREAM, 0, NEVER_RETURNS) < options.behaviour.neverReturnRate;
  }

  /** The cumulative crash counter at this moment, for a device running `version` (undefined: not booted yet). */
  crashCount(version: string | undefined): number {
    const now = this.options.now();
    if (version !== this.version) {
      this.version = version;
      this.versionSinceMs = now;
    }
    const hours = Math.max(0, now - this.lastMs) / 3_600_000;
    this.lastMs = now;
    if (version === undefined || hours === 0) return this.total;
    const draw = this.draws++;
    this.total += poisson(this.ratePerHour(version, now) * hours, uniform(this.options.seed, this.options.device, HEALTH_STREAM, draw >> 8, draw & 0xff));
    return this.total;
  }

  /** Whether the device, running `version`, has stopped reporting for good. */
  silent(version: string | undefined): boolean {
    return this.neverReturns && version === this.options.newVersion;
  }

  private ratePerHour(version: string, now: number): number {
    const { behaviour } = this.options;
    if (version !== this.options.newVersion) return behaviour.crashesPerDeviceHour;
    const leak = behaviour.leak;
    const ratio = leak && now - this.versionSinceMs >= leak.onsetSeconds * 1000 ? leak.crashRatio : behaviour.crashRatio;
    return behaviour.crashesPerDeviceHour * ratio;
  }
}
