// The end of `ota-release simulate`: a table per stage (targeted, succeeded, failed, timed out, verdict and its
// evidence), rollback jobs, the outcome, exposure, virtual duration and wall time.
import { formatDuration } from '#domain/duration.ts';
import type { Evidence } from '#domain/decision.ts';
import { describeTestLines } from '#domain/evidence.ts';
import type { GateResult } from '#domain/health-gates/gate-result.ts';
import { describeGate } from '#domain/health-gates/describe-gate.ts';
import { formatCount, formatLimit, formatQuantity, formatRate } from '#domain/percent.ts';
import { NO_JOB, type ReleaseReport } from '#local/report.ts';
import { paint, percent, status, table, type Terminal } from './terminal.ts';

export function renderSimulationSummary(report: ReleaseReport, terminal: Terminal): string {
  // Two sets of counts, labelled: the job's at the end of the run (its devices go on reporting after a verdict, and a
  // rollback cancels what was queued) and the ones the verdict was given on, in its evidence.
  const stages = table(['stage', 'job', 'targeted', 'succeeded', 'failed', 'rejected', 'timed out', 'pending', 'verdict', 'evidence (counts at the verdict)'], terminal);
  for (const stage of report.stages) {
    const c = stage.counts;
    stages.push([
      // Waves count from 1 for people, as status and approve --wave do; the job id beside it keeps its 0-based suffix.
      `${stage.index + 1} ${stage.name}`,
      stage.jobStatus === NO_JOB ? 'no job\n(0 targets)' : `${stage.jobId}\n${stage.jobStatus}${stage.reasonCode ? ` (${stage.reasonCode})` : ''}`,
      formatCount(c.targeted),
      formatCount(c.succeeded),
      formatCount(c.failed),
      formatCount(c.rejected),
      formatCount(c.timedOut),
      formatCount(c.queued + c.inProgress + c.canceled > 0 ? c.queued + c.inProgress : 0) + (c.canceled ? `\n${formatCount(c.canceled)} canceled` : ''),
      stage.verdict ? `${status(stage.verdict, terminal)}\n→ ${stage.route}` : '—',
      stage.evidence ? evidenceText(stage.evidence, stage.reasons, stage.gates) : '',
    ]);
  }
  const lines = [stages.toString(), paint('Counts: each job at the end of the run. Evidence: the counts each verdict was given on.', 'grey', terminal)];
  if (report.rollbackJobs.length > 0) {
    const rollbacks = table(['rollback job', 'status', 'targeted', 'succeeded', 'failed', 'pending'], terminal);
    for (const job of report.rollbackJobs) {
      const c = job.counts;
      rollbacks.push([job.jobId, job.jobStatus, formatCount(c.targeted), formatCount(c.succeeded), formatCount(c.failed + c.rejected + c.timedOut), formatCount(c.queued + c.inProgress)]);
    }
    lines.push(rollbacks.toString());
  }
  const { exposed, devices } = report.exposure;
  // Approvals a policy answered (--approve auto | reject) stand for a person: say so, or a HOLD turned into a
  // promotion reads as the judge's own.
  const byPolicy = report.decisions.flatMap((d) => (d.kind === 'approval' && d.by.startsWith('simulate --approve') ? [d] : []));
  if (byPolicy.length > 0) {
    const answered = byPolicy.map((d) => `${d.stageName} ${d.answer === 'approve' ? 'approved' : 'rejected'}`).join(', ');
    lines.push(paint(`Approvals answered by ${byPolicy[0]!.by} (no person looked): ${answered}`, 'yellow', terminal));
  }
  lines.push(
    `Outcome:   ${status(report.outcome, terminal)}${report.execution.error ? paint(`  (${report.execution.error})`, 'grey', terminal) : ''}`,
    `Exposure:  ${formatCount(exposed)} of ${formatQuantity(devices, 'device')} ever ran ${report.stages.length ? 'the new version' : 'nothing new'} (${percent(devices ? exposed / devices : 0)})`,
    `Fleet now: ${Object.entries(report.fleet.versions).map(([version, n]) => `${version} × ${formatCount(n)}`).join(', ')}`,
    controlPlaneLine(report),
    `Time:      ${formatDuration(Math.round(report.virtualSeconds))} virtual${report.drainSeconds >= 1 ? ` (+${formatDuration(Math.round(report.drainSeconds))} for jobs left running)` : ''} in ${report.wallSeconds.toFixed(2)} s wall · ${formatCount(report.fleet.deviceEvents)} device events · ${formatCount(report.execution.stateTransitions)} state transitions`,
  );
  return `${lines.join('\n')}\n`;
}

/** One line: the IoT control-plane calls the handlers made, the busiest invocation, throttles. */
export function controlPlaneLine(report: Pick<ReleaseReport, 'controlPlane'>): string {
  const { calls, maxCallsInOneInvocation, largestInvocation, throttled } = report.controlPlane;
  const total = Object.values(calls).reduce((sum, n) => sum + n, 0);
  const top = Object.entries(calls)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, 3)
    .map(([api, n]) => `${api} ${formatCount(n)}`)
    .join(', ');
  const busiest = `at most ${formatCount(maxCallsInOneInvocation)} in one invocation${largestInvocation ? ` (${largestInvocation})` : ''}`;
  return `IoT calls: ${formatCount(total)}${top ? ` (${top}${Object.keys(calls).length > 3 ? ', …' : ''})` : ''} · ${busiest} · ${formatCount(throttled)} throttled`;
}

export function evidenceText(evidence: Evidence, reasons: string[] = [], gates: GateResult[] = []): string {
  const parts = [
    `failure ${formatRate(evidence.failureRate)} (limit ${formatLimit(evidence.maxFailureRate)}, unacceptable ${formatLimit(evidence.unacceptableFailureRate)}, ${formatLimit(evidence.confidence)})`,
    `test lines: ${describeTestLines(evidence)}`,
    `at the verdict: ${formatCount(evidence.executed)} executed, ${formatQuantity(evidence.failures, 'failure')}, coverage ${percent(evidence.coverage, 0)}, baked ${formatDuration(Math.round(evidence.bakedSeconds))}`,
  ];
  if (evidence.reverted) parts.push(`${formatQuantity(evidence.reverted, 'device')} reported SUCCEEDED and later ran the old version again: counted as failed`);
  parts.push(...gates.map((gate) => `health: ${describeGate(gate)}`));
  // The first reason says why, unless it is a promotion's or a gate's (the lines above say those).
  // A gate's failure is the one that explains a health rollback, so it stays.
  const first = reasons[0];
  if (first && !first.includes('is below the unacceptable') && !(first.startsWith('health gate') && !first.includes(' failed: '))) parts.push(first);
  return parts.join('\n');
}
