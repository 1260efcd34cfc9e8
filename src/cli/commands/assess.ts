// `ota-release assess RELEASE-FILE`: what a release policy will do before it runs. The real workflow (the ASL on the
// local runner with the real handlers, as `simulate` runs it) on many seeded simulated fleets per scenario: healthy,
// boot failures around the policy's limit, every fault profile, the budget's defect. Prints how often each scenario is
// promoted, held or rolled back, the wrong calls with intervals, exposure and time; checks the release file's budget.
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { assess, type Assessment } from '#local/assess/assessment.ts';
import { assessmentScenarios } from '#local/assess/scenarios.ts';
import { LocalOptionsError } from '#local/errors.ts';
import { formatQuantity } from '#domain/percent.ts';
import { BadInputError } from '../errors.ts';
import { ExitCode } from '../exit-codes.ts';
import { renderAssessment } from '../render/assessment.ts';
import { showAssessProgress } from '../render/assess-progress.ts';
import { terminalOf } from '../render/terminal.ts';
import { readReleaseFile } from '../target/release-file.ts';
import { abortOnSignals } from './simulate-interrupt.ts';
import { planForFleet } from './validate.ts';
import { integer } from './simulate.ts';

export interface AssessCliOptions {
  devices: number;
  runs: number;
  seed: number;
  scenarios?: string[];
  /** Worker threads (default: the cores Node may use; 1 runs in the command's own thread). */
  workers?: number;
  json?: boolean;
  /** Draw the progress bar (default: when stderr is a terminal and not --json). */
  progress?: boolean;
}

const DEFAULT_DEVICES = 10_000;
const DEFAULT_RUNS = 100;
/** Each run holds the fleet in memory (tens of bytes a device) and costs about a second per 100,000 healthy devices. */
const MAX_DEVICES = 1_000_000;
/** Each worker holds its own copy of the workflow, handlers and one fleet; more workers than cores only share them. */
const MAX_WORKERS = 256;
/**
 * Starting a worker costs about a second or two (its modules, the workflow); below about this much work (devices × all
 * the runs: 50 runs of 100,000 devices, some 15 s in one thread) the cores do not win it back, so the runs stay in
 * this thread.
 */
const WORKERS_FROM_DEVICE_RUNS = 5_000_000;

/** Workers for `totalRuns` runs (every scenario's) of `devices` devices each, when --workers is not given. */
export function defaultWorkers(devices: number, totalRuns: number): number {
  return devices * totalRuns >= WORKERS_FROM_DEVICE_RUNS ? Math.min(availableParallelism(), totalRuns) : 1;
}

export function register(program: Command, setExitCode: (code: number) => void): void {
  program
    .command('assess')
    .description('show what a release policy will do before it runs: the real workflow on many seeded simulated fleets per scenario (healthy, failure rates around the limit, each fault profile), with wrong-call rates and exposure')
    .argument('<release-file>', 'the release file (YAML or JSON), as for validate and simulate')
    .addOption(new Option('--devices <n>', 'fleet size of every run (at most 1,000,000)').default(DEFAULT_DEVICES, DEFAULT_DEVICES.toLocaleString('en-US')).argParser(integer(1, MAX_DEVICES)))
    .addOption(new Option('--runs <n>', 'seeded runs per scenario').default(DEFAULT_RUNS).argParser(integer(1, 100_000)))
    .addOption(new Option('--seed <n>', 'first seed: run r uses seed + r; the same seed gives the same numbers').default(1).argParser(integer(0, 2 ** 32 - 1)))
    .addOption(new Option('--scenarios <names>', 'comma-separated scenarios to run (default all; see below)').argParser((text: string) => text.split(',').map((name) => name.trim()).filter(Boolean)))
    .addOption(
      new Option(
        '--workers <n>',
        `worker threads running the runs, at most one per run; 1 runs them in this thread; the numbers are the same either way (default: one per core, ${availableParallelism()} here, when devices × runs × scenarios reaches ${formatQuantity(WORKERS_FROM_DEVICE_RUNS, 'device-run')}, else 1)`,
      ).argParser(integer(1, MAX_WORKERS)),
    )
    .option('--json', 'print the assessment as JSON on stdout (no progress bar)')
    .addHelpText(
      'after',
      `
Scenarios (a fault profile added to the simulator joins by itself):
  healthy             every device installs, boots and reports success
  boot-fail-<m>x      boot failures at m × health.maxFailureRate, for m = 0.5, 1, 2, 4
  <fault profile>     each of simulate's --fault-profile names but healthy
  budget-defect       with a budget in the release file: boot failures at budget.defectRate

Per scenario: the share of runs promoted, held (the judge asked a person; the run stops there) and rolled back; the
wrong call with its 95 % Wilson interval (a false rollback when the defect is within maxFailureRate, a wrong
promotion when it is at or above unacceptableFailureRate); devices that ran the new version (median, p95, worst); the
virtual time to full rollout or to rollback. Manual stages are approved. See docs/assess.md.

A budget in the release file (budget: { defectRate: 2%, maxExposed: 300, probability: 95%, healthyPromotedWithin: 3d })
is checked: it is met when the interval of the share of runs within it lies at or above the probability.

Exit status: 0 done (budget met, or none); 4 the budget is not met, or the runs cannot tell (more --runs);
2 bad input; 130 interrupted (no new run starts, those running finish; the numbers printed cover the runs that
finished); 1 unexpected error, a run that failed among them (its scenario and seed are named).

Examples:
  $ ota-release assess examples/release.yaml --runs 200
  $ ota-release assess examples/release.yaml --devices 100000 --runs 50 --scenarios healthy,boot-fail-2x
  $ ota-release assess examples/release.yaml --runs 200 --workers 1     # leave the other cores alone
  $ ota-release assess release.yaml --runs 500 --seed 7 --json > assessment.json
  $ ota-release assess release.yaml --json | jq '.scenarios[] | {name, falseRollback, wrongPromotion}'`,
    )
    .action(async (file: string, options: AssessCliOptions) => {
      const interrupt = abortOnSignals();
      try {
        setExitCode(await assessCommand(file, options, interrupt.signal));
      } catch (error) {
        if (!(error instanceof LocalOptionsError)) throw error;
        process.stderr.write(`ota-release: ${error.message}\n`);
        setExitCode(ExitCode.BAD_INPUT);
      } finally {
        interrupt.dispose();
      }
    });
}

export async function assessCommand(file: string, options: AssessCliOptions, signal?: AbortSignal): Promise<number> {
  const request = await readReleaseFile(file);
  if (options.scenarios?.length === 0) throw new BadInputError('--scenarios needs at least one scenario name');
  // Refuses an unknown scenario before anything runs.
  const scenarios = assessmentScenarios(request, options.scenarios);
  const showProgress = options.progress ?? (!options.json && Boolean(process.stderr.isTTY));
  const progress = showProgress ? showAssessProgress(scenarios.length * options.runs) : undefined;
  let assessment: Assessment;
  try {
    assessment = await assess(request, {
      devices: options.devices,
      runs: options.runs,
      seed: options.seed,
      scenarios: scenarios.map((scenario) => scenario.name),
      baseDir: dirname(resolve(file)),
      workers: options.workers ?? defaultWorkers(options.devices, scenarios.length * options.runs),
      ...(progress ? { onRun: progress.update } : {}),
      ...(signal ? { signal } : {}),
    });
  } finally {
    progress?.stop();
  }
  // What validate warns about the plan at this fleet size (a canary too small to judge, a budget it cannot meet…):
  // the reason behind numbers that would otherwise puzzle, such as every run held.
  const { warnings } = await planForFleet(request, options.devices, dirname(resolve(file)));
  if (options.json) process.stdout.write(`${JSON.stringify({ ...assessment, warnings }, null, 2)}\n`);
  else process.stdout.write(renderAssessment(assessment, terminalOf(), warnings));
  if (assessment.interrupted) return ExitCode.INTERRUPTED;
  if (assessment.budget && assessment.budget.verdict !== 'meets') return ExitCode.BUDGET_NOT_MET;
  return ExitCode.OK;
}
