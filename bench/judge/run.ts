// bench/judge: does the judge keep the promise its confidence makes, over every look the workflow takes?
// Part 1 plays ≥ 5,000 seeded stages per policy and true failure rate through the workflow's look schedule (every
// failure event, the bake end, an extension), with today's judge and the 0.1 judge (a Wilson interval asked afresh at
// every look) side by side on the same stages, and prints validate's exact figure beside the measured one.
// Part 2 runs `simulate examples/release.yaml --devices 10000` end to end for 30 seeds at a 2 % defect and 10 seeds at
// 20 %; with --baseline <checkout> the same sweep also runs in an older checkout (e.g. the commit before the
// sequential test) so before and after sit side by side. Writes the "judge" section of bench/RESULTS.md.
// Usage: node --import ./bin/polyfills.mjs --import tsx bench/judge/run.ts [--stages N] [--baseline <dir>]
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readReleaseFile } from '#cli/target/release-file.ts';
import { errorBudgets, installTestPolicy } from '#domain/health-gates/gates.ts';
import { unacceptableRatioOf } from '#domain/health-gates/rate-ratio.ts';
import { formatDuration } from '#domain/duration.ts';
import { judge, type JudgePolicy } from '#domain/judge.ts';
import { lookScheduleOutcome } from '#domain/power.ts';
import { HealthPolicy } from '#domain/release-request.ts';
import { writeResultsSection } from '../results-file.ts';
import { playStage, seeded, type StageRun, type VerdictOf } from './look-schedule.ts';
import { type CanaryShape, playGate } from './gate-schedule.ts';
import { type SweepRun, sweep } from './simulate-sweep.ts';
import { wilsonPerLookVerdict } from './wilson-per-look.ts';

const { values: args } = parseArgs({ options: { stages: { type: 'string', default: '5000' }, baseline: { type: 'string' }, 'gate-baseline': { type: 'string' } } });
const STAGES = Number(args.stages);
const MULTIPLES = [0, 0.4, 0.8, 1, 1.5, 2, 4];
/** The new version's crash rate as a multiple of the previous version's, for the health gate. */
const RATIOS = [1, 1.2, 1.5, 2, 2.5, 3];
const GATE_SEEDS = 40;
/** Devices that report after the bake end, so the bake-end look extends the bake for coverage. */
const LATE_SHARE = 0.15;

const example = await readReleaseFile(fileURLToPath(new URL('../../examples/release.yaml', import.meta.url)));
const named = (what: string, cohort: number, policy: JudgePolicy) => ({
  name: `${what} (${cohort.toLocaleString('en-US')} devices; ${policy.maxFailureRate * 100} % vs ${policy.unacceptableFailureRate * 100} % at ${policy.confidence * 100} %${policy.rollbackConfidence === undefined || policy.rollbackConfidence === policy.confidence ? '' : `, rollback line at ${Math.round(policy.rollbackConfidence * 1000) / 10} % (its share beside the health gates)`}, minExecuted ${policy.minExecuted}, hard line ${policy.hardFailureRate * 100} %)`,
  cohort,
  policy,
});
const policies = [
  // The install test as the workflow runs it: with the example's health gates it has its share of the error budget.
  named('the example canary', 100, installTestPolicy(example.health)),
  named('a tiny canary', 20, HealthPolicy.parse({ maxFailureRate: 0.05, unacceptableFailureRate: 0.25, confidence: 0.9, minExecuted: 10, maxExtensions: 1 })),
  named('a 1 % limit at 95 %', 2000, HealthPolicy.parse({ maxFailureRate: 0.01, confidence: 0.95, maxExtensions: 1 })),
];

interface Tally {
  rollback: number;
  promote: number;
  hold: number;
  reportsAtRollback: number[];
  looks: number;
}

function tally(runs: StageRun[]): Tally {
  const t: Tally = { rollback: 0, promote: 0, hold: 0, reportsAtRollback: [], looks: 0 };
  for (const run of runs) {
    if (run.outcome === 'ROLLBACK') {
      t.rollback++;
      t.reportsAtRollback.push(run.reports);
    } else if (run.outcome === 'PROMOTE') t.promote++;
    else t.hold++;
    t.looks += run.looks;
  }
  return t;
}

const newJudge: VerdictOf = (counts, policy, progress) => judge(counts, policy, progress).verdict;
const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)} %`;
const median = (xs: number[]) => (xs.length === 0 ? '—' : String([...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]));

/** simulate-sweep.ts copied into an older checkout and run there: the same sweep on that version's code. */
function runSweepIn(checkout: string, failRate: number, seeds: number): SweepRun[] {
  mkdirSync(join(checkout, 'bench/judge'), { recursive: true });
  copyFileSync(fileURLToPath(new URL('./simulate-sweep.ts', import.meta.url)), join(checkout, 'bench/judge/simulate-sweep.ts'));
  const output = execFileSync(process.execPath, ['--import', './bin/polyfills.mjs', '--import', 'tsx', 'bench/judge/simulate-sweep.ts', String(failRate), String(seeds)], {
    cwd: checkout,
    encoding: 'utf8',
    env: { ...process.env, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(output.trim().split('\n').pop()!) as { runs: SweepRun[] }).runs;
}

const sections: string[] = [];
const verdicts: string[] = [];
for (const [index, { name, cohort, policy }] of policies.entries()) {
  const alpha = 1 - policy.confidence;
  const rollbackAlpha = 1 - (policy.rollbackConfidence ?? policy.confidence);
  const rows: string[] = [];
  for (const multiple of MULTIPLES) {
    const rate = Math.min(1, multiple * policy.maxFailureRate);
    // The same seeded stages for both judges: each judge sees exactly the same devices, in the same order.
    const play = (verdictOf: VerdictOf) => {
      const random = seeded(1_000_003 * (index + 1) + Math.round(rate * 1e6));
      return Array.from({ length: STAGES }, () => playStage(verdictOf, policy, cohort, rate, LATE_SHARE, random));
    };
    const now = tally(play(newJudge));
    const before = tally(play(wilsonPerLookVerdict));
    const exact = lookScheduleOutcome(cohort, policy, rate);
    const wrong = rate <= policy.maxFailureRate ? now.rollback / STAGES : rate >= policy.unacceptableFailureRate ? now.promote / STAGES : undefined;
    // A wrong call beyond its bound plus three standard errors of STAGES draws would be a broken promise, not noise.
    const bound = rate <= policy.maxFailureRate ? rollbackAlpha : alpha;
    const noise = 3 * Math.sqrt((bound * (1 - bound)) / STAGES);
    const kept = wrong === undefined ? '—' : wrong <= bound + noise ? 'kept' : '**BROKEN**';
    if (kept === '**BROKEN**') verdicts.push(`${name} at ${multiple}× the limit`);
    rows.push(
      `| ${multiple}× (${(rate * 100).toFixed(1)} %) | ${pct(now.rollback, STAGES)} | ${pct(now.promote, STAGES)} | ${pct(now.hold, STAGES)} | ${median(now.reportsAtRollback)} | ${(exact.rollback * 100).toFixed(1)} % | ${kept} | ${pct(before.rollback, STAGES)} | ${pct(before.promote, STAGES)} | ${pct(before.hold, STAGES)} | ${median(before.reportsAtRollback)} | ${(now.looks / STAGES).toFixed(1)} |`,
    );
    process.stdout.write(`${name} @ ${multiple}×: rollback ${pct(now.rollback, STAGES)} (0.1: ${pct(before.rollback, STAGES)}), promote ${pct(now.promote, STAGES)} (0.1: ${pct(before.promote, STAGES)})\n`);
  }
  sections.push(`### ${name}

Wrong-call bounds: ${(rollbackAlpha * 100).toFixed(0)} % for a rollback at rates ≤ ${(policy.maxFailureRate * 100).toFixed(1)} %, ${(alpha * 100).toFixed(0)} % for a promotion at rates ≥ ${(policy.unacceptableFailureRate * 100).toFixed(1)} %.

| true rate | rollback | promote | hold | median reports at rollback | validate's exact rollback | promise | 0.1 rollback | 0.1 promote | 0.1 hold | 0.1 median reports at rollback | looks per stage |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}
`);
}

// Part 3: the health gate, alone on the example's canary and end to end.
const crashGate = example.health.gates.find((gate) => gate.kind === 'rate');
if (!crashGate || crashGate.kind !== 'rate') throw new Error('examples/release.yaml has no rate gate to measure');
const gateBudgets = errorBudgets(example.health.confidence, example.health.gates).gate;
const canary: CanaryShape = {
  devices: 100,
  fleet: 10_000,
  perMinute: 5,
  installSeconds: 300,
  warmUpSeconds: example.health.warmUp,
  bakeSeconds: example.stages[0]!.bake,
  maxExtensions: example.health.maxExtensions,
  extendBySeconds: example.health.extendBy ?? example.stages[0]!.bake / 2,
  crashesPerDeviceHour: 0.05,
};
const gateRows: string[] = [];
const gateBroken: string[] = [];
for (const ratio of RATIOS) {
  const random = seeded(7_000_001 + Math.round(ratio * 1000));
  const runs = Array.from({ length: STAGES }, () => playGate(crashGate, gateBudgets, canary, ratio, random));
  const share = (outcome: string) => runs.filter((run) => run.outcome === outcome).length / STAGES;
  const bound = ratio <= crashGate.maxRatio ? gateBudgets.rollback : gateBudgets.promote;
  const wrong = ratio <= crashGate.maxRatio ? share('ROLLBACK') : ratio >= unacceptableRatioOf(crashGate) ? share('PROMOTE') : undefined;
  const noise = 3 * Math.sqrt((bound * (1 - bound)) / STAGES);
  const kept = wrong === undefined ? '—' : wrong <= bound + noise ? 'kept' : '**BROKEN**';
  if (kept === '**BROKEN**') gateBroken.push(`${ratio}×`);
  const decided = runs.filter((run) => run.outcome !== 'HOLD').map((run) => run.seconds);
  gateRows.push(`| ${ratio}× | ${pct(share('ROLLBACK') * STAGES, STAGES)} | ${pct(share('PROMOTE') * STAGES, STAGES)} | ${pct(share('HOLD') * STAGES, STAGES)} | ${decided.length === 0 ? '—' : formatDuration(Number(median(decided)))} | ${kept} |`);
  process.stdout.write(`crash gate @ ${ratio}×: rollback ${pct(share('ROLLBACK') * STAGES, STAGES)}, promote ${pct(share('PROMOTE') * STAGES, STAGES)}\n`);
}
const e2eGateRows: string[] = [];
for (const ratio of RATIOS) {
  const runs = await sweep(0, GATE_SEEDS, 10_000, ratio);
  const rolledBack = runs.filter((r) => r.outcome === 'ROLLED_BACK');
  const onHealth = rolledBack.filter((r) => r.reason?.startsWith('health gate'));
  e2eGateRows.push(`| ${ratio}× | ${rolledBack.length} of ${runs.length} (${onHealth.length} on health evidence; stages: ${[...new Set(rolledBack.map((r) => r.stage))].join(', ') || '—'}) | ${runs.filter((r) => r.outcome === 'PROMOTED').length} | ${median(rolledBack.map((r) => r.exposed))} |`);
  process.stdout.write(`simulate crash ratio ${ratio}×: ${rolledBack.length} of ${runs.length} rolled back\n`);
}

// The install-only judge (a checkout from before health gates) on the crashiest scenario, for the before column.
let gateBefore = 'not run (no --gate-baseline)';
if (args['gate-baseline']) {
  const runs = runSweepIn(args['gate-baseline'], 0, GATE_SEEDS);
  gateBefore = `${runs.filter((r) => r.outcome === 'ROLLED_BACK').length} of ${runs.length} rolled back, ${runs.filter((r) => r.outcome === 'PROMOTED').length} promoted`;
  process.stdout.write(`install-only judge at ${RATIOS.at(-1)}×: ${gateBefore}\n`);
}

// Part 2: the whole workflow, end to end.
const summarise = (runs: SweepRun[]) => {
  const rolledBack = runs.filter((r) => r.outcome === 'ROLLED_BACK');
  const atCanary = rolledBack.filter((r) => r.stage === 'canary');
  return { runs: runs.length, rolledBack: rolledBack.length, atCanary: atCanary.length, medianExposed: median(rolledBack.map((r) => r.exposed)), stages: [...new Set(rolledBack.map((r) => r.stage))].join(', ') || '—' };
};
const endToEnd: Array<[string, number, number]> = [
  ['2 % defect (limit 5 %)', 0.02, 30],
  ['20 % defect', 0.2, 10],
];
const e2eRows: string[] = [];
for (const [label, failRate, seeds] of endToEnd) {
  const now = summarise(await sweep(failRate, seeds, 10_000));
  let before: ReturnType<typeof summarise> | undefined;
  if (args.baseline) {
    before = summarise(runSweepIn(args.baseline, failRate, seeds));
  }
  const cell = (s: ReturnType<typeof summarise> | undefined) => (s ? `${s.rolledBack} of ${s.runs} (${s.atCanary} at the canary; median exposed ${s.medianExposed}; stages: ${s.stages})` : 'not run');
  e2eRows.push(`| ${label} | ${cell(now)} | ${cell(before)} |`);
  process.stdout.write(`simulate ${label}: now ${cell(now)}; before ${cell(before)}\n`);
}

await writeResultsSection(
  'judge',
  `## judge

\`node --import ./bin/polyfills.mjs --import tsx bench/judge/run.ts --baseline <checkout of the commit before the sequential test>\`.
Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}.

**Part 1: the judge alone, ${STAGES.toLocaleString('en-US')} seeded stages per row.** Devices report one by one in a random order, each
failing with the true rate. Every failure is a look (the early check on a failure event; only a rollback can come of
it); ${LATE_SHARE * 100} % of the devices report after the bake end, so the bake-end look extends the bake for coverage; every
failure during the extension is a look; the extension's end is the last look. Today's judge (the sequential test) and
the 0.1 judge (a two-sided Wilson interval asked afresh at every look) judge the very same stages. *validate's exact
rollback* is the power analysis's dynamic programme for the same cohort (it looks at every failure and at the end, with
no late reporters). *promise*: whether the wrong calls (rollbacks at or below the acceptable rate, promotions at or
above the unacceptable one) stay within the bound plus three standard errors of ${STAGES.toLocaleString('en-US')} draws.
${verdicts.length === 0 ? 'Every promise was kept.' : `Broken: ${verdicts.join('; ')}.`}

${sections.join('\n')}
**Part 2: the whole workflow, \`simulate examples/release.yaml --devices 10000 --fail-rate R --seed 1…N\`** (real ASL,
handlers, IoT Jobs engine and simulated fleet). A rollback at a 2 % defect is a wrong one (the limit is 5 %); every
run at 20 % should roll back, and at the canary. *Exposed*: devices that ever ran the new image.

| scenario | now: rolled back | before (${args.baseline ? 'the baseline checkout, same run' : 'no baseline given'}) |
| --- | --- | --- |
${e2eRows.join('\n')}

**Part 3: the crash-rate health gate** of examples/release.yaml (${crashGate.maxRatio}× acceptable, ${unacceptableRatioOf(crashGate)}× unacceptable;
it fails an acceptable release at most ${(gateBudgets.rollback * 100).toFixed(1)} % of the time, its share of the budget for wrong rollbacks, and passes an
unacceptable one at most ${(gateBudgets.promote * 100).toFixed(0)} %). *Alone*: ${STAGES.toLocaleString('en-US')} seeded canaries per row, shaped like the
example's (100 devices at 5 a minute, 5 minutes to install, ${formatDuration(canary.warmUpSeconds)} warm-up, 9,900 devices on the previous version, 0.05
crashes per device-hour there, 5-minute periods), looked at when the workflow would on a release whose installs all
succeed: the bake's end, then each extension the gate asks for (by exposure, at most one bake, at most
${canary.maxExtensions}), then a person. *promise*: rollbacks at ratios ≤ ${crashGate.maxRatio}× and promotions at ≥ ${unacceptableRatioOf(crashGate)}× within those bounds plus
three standard errors. ${gateBroken.length === 0 ? 'Every promise was kept.' : `Broken at ${gateBroken.join(', ')}.`}

| crash ratio | rollback | promote | hold | median time to a verdict | promise |
| --- | --- | --- | --- | --- | --- |
${gateRows.join('\n')}

*End to end*: \`simulate examples/release.yaml --devices 10000\` with every install succeeding and the new version
crashing at the ratio times the previous version's rate, seeds 1…${GATE_SEEDS} (the real workflow; the install test, the crash gate
and the silence gate all look). *Exposed*: devices that ever ran the new version, median over the rolled-back runs.

| crash ratio | rolled back | promoted | median exposed |
| --- | --- | --- | --- |
${e2eGateRows.join('\n')}

Before health gates (${args['gate-baseline'] ? 'the checkout given as --gate-baseline, same run' : 'no checkout given'}), the install-only judge on the same fleet at ${RATIOS.at(-1)}×: ${gateBefore}.
`,
);
process.stdout.write('wrote the judge section of bench/RESULTS.md\n');
