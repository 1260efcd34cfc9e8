// One seeded canary played against a rate gate alone, for bench/judge: the example's canary (100 devices at 5 a
// minute, about 5 minutes to install, the warm-up, 9,900 devices on the previous version as the control) in 5-minute
// periods with Poisson crashes at the control's rate times the true ratio. The gate looks when the workflow would on
// a release whose installs all succeed: at the bake's end, then at the end of each extension it asks for (by the
// exposure it needs, at most one bake, at most maxExtensions), then a person decides (HOLD).
import { GateStatus } from '#domain/health-gates/gate-result.ts';
import type { RateGateSpec } from '#domain/health-gates/gate-spec.ts';
import type { GateBudgets } from '#domain/health-gates/gates.ts';
import { evaluateRateGate } from '#domain/health-gates/rate-ratio.ts';
import type { HealthBucket } from '#ports/health-signals.ts';
import { poisson } from '#local/health/simulated-health.ts';

export interface CanaryShape {
  devices: number;
  fleet: number;
  perMinute: number;
  installSeconds: number;
  warmUpSeconds: number;
  bakeSeconds: number;
  maxExtensions: number;
  extendBySeconds: number;
  crashesPerDeviceHour: number;
}

export interface GateRun {
  outcome: 'ROLLBACK' | 'PROMOTE' | 'HOLD';
  /** Seconds from the stage's start to the look that decided. */
  seconds: number;
}

const PERIOD = 300;

export function playGate(spec: RateGateSpec, budgets: GateBudgets, shape: CanaryShape, ratio: number, random: () => number): GateRun {
  const buckets: HealthBucket[] = [];
  const steadyFrom = (device: number) => (device * 60) / shape.perMinute + shape.installSeconds + shape.warmUpSeconds;
  const treatmentSeconds = (from: number, to: number) => {
    let total = 0;
    for (let device = 0; device < shape.devices; device++) total += Math.max(0, to - Math.max(from, steadyFrom(device)));
    return total;
  };
  // Devices leave the control when they install (not when their warm-up ends).
  const controlSeconds = (from: number, to: number) => {
    let total = (shape.fleet - shape.devices) * (to - from);
    for (let device = 0; device < shape.devices; device++) total += Math.max(0, Math.min(to, (device * 60) / shape.perMinute + shape.installSeconds) - from);
    return total;
  };
  const grow = (until: number) => {
    for (let start = buckets.length * PERIOD; start + PERIOD <= until; start += PERIOD) {
      const t = treatmentSeconds(start, start + PERIOD);
      const c = controlSeconds(start, start + PERIOD);
      const rate = shape.crashesPerDeviceHour / 3600;
      buckets.push({
        start: new Date(start * 1000).toISOString(),
        treatment: { exposureSeconds: t, crashes: poisson(rate * ratio * t, random()), reboots: 0, returned: 0, reverted: 0 },
        control: { exposureSeconds: c, crashes: poisson(rate * c, random()), reboots: 0, returned: 0, reverted: 0 },
      });
    }
  };
  let look = shape.bakeSeconds;
  for (let extension = 0; ; extension++) {
    grow(look);
    const result = evaluateRateGate(spec, buckets, budgets);
    if (result.status === GateStatus.FAIL) return { outcome: 'ROLLBACK', seconds: look };
    if (result.status === GateStatus.PASS) return { outcome: 'PROMOTE', seconds: look };
    if (extension >= shape.maxExtensions) return { outcome: 'HOLD', seconds: look };
    const need = result.needSeconds === undefined ? shape.extendBySeconds : Math.min(Math.max(60, shape.bakeSeconds), Math.max(60, result.needSeconds));
    look += need;
  }
}
