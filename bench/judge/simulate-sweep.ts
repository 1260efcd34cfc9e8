// The end-to-end half of bench/judge: `simulate examples/release.yaml --devices 10000 --fail-rate R --seed s` for many
// seeds in one process (the real ASL, handlers, IoT Jobs engine and simulated fleet, as the CLI runs them). Uses only
// what every version of ota-release has, so bench/judge can copy it into an older checkout and run the baseline there.
// Usage: node --import ./bin/polyfills.mjs --import tsx bench/judge/simulate-sweep.ts <failRate> <seeds> [devices]
// prints one JSON line: per seed, the outcome, the stage of the last verdict and how many devices ran the new image.
import { fileURLToPath } from 'node:url';
import { readReleaseFile } from '#cli/target/release-file.ts';
import { faultProfile } from '#local/fleet/fault-profiles.ts';
import { SimulatedFleet } from '#local/fleet/simulated-fleet.ts';
import { createLocalCloud } from '#local/local-cloud.ts';

export interface SweepRun {
  seed: number;
  outcome: string;
  stage: string | null;
  exposed: number;
  reason: string | null;
}

/** `crashRatio` (ignored by checkouts without health gates) makes the new version crash that many times as often. */
export async function sweep(failRate: number, seeds: number, devices: number, crashRatio = 1): Promise<SweepRun[]> {
  const examples = fileURLToPath(new URL('../../examples/', import.meta.url));
  const request = await readReleaseFile(`${examples}release.yaml`);
  const runs: SweepRun[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const base = faultProfile('healthy', { failRate });
    // Older checkouts' profiles have no health behaviour; the spread leaves them as they are.
    const profile = 'health' in base ? ({ ...base, health: { ...base.health, crashRatio } } as typeof base) : base;
    const fleet = new SimulatedFleet({ devices, profile, seed });
    const cloud = await createLocalCloud({ fleet, baseDir: examples, seed });
    const report = await cloud.runRelease(request);
    const last = report.decisions.filter((d) => d.kind === 'verdict').at(-1);
    runs.push({ seed, outcome: report.outcome, stage: last?.stageName ?? null, exposed: report.exposure.exposed, reason: last?.kind === 'verdict' ? (last.judgement.reasons[0] ?? null) : null });
  }
  return runs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [failRate = '0.02', seeds = '30', devices = '10000'] = process.argv.slice(2);
  const runs = await sweep(Number(failRate), Number(seeds), Number(devices));
  process.stdout.write(`${JSON.stringify({ failRate: Number(failRate), devices: Number(devices), runs })}\n`);
}
