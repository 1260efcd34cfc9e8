// bench/assess: how long `ota-release assess` takes on this machine, each measurement a fresh process running the CLI
// (module loading included), and whether a second core would pay (two processes splitting the runs, side by side with
// one process doing them all). Writes the "assess" section of bench/RESULTS.md. Targets from issue 15: 200 runs of a
// 10,000-device fleet within 2 minutes; 1,000 runs of 100,000 devices in a few minutes.
// Usage: node --import ./bin/polyfills.mjs --import tsx bench/assess/run.ts [--quick]
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RESULTS_FILE, writeResultsSection } from '../results-file.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const quick = process.argv.includes('--quick');
const run = promisify(execFile);

interface Measured {
  label: string;
  devices: number;
  runs: number;
  scenarios: string;
  wallSeconds: number;
  perRunMs: number;
  note?: string;
}

async function assessOnce(devices: number, runs: number, scenarios: string, seed = 1): Promise<{ wallSeconds: number; totalRuns: number; json: { scenarios: Array<{ name: string; promoted: { count: number }; rolledBack: { count: number } }> } }> {
  const started = performance.now();
  const args = ['bin/ota-release.mjs', 'assess', 'examples/release.yaml', '--devices', String(devices), '--runs', String(runs), '--seed', String(seed), '--json', ...(scenarios === 'all' ? [] : ['--scenarios', scenarios])];
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 }).catch((error: { stdout?: string; code?: number }) => {
    // Exit 4 (budget not met) still prints the assessment.
    if (error.code === 4 && error.stdout) return { stdout: error.stdout };
    throw error;
  });
  const json = JSON.parse(stdout) as { scenarios: Array<{ name: string; runs: number; promoted: { count: number }; rolledBack: { count: number } }> };
  return { wallSeconds: (performance.now() - started) / 1000, totalRuns: json.scenarios.reduce((sum, s) => sum + s.runs, 0), json };
}

const rows: Measured[] = [];
async function measure(label: string, devices: number, runs: number, scenarios: string, note?: string): Promise<void> {
  const result = await assessOnce(devices, runs, scenarios);
  rows.push({ label, devices, runs: result.totalRuns, scenarios, wallSeconds: result.wallSeconds, perRunMs: (result.wallSeconds * 1000) / result.totalRuns, ...(note ? { note } : {}) });
  process.stdout.write(`${label}: ${result.totalRuns} runs in ${result.wallSeconds.toFixed(1)} s\n`);
}

const healthyRuns10k = quick ? 20 : 200;
await measure('target: 200 runs × 10,000 devices (healthy: every run a full rollout)', 10_000, healthyRuns10k, 'healthy', quick ? 'quick: fewer runs' : undefined);
await measure('every scenario, 20 runs each × 10,000 devices', 10_000, 20, 'all');
const runs100k = quick ? 10 : 50;
await measure(`100,000 devices, ${runs100k} healthy runs (the 1,000-run target is projected from this)`, 100_000, runs100k, 'healthy');
await measure(`100,000 devices, ${runs100k} runs of a 4× defect (stopped in the canary)`, 100_000, runs100k, 'boot-fail-4x');

// Would a second core pay? The same 40 runs: one process, then two processes at once, each with half (seeds 1-20, 21-40).
const parallelRuns = quick ? 10 : 40;
const one = await assessOnce(10_000, parallelRuns, 'healthy');
const started = performance.now();
await Promise.all([assessOnce(10_000, parallelRuns / 2, 'healthy', 1), assessOnce(10_000, parallelRuns / 2, 'healthy', 1 + parallelRuns / 2)]);
const two = (performance.now() - started) / 1000;
process.stdout.write(`${parallelRuns} runs: one process ${one.wallSeconds.toFixed(1)} s, two processes ${two.toFixed(1)} s\n`);

const healthy100k = rows[2]!;
const projected = (healthy100k.perRunMs * 1000) / 1000;
const section = `## assess

\`node --import ./bin/polyfills.mjs --import tsx bench/assess/run.ts\` — \`ota-release assess examples/release.yaml\` (the
real workflow and handlers on the embedded cloud, simulated fleet, the example's crash-rate and silence gates on), each
row one fresh process of the CLI, wall time including loading the modules (about 2 s). Measured
${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}; the
machine was shared with other work, so absolute times carry its load (ratios in one row are side by side).

| what | devices | runs | wall s | ms per run |
| --- | --- | --- | --- | --- |
${rows.map((r) => `| ${r.label} | ${r.devices.toLocaleString('en-US')} | ${r.runs} | ${r.wallSeconds.toFixed(1)} | ${Math.round(r.perRunMs)} |`).join('\n')}

- 200 runs × 10,000 devices: **${rows[0]!.wallSeconds.toFixed(0)} s** against the 120 s target (${rows[0]!.wallSeconds <= 120 ? 'met' : 'MISSED'}${quick ? '; quick run, fewer runs' : ''}).
- 1,000 runs × 100,000 healthy devices, projected from the row above at ${Math.round(healthy100k.perRunMs)} ms a run: about
  **${(projected / 60).toFixed(0)} minutes** on one core (not run whole here: it would hold the shared machine for that long).
  Runs that roll back in the canary cost ${Math.round(rows[3]!.perRunMs)} ms at this size (provisioning the fleet dominates).
- A second core: the same ${parallelRuns} healthy 10,000-device runs took ${one.wallSeconds.toFixed(1)} s in one process and
  ${two.toFixed(1)} s as two processes at once (${(one.wallSeconds / two).toFixed(2)}× faster). \`assess\` runs in one process (no worker
  threads yet): see docs/assess.md.
`;
await writeResultsSection('assess', section);
process.stdout.write(`wrote the assess section of ${RESULTS_FILE.pathname}\n`);
