// The simulated fleet's health, as the embedded metrics would hold it had every device sent its reports: each minute's
// exposure is summed from when each device started and stopped running a version (period-exposure.ts), and its
// crashes and reboots are a Poisson draw on that minute's exposure at the fault profile's rates, seeded by the minute
// so every read of a minute agrees. No event per device per report period: the cost is per minute read, not per device.
// Only complete minutes are answered, as metrics arrive a little after the fact.
import { normalQuantile } from '#domain/binomial-interval.ts';
import type { HealthBucket, HealthQuery } from '#ports/health-signals.ts';
import { uniform } from '../fleet/random.ts';
import { type HealthSource, QueryBuckets } from './health-metrics.ts';
import { PeriodExposure } from './period-exposure.ts';

/** How a fault profile's devices behave after the update; rates per device-hour. */
export interface HealthBehaviour {
  /** The previous version's rates: the control's. */
  crashesPerDeviceHour: number;
  rebootsPerDeviceHour: number;
  /** The new version's rates as multiples of the previous version's. */
  crashRatio: number;
  rebootRatio: number;
  /** A slow leak: from `onsetSeconds` after its update a device on the new version has these ratios instead. */
  leak?: { onsetSeconds: number; crashRatio: number; rebootRatio: number };
  /** Share of devices that report SUCCEEDED and never send a health report afterwards. */
  neverReturnRate: number;
}

export interface SimulatedHealthOptions {
  devices: number;
  behaviour: HealthBehaviour;
  product: string;
  newVersion: string;
  previousVersion: string;
  warmUpSeconds: number;
  reportEverySeconds: number;
  seed: number;
  startMs: number;
}

const MINUTE_MS = 60_000;
const ON_OTHER = 0;
const ON_PREVIOUS = 1;
const ON_NEW = 2;
// Draw numbers for the per-minute and per-device draws (random.ts coordinates).
const Draw = { CONTROL_CRASHES: 1, CONTROL_REBOOTS: 2, TREATMENT_CRASHES: 3, TREATMENT_REBOOTS: 4, RETURNS: 5 } as const;
const HEALTH_STREAM = 0x4845; // a job number no real job slot reaches, so these draws never collide with the fleet's

export class SimulatedHealth implements HealthSource {
  private readonly control: PeriodExposure;
  /** New version, past warm-up, before any leak's onset. */
  private readonly steady: PeriodExposure;
  /** New version, past the leak's onset. */
  private readonly leaking: PeriodExposure;
  /** Devices' first health reports after their update (a +1 each: the level's change per minute is the count). */
  private readonly returns: PeriodExposure;
  private readonly on: Uint8Array;
  private readonly since: Float64Array;

  constructor(private readonly options: SimulatedHealthOptions) {
    this.on = new Uint8Array(options.devices).fill(ON_PREVIOUS);
    this.since = new Float64Array(options.devices);
    // Minutes count from the simulation's start, not the epoch, so a run gives the same draws whatever wall-clock time
    // it starts at (`simulate --keep` starts at the real now).
    [this.control, this.steady, this.leaking, this.returns] = [0, 1, 2, 3].map(() => new PeriodExposure(options.startMs, MINUTE_MS)) as [PeriodExposure, PeriodExposure, PeriodExposure, PeriodExposure];
    this.control.change(options.startMs, options.devices);
  }

  /** The device runs `version` from `atMs` on. */
  versionChanged(device: number, version: string, atMs: number): void {
    const was = this.on[device]!;
    if (was === ON_NEW) this.closeTreatment(device, atMs);
    if (was === ON_PREVIOUS) this.control.change(atMs, -1);
    const now = version === this.options.newVersion ? ON_NEW : version === this.options.previousVersion ? ON_PREVIOUS : ON_OTHER;
    this.on[device] = now;
    if (now === ON_NEW) this.openTreatment(device, atMs);
    if (now === ON_PREVIOUS) this.control.change(atMs, 1);
  }

  /** The device reported SUCCEEDED for `version`: unless it is one that never comes back, its first report follows. */
  succeeded(device: number, version: string, atMs: number): void {
    if (version !== this.options.newVersion) return;
    if (uniform(this.options.seed, device, HEALTH_STREAM, 0, Draw.RETURNS) < this.options.behaviour.neverReturnRate) return;
    this.returns.change(atMs + this.options.reportEverySeconds * 1000, 1);
  }

  buckets(query: HealthQuery): HealthBucket[] {
    const { options } = this;
    if (query.product !== options.product || query.treatmentVersion !== options.newVersion || query.controlVersion !== options.previousVersion) return [];
    const fromMs = query.from.getTime();
    const buckets = new QueryBuckets(query);
    const { startMs } = options;
    const firstMinute = Math.max(0, Math.ceil((fromMs - startMs) / MINUTE_MS));
    const lastMinute = Math.floor((query.to.getTime() - startMs) / MINUTE_MS) - 1; // complete minutes only
    for (let minute = firstMinute; minute <= lastMinute; minute++) {
      this.addMinute(minute, buckets.holding(startMs + minute * MINUTE_MS));
    }
    return buckets.inOrder();
  }

  /** Minute `minute` of the simulation (from its start): its exposure, and Poisson draws seeded by its number. */
  private addMinute(minute: number, bucket: HealthBucket): void {
    const { behaviour, seed } = this.options;
    const control = this.control.secondsIn(minute);
    const steady = this.steady.secondsIn(minute);
    const leaking = this.leaking.secondsIn(minute);
    const leak = behaviour.leak ?? { crashRatio: behaviour.crashRatio, rebootRatio: behaviour.rebootRatio };
    const draw = (mean: number, n: number) => poisson(mean, uniform(seed, minute, HEALTH_STREAM, 0, n));
    const c = bucket.control;
    const t = bucket.treatment;
    c.exposureSeconds += control;
    c.crashes += draw((behaviour.crashesPerDeviceHour * control) / 3600, Draw.CONTROL_CRASHES);
    c.reboots += draw((behaviour.rebootsPerDeviceHour * control) / 3600, Draw.CONTROL_REBOOTS);
    t.exposureSeconds += steady + leaking;
    t.crashes += draw((behaviour.crashesPerDeviceHour * (behaviour.crashRatio * steady + leak.crashRatio * leaking)) / 3600, Draw.TREATMENT_CRASHES);
    t.reboots += draw((behaviour.rebootsPerDeviceHour * (behaviour.rebootRatio * steady + leak.rebootRatio * leaking)) / 3600, Draw.TREATMENT_REBOOTS);
    t.returned += this.returns.changeIn(minute);
  }

  /** Steady from the end of the warm-up; leaking (if the profile leaks) from the onset, never before the warm-up ends. */
  private windowsOf(device: number): { steadyFrom: number; leakFrom: number } {
    const since = this.since[device]!;
    const steadyFrom = since + this.options.warmUpSeconds * 1000;
    const onset = this.options.behaviour.leak?.onsetSeconds;
    return { steadyFrom, leakFrom: onset === undefined ? Number.POSITIVE_INFINITY : Math.max(steadyFrom, since + onset * 1000) };
  }

  private openTreatment(device: number, atMs: number): void {
    this.since[device] = atMs;
    const { steadyFrom, leakFrom } = this.windowsOf(device);
    this.steady.change(steadyFrom, 1);
    this.steady.change(leakFrom, -1);
    this.leaking.change(leakFrom, 1);
  }

  /** Ends the device's time on the new version at `atMs`, undoing whatever was booked for later. */
  private closeTreatment(device: number, atMs: number): void {
    const { steadyFrom, leakFrom } = this.windowsOf(device);
    if (atMs <= steadyFrom) {
      this.steady.change(steadyFrom, -1);
      this.steady.change(leakFrom, 1);
    } else if (atMs < leakFrom) {
      this.steady.change(atMs, -1);
      this.steady.change(leakFrom, 1);
    }
    this.leaking.change(Math.max(atMs, leakFrom), -1);
  }

}


/** A Poisson draw with the given mean from one uniform: exact inversion for small means, the normal beyond. */
export function poisson(mean: number, u: number): number {
  if (!(mean > 0)) return 0;
  if (mean > 200) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normalQuantile(Math.min(Math.max(u, 1e-12), 1 - 1e-12))));
  let k = 0;
  let p = Math.exp(-mean);
  let cumulative = p;
  while (u > cumulative && k < 10_000) {
    k++;
    p *= mean / k;
    cumulative += p;
  }
  return k;
}
