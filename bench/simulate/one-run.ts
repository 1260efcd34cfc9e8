// One measured simulation in a fresh process (peak RSS is per process): prints a JSON line with the numbers.
// Usage: node --import ./bin/polyfills.mjs --import tsx bench/simulate/one-run.ts <devices> [profile] [failRate]
import { fileURLToPath } from 'node:url';
import { readReleaseFile } from '#cli/target/release-file.ts';
import { faultProfile } from '#local/fleet/fault-profiles.ts';
import { SimulatedFleet } from '#local/fleet/simulated-fleet.ts';
import { createLocalCloud } from '#local/local-cloud.ts';

const devices = Number(process.argv[2] ?? 10_000);
const profileName = process.argv[3] ?? 'healthy';
const failRate = process.argv[4] === undefined ? undefined : Number(process.argv[4]);
const file = fileURLToPath(new URL('../../examples/release.yaml', import.meta.url));

const wallStart = performance.now();
const request = await readReleaseFile(file);
const profile = faultProfile(profileName, failRate === undefined ? {} : { failRate });
const cloud = await createLocalCloud({ fleet: new SimulatedFleet({ devices, profile, seed: 7 }), baseDir: fileURLToPath(new URL('../../examples/', import.meta.url)), seed: 7 });
const setupSeconds = (performance.now() - wallStart) / 1000;
const report = await cloud.runRelease(request);
const wallSeconds = (performance.now() - wallStart) / 1000;
const events = report.fleet.deviceEvents;
// The yardstick, in the same process and after the release (both JIT-warm): the minimal loop over the same devices.
// Only a healthy release does its work (six events per device); a rollback stops early and has no yardstick.
let minimalSeconds: number | null = null;
if (profileName === 'healthy' && failRate === undefined) {
  const { minimalLoop } = await import('./minimal-loop.ts');
  const started = performance.now();
  minimalLoop(devices, 7);
  minimalSeconds = (performance.now() - started) / 1000;
}
process.stdout.write(
  `${JSON.stringify({
    devices,
    profile: profileName,
    failRate: failRate ?? null,
    outcome: report.outcome,
    wallSeconds,
    setupSeconds,
    releaseWallSeconds: report.wallSeconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    deviceEvents: events,
    deviceEventsPerSecond: events / report.wallSeconds,
    virtualHours: (report.virtualSeconds + report.drainSeconds) / 3600,
    handlerInvocations: Object.values(report.handlerInvocations).reduce((a, b) => a + b, 0),
    exposed: report.exposure.exposed,
    minimalSeconds,
  })}\n`,
);
