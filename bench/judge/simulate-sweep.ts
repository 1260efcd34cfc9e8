// The end-to-end half of bench/judge: `simulate examples/release.yaml --devices 10000 --fail-rate R --seed s` for many
// seeds, in one process (the real ASL, handlers, IoT Jobs engine and simulated fleet, exactly as the CLI runs them).
// Prints one JSON line: per seed, the outcome, the stage that ended it and how many devices ran the new image.
// Usage: node --import ./bin/polyfills.mjs --import tsx bench/judge/simulate-sweep.ts <failRate> <seeds> [devices]
import { fileURLToPath } from 'node:url';
import { readReleaseFile } from '#cli/target/release-file.ts';
import { faultProfile } from '#local/fleet/fault-profiles.ts';
import { SimulatedFleet } from '#local/fleet/simulated-fleet.ts';
import { createLocalCloud } from '#local/local-cloud.ts';

const failRate = Number(process.argv[2] ?? 0.02);
const seeds = Number(process.argv[3] ?? 30);
const devices = Number(process.argv[4] ?? 10_000);
const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
const request = await readReleaseFile(`${examples}release.yaml`);

const runs = [];
for (let seed = 1; seed <= seeds; seed++) {
  const fleet = new SimulatedFleet({ devices, profile: faultProfile('healthy', { failRate }), seed });
  const cloud = await createLocalCloud({ fleet, baseDir: examples, seed });
  const report = await cloud.runRelease(request);
  const lastVerdict = report.decisions.filter((d) => d.kind === 'verdict').at(-1);
  runs.push({ seed, outcome: report.outcome, stage: lastVerdict?.stageName ?? null, exposed: report.exposure.exposed, reason: lastVerdict?.kind === 'verdict' ? lastVerdict.judgement.reasons[0] : null });
}
process.stdout.write(`${JSON.stringify({ failRate, devices, runs })}\n`);
