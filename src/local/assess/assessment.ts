// `assess`: many seeded runs of the real workflow per scenario, and what they add up to — how often the release is
// promoted, held or rolled back, how often that call is wrong (with Wilson intervals), how many devices run the new
// version, how long it takes, and whether the release file's budget holds. Run r of every scenario uses seed
// `seed + r` (common random numbers: scenarios differ by their faults, not by their luck), so the same seed gives the
// same numbers whatever else runs, and whatever the number of workers.
import { wilsonInterval, type Interval } from '#domain/binomial-interval.ts';
import { formatDuration } from '#domain/duration.ts';
import { formatLimit, formatQuantity } from '#domain/percent.ts';
import type { ReleaseRequest } from '#domain/release-request.ts';
import type { RunResult } from './run-once.ts';
import { type RunJob, type RunLane, runQueue } from './run-queue.ts';
import { assessmentScenarios, type Acceptability, type Scenario } from './scenarios.ts';
import { type AssessSetup, inThreadLane, workerLane } from './worker-pool.ts';

/** The confidence of every interval an assessment prints. */
export const INTERVAL_CONFIDENCE = 0.95;

export interface AssessOptions {
  devices: number;
  runs: number;
  seed: number;
  /** Scenario names to run (default all). */
  scenarios?: readonly string[];
  /** Relative firmware paths in the release resolve here. */
  baseDir: string;
  /**
   * Worker threads that run the runs (capped at the number of runs); 1, the default, runs them in this thread. The
   * numbers are the same either way.
   */
  workers?: number;
  /** Called after each run, in whichever thread it ran (for a progress bar). */
  onRun?: (done: number, total: number, scenario: string) => void;
  /** Stops handing out runs; those running finish, and the assessment ends with what it has (`interrupted`). */
  signal?: AbortSignal;
}

export interface Share {
  count: number;
  share: number;
}

export interface WrongCallRate {
  /** Runs that made the wrong call, of `runs`. */
  count: number;
  rate: number;
  interval: Interval;
}

export interface Spread {
  median: number;
  p95: number;
  worst: number;
}

export interface ScenarioResult {
  name: string;
  description: string;
  defectRate: number;
  acceptability: Acceptability;
  runs: number;
  promoted: Share;
  held: Share;
  rolledBack: Share;
  /** Ended otherwise (aborted, failed): should be none. */
  other: Share;
  /** Rolled back although the defect rate is within the acceptable rate; absent when it is not. */
  falseRollback?: WrongCallRate;
  /** Promoted although the defect rate is at or above the unacceptable rate; absent when it is not. */
  wrongPromotion?: WrongCallRate;
  /** Devices that ran the new version, over the runs. */
  exposed: Spread;
  /** Virtual seconds to full rollout, over the promoted runs; absent when none was. */
  secondsToPromotion?: Spread;
  /** Virtual seconds to the end of the rollback, over the rolled-back runs; absent when none was. */
  secondsToRollback?: Spread;
}

export type BudgetVerdict = 'meets' | 'does-not-meet' | 'undecided';

export interface BudgetCheck {
  /** What is measured, in words. */
  claim: string;
  scenario: string;
  /** Runs within the budget, of the scenario's runs. */
  within: number;
  runs: number;
  share: number;
  interval: Interval;
  required: number;
  /** meets: the interval lies at or above `required`; does-not-meet: below it; undecided: it straddles (more runs). */
  verdict: BudgetVerdict;
}

export interface Assessment {
  releaseId: string;
  devices: number;
  runsPerScenario: number;
  seed: number;
  intervalConfidence: number;
  /** How the intervals are computed (for the JSON reader). */
  intervalMethod: 'wilson';
  policy: { maxFailureRate: number; unacceptableFailureRate: number; confidence: number };
  scenarios: ScenarioResult[];
  budget?: { checks: BudgetCheck[]; verdict: BudgetVerdict };
  /** Stopped before every run was done (SIGINT): the numbers cover the runs that were. */
  interrupted: boolean;
  /** Interrupted before any run of these scenarios finished: they have no results (absent when none). */
  notRun?: string[];
  wallSeconds: number;
}

export async function assess(request: ReleaseRequest, options: AssessOptions): Promise<Assessment> {
  const wallStart = performance.now();
  const scenarios = assessmentScenarios(request, options.scenarios);
  const setup: AssessSetup = { request, devices: options.devices, baseDir: options.baseDir, scenarios: scenarios.map((scenario) => scenario.name) };
  // Scenario by scenario, run by run: the order one lane takes them in, and so the order an interrupt cuts.
  const jobs: RunJob[] = scenarios.flatMap((scenario) => Array.from({ length: options.runs }, (_, run) => ({ scenario: scenario.name, run, seed: (options.seed + run) >>> 0 })));
  const workers = Math.min(Math.max(1, options.workers ?? 1), jobs.length);
  const lanes = workers === 1 ? [await inThreadLane(setup)] : startWorkers(setup, workers);
  const queued = await runQueue(jobs, lanes, { signal: options.signal, onRun: options.onRun });
  const results = new Map<string, RunResult[]>(scenarios.map((scenario) => [scenario.name, []]));
  jobs.forEach((job, index) => {
    const result = queued.results[index];
    if (result) results.get(job.scenario)!.push(result);
  });
  const interrupted = queued.interrupted;
  const summaries = scenarios.filter((scenario) => (results.get(scenario.name)?.length ?? 0) > 0).map((scenario) => summarise(scenario, results.get(scenario.name)!));
  const notRun = scenarios.filter((scenario) => (results.get(scenario.name)?.length ?? 0) === 0).map((scenario) => scenario.name);
  const budget = request.budget ? checkBudget(request.budget, summaries, results) : undefined;
  return {
    releaseId: request.releaseId,
    devices: options.devices,
    runsPerScenario: options.runs,
    seed: options.seed,
    intervalConfidence: INTERVAL_CONFIDENCE,
    intervalMethod: 'wilson',
    policy: { maxFailureRate: request.health.maxFailureRate, unacceptableFailureRate: request.health.unacceptableFailureRate, confidence: request.health.confidence },
    scenarios: summaries,
    ...(budget ? { budget } : {}),
    interrupted,
    ...(notRun.length > 0 ? { notRun } : {}),
    wallSeconds: (performance.now() - wallStart) / 1000,
  };
}

/** `count` worker lanes; if one cannot start (its data will not clone, say), those started are ended. */
function startWorkers(setup: AssessSetup, count: number): RunLane[] {
  const lanes: RunLane[] = [];
  try {
    for (let i = 0; i < count; i++) lanes.push(workerLane(setup));
    return lanes;
  } catch (error) {
    for (const lane of lanes) void lane.close();
    throw error;
  }
}

export function summarise(scenario: Scenario, runs: readonly RunResult[]): ScenarioResult {
  const n = runs.length;
  const share = (outcome: RunResult['outcome']): Share => {
    const count = runs.filter((run) => run.outcome === outcome).length;
    return { count, share: count / n };
  };
  const promoted = share('PROMOTED');
  const rolledBack = share('ROLLED_BACK');
  const wrong = (count: number): WrongCallRate => ({ count, rate: count / n, interval: wilsonInterval(count, n, INTERVAL_CONFIDENCE) });
  const timesOf = (outcome: RunResult['outcome']) => runs.filter((run) => run.outcome === outcome).map((run) => run.virtualSeconds);
  const toPromotion = timesOf('PROMOTED');
  const toRollback = timesOf('ROLLED_BACK');
  return {
    name: scenario.name,
    description: scenario.description,
    defectRate: scenario.defectRate,
    acceptability: scenario.acceptability,
    runs: n,
    promoted,
    held: share('HELD'),
    rolledBack,
    other: share('OTHER'),
    ...(scenario.acceptability === 'acceptable' ? { falseRollback: wrong(rolledBack.count) } : {}),
    ...(scenario.acceptability === 'unacceptable' ? { wrongPromotion: wrong(promoted.count) } : {}),
    exposed: spread(runs.map((run) => run.exposed)),
    ...(toPromotion.length ? { secondsToPromotion: spread(toPromotion) } : {}),
    ...(toRollback.length ? { secondsToRollback: spread(toRollback) } : {}),
  };
}

/** Median, 95th percentile (nearest rank: the smallest value at least 95 % of runs are at or below) and the worst. */
export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q: number) => sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
  return { median: rank(0.5), p95: rank(0.95), worst: sorted[sorted.length - 1]! };
}

function checkBudget(budget: NonNullable<ReleaseRequest['budget']>, summaries: ScenarioResult[], results: Map<string, RunResult[]>): Assessment['budget'] {
  const checks: BudgetCheck[] = [];
  const check = (claim: string, scenario: string, within: (run: RunResult) => boolean) => {
    const runs = results.get(scenario);
    if (!runs?.length || !summaries.some((summary) => summary.name === scenario)) return;
    const count = runs.filter(within).length;
    const interval = wilsonInterval(count, runs.length, INTERVAL_CONFIDENCE);
    const verdict: BudgetVerdict = interval.low >= budget.probability ? 'meets' : interval.high < budget.probability ? 'does-not-meet' : 'undecided';
    checks.push({ claim, scenario, within: count, runs: runs.length, share: count / runs.length, interval, required: budget.probability, verdict });
  };
  check(`a ${formatLimit(budget.defectRate)} defect reaches at most ${formatQuantity(budget.maxExposed, 'device')}`, 'budget-defect', (run) => run.exposed <= budget.maxExposed);
  const within = budget.healthyPromotedWithin;
  if (within !== undefined) check(`a healthy release is promoted within ${formatDuration(within)}`, 'healthy', (run) => run.outcome === 'PROMOTED' && run.virtualSeconds <= within);
  if (checks.length === 0) return undefined;
  const verdict: BudgetVerdict = checks.some((c) => c.verdict === 'does-not-meet') ? 'does-not-meet' : checks.every((c) => c.verdict === 'meets') ? 'meets' : 'undecided';
  return { checks, verdict };
}
