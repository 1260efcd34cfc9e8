// bench/simulate: the whole release (real ASL, real handlers, simulated fleet) at 10k, 100k and 1M devices, each in a
// fresh process; writes the "simulate" section of bench/RESULTS.md. Targets on the 2-core machine: 100k devices in
// under 15 s, 1M in under 120 s and 2 GiB.
// Each healthy row also times a minimal discrete-event loop (minimal-loop.ts) in the same process, after the release:
// the release's wall time over the loop's is what the real workflow and IoT semantics cost above the bare device work.
// With --baseline DIR (another checkout, e.g. `git archive main | tar -x -C DIR` with node_modules linked) each row is
// also run from DIR, alternating with this tree, and the section gets a before/after table.
// Usage: node --import ./bin/polyfills.mjs --import tsx bench/simulate/run.ts [--baseline DIR] [sizes…]   (default 10000 100000 1000000)
import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { RESULTS_FILE, writeResultsSection } from '../results-file.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const args = process.argv.slice(2);
const baselineAt = args.indexOf('--baseline');
const baseline = baselineAt >= 0 ? args.splice(baselineAt, 2)[1] : undefined;
const sizes = args.map(Number);
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
  /** The minimal loop's seconds in the same process (healthy rows of this tree only). */
  minimalSeconds?: number | null;
}

function measure(cwd: string, devices: number, profile: string, failRate?: number): Result {
  const args = ['--import', './bin/polyfills.mjs', '--import', 'tsx', 'bench/simulate/one-run.ts', String(devices), profile, ...(failRate === undefined ? [] : [String(failRate)])];
  const env = { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const output = execFileSync(process.execPath, args, { cwd, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(output.trim().split('\n').pop()!) as Result;
}

const results: Result[] = [];
const before: Result[] = [];
for (const [devices, profile, failRate] of runs) {
  if (baseline) before.push(measure(baseline, devices, profile, failRate));
  const result = measure(ROOT, devices, profile, failRate);
  results.push(result);
  process.stdout.write(`${devices} devices ${profile}${failRate === undefined ? '' : ` fail ${failRate}`}: ${result.outcome} in ${result.wallSeconds.toFixed(2)} s, ${result.peakRssMiB.toFixed(0)} MiB${result.minimalSeconds ? `, minimal loop ${result.minimalSeconds.toFixed(2)} s` : ''}${baseline ? ` (before: ${before.at(-1)!.wallSeconds.toFixed(2)} s)` : ''}\n`);
}
const times = (r: Result) => (r.minimalSeconds ? `${r.minimalSeconds.toFixed(2)} | ${(r.releaseWallSeconds / r.minimalSeconds).toFixed(1)}×` : '— | —');

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

- **minimal s**: the minimal discrete-event loop (\`bench/simulate/minimal-loop.ts\`: the same six device steps, draws and
  durations over typed arrays, devices notified at IoT's top rate of 1,000 a minute, no engine, workflow or handlers),
  timed in the same process right after the release; **× minimal**: release s over minimal s. Goal: within 5×.

| devices | fleet | outcome | wall s | release s | peak RSS MiB | device events | device events/s | virtual h | handler calls | exposed | target | minimal s | × minimal |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${results.map((r) => `${row(r)} ${times(r)} |`).join('\n')}
${baseline ? beforeAfter() : ''}`;

function beforeAfter(): string {
  const line = (r: Result, i: number) => {
    const b = before[i]!;
    const minimal = r.minimalSeconds;
    const ratio = (seconds: number) => (minimal ? `${(seconds / minimal).toFixed(1)}×` : '—');
    return `| ${r.devices.toLocaleString('en-US')} | ${r.failRate === null ? r.profile : `fail rate ${r.failRate}`} | ${b.wallSeconds.toFixed(2)} | ${r.wallSeconds.toFixed(2)} | ${b.releaseWallSeconds.toFixed(2)} | ${r.releaseWallSeconds.toFixed(2)} | ${ratio(b.releaseWallSeconds)} | ${ratio(r.releaseWallSeconds)} | ${b.peakRssMiB.toFixed(0)} | ${r.peakRssMiB.toFixed(0)} |`;
  };
  return `
Before / after (issue 15), measured in the same run, alternating: **before** is \`main\` without this branch's changes
(a copy of the tree run from ${JSON.stringify(baseline)}), **after** is this tree. The × minimal columns divide by the
minimal loop timed in the after process of the same row.

| devices | fleet | wall s before | wall s after | release s before | release s after | × minimal before | × minimal after | peak RSS before | peak RSS after |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${results.map(line).join('\n')}
`;
}

await writeResultsSection('simulate', section);
process.stdout.write(`wrote the simulate section of ${RESULTS_FILE.pathname}\n`);
