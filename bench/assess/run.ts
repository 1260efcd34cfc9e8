// bench/assess: how long `ota-release assess` takes on this machine, each measurement a fresh process running the CLI
// (module loading included, default --workers), and what the worker threads gain: the same 100,000-device runs with
// --workers 1 and --workers 2, alternating, side by side. Writes the "assess" section of bench/RESULTS.md. Targets from
// issue 15: 200 runs of a 10,000-device fleet within 2 minutes; 1,000 runs of 100,000 devices in a few minutes.
// With --baseline DIR (another checkout with node_modules linked; this file's one-assessment.ts is copied into it), the
// side-by-side rounds also run DIR's assess in one thread, so the section gets a before/after of a run's cost.
// With --whole it also runs the 1,000-run target whole (1,000 healthy runs of 100,000 devices: minutes of both cores).
// Usage: node --import ./bin/polyfills.mjs --import tsx bench/assess/run.ts [--quick] [--baseline DIR] [--whole]
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RESULTS_FILE, writeResultsSection } from '../results-file.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const quick = process.argv.includes('--quick');
const whole = process.argv.includes('--whole');
const baselineAt = process.argv.indexOf('--baseline');
const baseline = baselineAt >= 0 ? process.argv[baselineAt + 1] : undefined;
if (baseline) {
  await mkdir(`${baseline}/bench/assess`, { recursive: true });
  await copyFile(fileURLToPath(new URL('./one-assessment.ts', import.meta.url)), `${baseline}/bench/assess/one-assessment.ts`);
}
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

interface AssessJson {
  scenarios: Array<{ name: string; runs: number; promoted: { count: number }; rolledBack: { count: number } }>;
  /** Inside assess(): the runs, and starting the workers; not the process's module loading. */
  wallSeconds: number;
}

async function assessOnce(devices: number, runs: number, scenarios: string, seed = 1, workers?: number): Promise<{ wallSeconds: number; totalRuns: number; json: AssessJson }> {
  const started = performance.now();
  const args = ['bin/ota-release.mjs', 'assess', 'examples/release.yaml', '--devices', String(devices), '--runs', String(runs), '--seed', String(seed), '--json', ...(scenarios === 'all' ? [] : ['--scenarios', scenarios]), ...(workers ? ['--workers', String(workers)] : [])];
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 }).catch((error: { stdout?: string; code?: number }) => {
    // Exit 4 (budget not met) still prints the assessment.
    if (error.code === 4 && error.stdout) return { stdout: error.stdout };
    throw error;
  });
  const json = JSON.parse(stdout) as AssessJson;
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
await measure(`100,000 devices, ${runs100k} healthy runs`, 100_000, runs100k, 'healthy');
await measure(`100,000 devices, ${runs100k} runs of a 4× defect (stopped in the canary)`, 100_000, runs100k, 'boot-fail-4x');

// What the second core gains: the same healthy 100,000-device runs with one worker (in the assessment's thread) and
// with two worker threads, each a fresh process (one-assessment.ts), in rounds ordered 1-2-2-1 so a drift in the
// machine's load falls on both alike. Each reports when its first and its last run finished: the first is the start-up
// (the blueprint, the workers' module loading, cold code), the span to the last gives the runs per second once started.
interface Timed {
  runs: number;
  promoted: number;
  firstSeconds: number;
  lastSeconds: number;
  wallSeconds: number;
}
async function timedAssessment(runs: number, seed: number, workers: number, cwd = ROOT): Promise<Timed> {
  const args = ['--import', './bin/polyfills.mjs', '--import', 'tsx', 'bench/assess/one-assessment.ts', '100000', String(runs), String(seed), String(workers)];
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const { stdout } = await run(process.execPath, args, { cwd, env });
  return JSON.parse(stdout) as Timed;
}
const roundRuns = quick ? 4 : 10;
const sideBySideRuns = 2 * roundRuns;
const timed: Record<1 | 2 | 'before', Timed[]> = { 1: [], 2: [], before: [] };
const loadBefore = loadavg()[0]!;
const rounds: Array<Array<1 | 2 | 'before'>> = baseline ? [[1, 2, 'before'], ['before', 2, 1]] : [[1, 2], [2, 1]];
for (const [round, order] of rounds.entries()) {
  for (const lane of order) {
    const seed = 1 + round * roundRuns;
    const result = lane === 'before' ? await timedAssessment(roundRuns, seed, 1, baseline) : await timedAssessment(roundRuns, seed, lane);
    timed[lane].push(result);
    process.stdout.write(`${lane === 'before' ? 'before (baseline, one thread)' : `--workers ${lane}`}, ${roundRuns} runs from seed ${seed}: first done at ${result.firstSeconds.toFixed(1)} s, last at ${result.lastSeconds.toFixed(1)} s\n`);
  }
}
const loadAfter = loadavg()[0]!;
const lanes: Array<1 | 2 | 'before'> = baseline ? [1, 2, 'before'] : [1, 2];
const sideBySide = lanes.map((workers) => {
  const rounds = timed[workers];
  const sum = (of: (t: Timed) => number) => rounds.reduce((total, t) => total + of(t), 0);
  // After the first run, each further run adds this much (with two workers, two run at a time).
  const perRunMs = (sum((t) => t.lastSeconds - t.firstSeconds) * 1000) / sum((t) => t.runs - 1);
  return { workers, total: sum((t) => t.wallSeconds), allInMs: (sum((t) => t.wallSeconds) * 1000) / sum((t) => t.runs), perRunMs, startSeconds: sum((t) => t.firstSeconds) / rounds.length, promoted: sum((t) => t.promoted) };
});
const [one, two, before] = sideBySide as [(typeof sideBySide)[number], (typeof sideBySide)[number], (typeof sideBySide)[number] | undefined];
if (one.promoted !== two.promoted) throw new Error(`the side-by-side runs differ: ${one.promoted} promoted with one worker, ${two.promoted} with two`);
const laneName = (lane: 1 | 2 | 'before') => (lane === 1 ? "1 (the assessment's thread)" : lane === 2 ? '2 (worker threads)' : `before: ${baseline}, one thread`);

// The target itself, run whole: the command a user would type, default workers. GNU time (where installed) gives the
// process's CPU and peak memory, workers included.
let wholeRun: { wallSeconds: number; userSeconds?: number; peakMiB?: number; promoted: number } | undefined;
if (whole) {
  const command = [process.execPath, 'bin/ota-release.mjs', 'assess', 'examples/release.yaml', '--devices', '100000', '--runs', '1000', '--scenarios', 'healthy', '--json'];
  const timed = existsSync('/usr/bin/time');
  const env = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  const started = performance.now();
  const { stdout, stderr } = await run(timed ? '/usr/bin/time' : command[0]!, timed ? ['-f', 'time: %U %M', ...command] : command.slice(1), { cwd: ROOT, env, maxBuffer: 64 * 1024 * 1024 });
  const json = JSON.parse(stdout) as AssessJson;
  const [userSeconds, peakKiB] = /time: ([\d.]+) (\d+)/.exec(stderr)?.slice(1).map(Number) ?? [];
  wholeRun = { wallSeconds: (performance.now() - started) / 1000, ...(userSeconds ? { userSeconds, peakMiB: peakKiB! / 1024 } : {}), promoted: json.scenarios[0]!.promoted.count };
  process.stdout.write(`1,000 × 100,000 run whole: ${wholeRun.wallSeconds.toFixed(1)} s, ${wholeRun.promoted} promoted\n`);
}

const healthy100k = rows[2]!;
const projectedMinutes = (two.startSeconds + (999 * two.perRunMs) / 1000) / 60;
const section = `## assess

\`node --import ./bin/polyfills.mjs --import tsx bench/assess/run.ts\` — \`ota-release assess examples/release.yaml\` (the
real workflow and handlers on the embedded cloud, simulated fleet, the example's crash-rate and silence gates on), each
row one fresh process of the CLI with the default \`--workers\` (one thread below 5,000,000 device-runs, so the 10,000-device
rows; one worker per core, ${availableParallelism()} here, for the 100,000-device rows), wall time including loading the modules (about 2 s). Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node
${process.version}; load average ${loadBefore.toFixed(1)} before the side-by-side rounds, ${loadAfter.toFixed(1)} after. The machine may be shared
with other work, so absolute times carry its load (ratios in one row are side by side).

| what | devices | runs | wall s | ms per run |
| --- | --- | --- | --- | --- |
${rows.map((r) => `| ${r.label} | ${r.devices.toLocaleString('en-US')} | ${r.runs} | ${r.wallSeconds.toFixed(1)} | ${Math.round(r.perRunMs)} |`).join('\n')}

Worker threads, side by side: the same ${sideBySideRuns} healthy 100,000-device runs (seeds 1–${sideBySideRuns}) each way, in fresh processes
of ${roundRuns} runs ordered 1-2-2-1 (bench/assess/one-assessment.ts, calling assess() as the command does). **first run done**:
the start-up (the workflow built, the workers' modules loaded from the TypeScript sources through tsx, cold code) and
one run; **ms per run**: each further run once started, from the first run's end to the last's.

| --workers | runs | s in assess | ms per run, all in | first run done, s | ms per run |
| --- | --- | --- | --- | --- | --- |
${sideBySide.map((w) => `| ${laneName(w.workers)} | ${sideBySideRuns} | ${w.total.toFixed(1)} | ${Math.round(w.allInMs)} | ${w.startSeconds.toFixed(1)} | ${Math.round(w.perRunMs)} |`).join('\n')}
${before ? `\n- Before / after this tree's simulator work, one thread each, same runs, same rounds: **${Math.round(before.perRunMs)} → ${Math.round(one.perRunMs)} ms a run**\n  (${(before.perRunMs / one.perRunMs).toFixed(2)}× faster); with two workers ${Math.round(two.perRunMs)} ms a run (${(before.perRunMs / two.perRunMs).toFixed(2)}× the baseline's throughput).\n` : ''}
- 200 runs × 10,000 devices: **${rows[0]!.wallSeconds.toFixed(0)} s** against the 120 s target (${rows[0]!.wallSeconds <= 120 ? 'met' : 'MISSED'}${quick ? '; quick run, fewer runs' : ''}).
- Two workers against one: **${(one.perRunMs / two.perRunMs).toFixed(2)}×** the runs per second once started (${Math.round(one.perRunMs)} → ${Math.round(two.perRunMs)} ms
  a run); ${(one.allInMs / two.allInMs).toFixed(2)}× over ${roundRuns} runs with the start-up counted${quick ? ' (quick run: few runs, so noisy)' : ''}.
- 1,000 runs × 100,000 healthy devices: ${
  wholeRun
    ? `**run whole**, \`ota-release assess examples/release.yaml --devices 100000 --runs 1000 --scenarios healthy --json\`
  (default workers, ${availableParallelism()} here): **${wholeRun.wallSeconds.toFixed(1)} s** (${(wholeRun.wallSeconds / 60).toFixed(1)} minutes) with module loading${wholeRun.userSeconds ? `, ${wholeRun.userSeconds.toFixed(0)} s of
  user CPU, ${wholeRun.peakMiB!.toFixed(0)} MiB peak` : ''}; ${wholeRun.promoted} of 1,000 promoted. Projected from the two-worker figures above: ${projectedMinutes.toFixed(1)} minutes.`
    : `projected from the two-worker figures (the first run done at ${two.startSeconds.toFixed(1)} s, then ${Math.round(two.perRunMs)} ms a run): about
  **${projectedMinutes.toFixed(1)} minutes** (\`--whole\` runs it whole).`
}
- The default-workers 100,000-device row above gives ${Math.round(healthy100k.perRunMs)} ms a run with module loading and start-up spread over its
  ${healthy100k.runs} runs. Runs that roll back in the canary cost ${Math.round(rows[3]!.perRunMs)} ms at this size (provisioning the fleet dominates).
`;
await writeResultsSection('assess', section);
process.stdout.write(`wrote the assess section of ${RESULTS_FILE.pathname}\n`);
