// What `ota-release assess` prints: per scenario how often the release is promoted, held or rolled back, the wrong call
// with its interval, the devices that ran the new version and the time to the end; then the budget's verdict.
import { formatDuration } from '#domain/duration.ts';
import { formatCount, formatLimit } from '#domain/percent.ts';
import type { Assessment, ScenarioResult, Spread } from '#local/assess/assessment.ts';
import { paint, table, type Terminal } from './terminal.ts';

const pct = (share: number) => `${(share * 100).toFixed(share > 0 && share < 0.001 ? 2 : 1)} %`;

function wrongCall(result: ScenarioResult): string {
  const wrong = result.falseRollback ?? result.wrongPromotion;
  if (!wrong) return result.acceptability === 'post-update' ? '— (post-update fault: health gates)' : '— (either call is fine)';
  const what = result.falseRollback ? 'false rollback' : 'wrong promotion';
  return `${what} ${pct(wrong.rate)} [${pct(wrong.interval.low)}, ${pct(wrong.interval.high)}]`;
}

const counts = (spread: Spread) => `${formatCount(spread.median)} / ${formatCount(spread.p95)} / ${formatCount(spread.worst)}`;
const times = (spread: Spread | undefined) => (spread ? `${formatDuration(spread.median)} (p95 ${formatDuration(spread.p95)})` : '—');

/** `warnings`: what validate says of the plan at the assessed fleet size, printed under the table. */
export function renderAssessment(assessment: Assessment, terminal: Terminal, warnings: readonly string[] = []): string {
  const { policy } = assessment;
  const lines = [
    `Assessed ${assessment.releaseId}: ${formatCount(assessment.runsPerScenario)} runs per scenario of ${formatCount(assessment.devices)} simulated devices, seeds ${assessment.seed}…${assessment.seed + assessment.runsPerScenario - 1}`,
    `Policy: acceptable ${formatLimit(policy.maxFailureRate)}, unacceptable ${formatLimit(policy.unacceptableFailureRate)}, confidence ${formatLimit(policy.confidence)}. Intervals: ${formatLimit(assessment.intervalConfidence)} Wilson score.`,
    '',
  ];
  const grid = table(['scenario', 'defect', 'promoted', 'held', 'rolled back', 'wrong call [95 % CI]', 'exposed median / p95 / worst', 'to promotion', 'to rollback'], terminal);
  for (const result of assessment.scenarios) {
    const wrong = result.falseRollback ?? result.wrongPromotion;
    const bad = wrong !== undefined && wrong.count > 0;
    grid.push([
      result.name,
      `${formatLimit(result.defectRate)}${result.acceptability === 'acceptable' ? ' ok' : result.acceptability === 'unacceptable' ? ' bad' : ''}`,
      pct(result.promoted.share),
      pct(result.held.share),
      pct(result.rolledBack.share),
      bad ? paint(wrongCall(result), 'red', terminal) : wrongCall(result),
      counts(result.exposed),
      times(result.secondsToPromotion),
      times(result.secondsToRollback),
    ]);
  }
  lines.push(grid.toString(), '');
  lines.push(
    'defect: the share of devices that try the new version and fail (ok: at or below the acceptable rate, so a rollback is a false',
    'rollback; bad: at or above the unacceptable rate, so a promotion is wrong; post-update faults show only to health gates).',
    'held: the judge asked a person (the run stops there).',
    'exposed: devices that ran the new version. Times are virtual, from the start to the end of the workflow.',
  );
  if (warnings.length > 0) {
    lines.push('', `The plan at ${formatCount(assessment.devices)} devices (as validate --fleet-size ${assessment.devices} says):`);
    for (const warning of warnings) lines.push(paint(`⚠ ${warning}`, 'yellow', terminal));
  }
  if (assessment.scenarios.some((result) => result.other.count > 0)) {
    lines.push(paint(`runs that ended otherwise (aborted, failed): ${assessment.scenarios.filter((r) => r.other.count > 0).map((r) => `${r.name} ${r.other.count}`).join(', ')}`, 'yellow', terminal));
  }
  if (assessment.budget) {
    lines.push('', `Budget: ${verdictText(assessment.budget.verdict, terminal)}`);
    for (const check of assessment.budget.checks) {
      lines.push(`  ${check.claim}: ${formatCount(check.within)} of ${formatCount(check.runs)} runs (${pct(check.share)}, 95 % CI [${pct(check.interval.low)}, ${pct(check.interval.high)}]), needs ${formatLimit(check.required)}: ${verdictText(check.verdict, terminal)}`);
    }
  }
  const done = assessment.scenarios.reduce((sum, r) => sum + r.runs, 0);
  if (assessment.interrupted) lines.push('', paint(interruptedText(assessment, done), 'yellow', terminal));
  lines.push('', `${formatCount(done)} runs in ${assessment.wallSeconds.toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}

/** How far an interrupted assessment got: the header's runs per scenario were planned, not all done. */
function interruptedText(assessment: Assessment, done: number): string {
  const planned = assessment.runsPerScenario * (assessment.scenarios.length + (assessment.notRun?.length ?? 0));
  const partial = assessment.scenarios.filter((r) => r.runs < assessment.runsPerScenario).map((r) => `${r.name} ${formatCount(r.runs)} of ${formatCount(assessment.runsPerScenario)}`);
  const notRun = assessment.notRun?.length ? `; not started: ${assessment.notRun.join(', ')}` : '';
  return `interrupted after ${formatCount(done)} of ${formatCount(planned)} runs: the numbers cover the runs that finished${partial.length ? ` (${partial.join(', ')})` : ''}${notRun}`;
}

function verdictText(verdict: string, terminal: Terminal): string {
  if (verdict === 'meets') return paint('meets', 'green', terminal);
  if (verdict === 'does-not-meet') return paint('does NOT meet', 'red', terminal);
  return paint('undecided (the interval straddles the requirement: more --runs)', 'yellow', terminal);
}
