// bench/simulate: the whole release (real ASL, real handlers, simulated fleet) at 10k, 100k and 1M devices, each in a
// fresh process; writes the "simulate" section of bench/RESULTS.md. Targets on the 2-core machine: 100k devices in
// under 15 s, 1M in under 120 s and 2 GiB.
// Usage: node --import ./bin/polyfills.mjs --import tsx bench/simulate/run.ts [sizes…]   (default 10000 100000 1000000)
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RESULTS_FILE, writeResultsSection } from '../results-file.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const sizes = process.argv.slice(2).map(Number);
const runs: Array<[number, string, number?]> = (sizes.length ? sizes : [10_000, 100_000, 1_000_000]).flatMap((n) => [
  [n, 'healthy'],
  [n, 'healthy', 0.2],
]);

interface Result {
  devices: number;
  profile: string;
  failRate: number | null;
  outcome: string;
  wallSeconds: number;
  setupSeconds: number;
  releaseWallSeconds: number;
  peakRssMiB: number;
  deviceEvents: number;
  deviceEventsPerSecond: number;
  virtualHours: number;
  handlerInvocations: number;
  exposed: number;
}

const results: Result[] = [];
for (const [devices, profile, failRate] of runs) {
  const args = ['--import', './bin/polyfills.mjs', '--import', 'tsx', 'bench/simulate/one-run.ts', String(devices), profile, ...(failRate === undefined ? [] : [String(failRate)])];
  const output = execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' }, stdio: ['ignore', 'pipe', 'ignore'] });
  const result = JSON.parse(output.trim().split('\n').pop()!) as Result;
  results.push(result);
  process.stdout.write(`${devices} devices ${profile}${failRate === undefined ? '' : ` fail ${failRate}`}: ${result.outcome} in ${result.wallSeconds.toFixed(2)} s, ${result.peakRssMiB.toFixed(0)} MiB\n`);
}

const target = (r: Result) => {
  if (r.devices === 100_000) return r.wallSeconds < 15 ? 'met (< 15 s)' : 'MISSED (< 15 s)';
  if (r.devices === 1_000_000) return r.wallSeconds < 120 && r.peakRssMiB < 2048 ? 'met (< 120 s, < 2 GiB)' : 'MISSED (< 120 s, < 2 GiB)';
  return '—';
};
const row = (r: Result) =>
  `| ${r.devices.toLocaleString('en-US')} | ${r.failRate === null ? r.profile : `fail rate ${r.failRate}`} | ${r.outcome} | ${r.wallSeconds.toFixed(2)} | ${r.releaseWallSeconds.toFixed(2)} | ${r.peakRssMiB.toFixed(0)} | ${r.deviceEvents.toLocaleString('en-US')} | ${Math.round(r.deviceEventsPerSecond).toLocaleString('en-US')} | ${r.virtualHours.toFixed(1)} | ${r.handlerInvocations} | ${r.exposed.toLocaleString('en-US')} | ${target(r)} |`;

const section = `## simulate

\`node --import ./bin/polyfills.mjs --import tsx bench/simulate/run.ts\` — the whole release of \`examples/release.yaml\`
(real \`staged-release.asl.json\` on aws-local-stepfunctions, real handlers, in-memory IoT Jobs, simulated fleet, seed 7),
one fresh process per row. Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}.

- **wall s**: the whole process run (loading the handlers, provisioning the fleet, the release, the drain of jobs left behind);
  **release s**: \`runRelease\` alone. **peak RSS**: \`process.resourceUsage().maxRSS\`.
- **device events**: device-side actions (start, each progress step, the final report) — the simulator's unit of work;
  per second of release wall time.
- **virtual h**: how long the release (and the jobs it left) took on the virtual clock. IoT Jobs' documented cap of
  1,000 executions per minute per job makes a million-device rollout take many hours: fine on a virtual clock.
- Success events never go through the relay and the handlers (no bus rule matches them); failure events and job
  completion/cancel events do, so **handler calls** stays small.

| devices | fleet | outcome | wall s | release s | peak RSS MiB | device events | device events/s | virtual h | handler calls | exposed | target |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${results.map(row).join('\n')}
`;

await writeResultsSection('simulate', section);
process.stdout.write(`wrote the simulate section of ${RESULTS_FILE.pathname}\n`);
