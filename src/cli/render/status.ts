// `ota-release status` as text: the release line, a stage table with live counts and progress, what the workflow
// waits for (with the command that answers it), each stage's latest verdict with its evidence, and the decisions.
import type { ReleaseView, StageView, VerdictView } from '#app/describe-release.ts';
import type { DecisionRecord } from '#domain/decision.ts';
import { formatDuration } from '#domain/duration.ts';
import type { StageCounts } from '#domain/stage-counts.ts';
import { describeTestLines } from '#domain/evidence.ts';
import { describeGate } from '#domain/health-gates/describe-gate.ts';
import { formatCount, formatLimit, formatQuantity, formatRate } from '#domain/percent.ts';
import { type Terminal, bar, clockNote, paint, percent, printable, releaseTime, status, table, when } from './terminal.ts';

export interface StatusRenderOptions {
  /** Show every decision, not only the latest few. */
  allDecisions?: boolean;
}

const LATEST_DECISIONS = 10;

export function renderStatus(view: ReleaseView, terminal: Terminal, options: StatusRenderOptions = {}): string {
  const lines: string[] = [];
  lines.push(`${paint(view.releaseId, 'bold', terminal)}  ${status(view.status, terminal)}  ${printable(view.product)} ${view.previousVersion} → ${view.version}`);
  const execution = view.execution ? ` · workflow ${view.execution.status}${view.execution.error ? ` (${view.execution.error})` : ''}` : '';
  const note = clockNote(view);
  lines.push(paint(`started ${when(view.createdAt)} · updated ${releaseTime(view.updatedAt, view)}${execution}`, 'grey', terminal));
  if (note) lines.push(paint(note, 'grey', terminal));
  lines.push('', stageTable(view, terminal));
  if (view.rollbackJobs.length > 0) {
    lines.push(...view.rollbackJobs.map((job) => `rollback: ${job.jobId}${job.jobStatus ? ` ${job.jobStatus}` : ''}${job.counts ? ` · ${rollbackCounts(job.counts, view.previousVersion)}` : ' (how it went is not known here: the job engine is gone and no report was saved)'}`));
  }
  const wait = waitLines(view, terminal);
  if (wait.length) lines.push('', ...wait);
  // The stage waiting for an approval already shows its evidence above.
  const shownAbove = view.waitingFor?.kind === 'approval' && view.waitingFor.evidence ? view.waitingFor.stageIndex : -1;
  const verdicts = view.stages.filter((stage) => stage.latestVerdict && stage.index !== shownAbove);
  if (verdicts.length) {
    lines.push('', paint('Verdicts', 'bold', terminal));
    for (const stage of verdicts) lines.push(...verdictLines(stage.name, stage.latestVerdict!, terminal, view));
  }
  lines.push('', ...decisionLines(view, terminal, options.allDecisions ?? false));
  return `${lines.join('\n')}\n`;
}

function stageTable(view: ReleaseView, terminal: Terminal): string {
  const barWidth = Math.max(6, Math.min(20, terminal.columns - 100));
  const rows = table(['#', 'stage', 'targets', 'state', 'progress', 'ok', 'failed', 'rejected', 'timed out', 'running', 'queued', 'verdict'], terminal);
  for (const stage of view.stages) {
    const c = stage.counts;
    const current = stage.index === view.stageIndex && stage.state === 'active';
    rows.push([
      `${stage.index + 1}${current ? '*' : ''}`,
      `${stage.name}${stage.approval === 'manual' ? ' (manual)' : ''}`,
      stage.targets,
      status(stage.state, terminal),
      progress(stage, barWidth),
      // Counted as simulate and IoT Jobs count them: a device that refused the job (REJECTED) is not one that failed it.
      c ? formatCount(c.succeeded) : '',
      c ? formatCount(c.failed) : '',
      c ? formatCount(c.rejected) : '',
      c ? formatCount(c.timedOut) : '',
      c ? formatCount(c.inProgress) : '',
      c ? formatCount(c.queued) : '',
      stage.latestVerdict ? status(stage.latestVerdict.verdict, terminal) : '',
    ]);
  }
  return rows.toString();
}

function progress(stage: StageView, width: number): string {
  if (!stage.counts) return stage.state === 'pending' ? 'not started' : '';
  const source = stage.countsSource === 'live' ? '' : ' (last verdict)';
  return `${bar(stage.progress, width)} of ${formatCount(stage.counts.targeted)}${source}`;
}

function waitLines(view: ReleaseView, terminal: Terminal): string[] {
  const wait = view.waitingFor;
  if (!wait) return [];
  const when = (iso: string) => releaseTime(iso, view);
  if (wait.kind === 'bake') return [`Baking stage ${wait.stageName} since ${when(wait.since)}, until ${when(wait.expiresAt)} at the latest.`];
  return [
    paint(`Waiting for an operator: approve or reject stage ${wait.stageName} (asked ${when(wait.since)}, expires ${when(wait.expiresAt)})`, 'yellow', terminal),
    `  ota-release approve ${view.releaseId} --wave ${wait.stageName} --comment "…"`,
    `  ota-release reject ${view.releaseId} --wave ${wait.stageName} --reason "…"`,
    ...(wait.evidence ? verdictLines(wait.stageName, wait.evidence, terminal, view) : ['  the stage policy asks for a person (manual approval)']),
  ];
}

/** `release` says how to read the verdict's time (ReleaseView.clock); without it, as a real time. */
export function verdictLines(stageName: string, verdict: VerdictView, terminal: Terminal, release: { createdAt: string; clock?: 'simulated' } = { createdAt: '' }): string[] {
  const e = verdict.evidence;
  return [
    `  ${stageName}: ${status(verdict.verdict, terminal)} → ${verdict.route} at ${releaseTime(verdict.at, release)}${verdict.extensionsUsed ? ` (after ${verdict.extensionsUsed} extension${verdict.extensionsUsed === 1 ? '' : 's'})` : ''}`,
    `    failure rate ${formatRate(e.failureRate)}, limit ${formatLimit(e.maxFailureRate)}, unacceptable ${formatLimit(e.unacceptableFailureRate)}, ${formatLimit(e.confidence)} confidence; test lines: ${describeTestLines(e)}`,
    `    executed ${formatCount(e.executed)} of ${formatCount(e.counts.targeted)} (${percent(e.coverage, 0)}), ${formatQuantity(e.failures, 'failure')}, timeout rate ${formatRate(e.timeoutRate)}, baked ${formatDuration(e.bakedSeconds)}`,
    ...(verdict.gates ?? []).map((gate) => `    health: ${describeGate(gate)}`),
    ...verdict.reasons.map((reason) => `    - ${reason}`),
  ];
}

function decisionLines(view: ReleaseView, terminal: Terminal, all: boolean): string[] {
  const { decisions } = view;
  if (decisions.length === 0) return ['No decisions yet.'];
  const shown = all ? decisions : decisions.slice(-LATEST_DECISIONS);
  const title = shown.length === decisions.length ? 'Decisions' : `Decisions (latest ${shown.length} of ${decisions.length}; --all for every one)`;
  // Wrap the detail column to what is left of the terminal, so long reasons do not spill over the line.
  const rows = table(['when', 'stage', 'decision', 'detail'], terminal, [22, 12, 10, Math.max(30, terminal.columns - 50)]);
  for (const decision of shown) rows.push([releaseTime(decision.at, view), decision.stageName, status(headline(decision), terminal), detail(decision, view)]);
  return [paint(title, 'bold', terminal), rows.toString()];
}

function headline(decision: DecisionRecord): string {
  if (decision.kind === 'verdict') return decision.judgement.verdict;
  if (decision.kind === 'approval') return decision.answer;
  return decision.action;
}

function detail(decision: DecisionRecord, view: ReleaseView): string {
  if (decision.kind === 'verdict') return `→ ${decision.route}: ${decision.judgement.reasons[0] ?? ''}`;
  if (decision.kind === 'approval') {
    return `by ${decision.by} via ${decision.via}${decision.comment ? `: "${decision.comment}"` : ''}${decision.evidenceAt ? ` (saw the verdict of ${releaseTime(decision.evidenceAt, view)})` : ''}`;
  }
  return decision.reason;
}

/** How a rollback job went: devices back on the previous version, and those it could not bring back. */
function rollbackCounts(c: StageCounts, previousVersion: string): string {
  const notBack = c.failed + c.rejected + c.timedOut;
  const pending = c.queued + c.inProgress;
  return [`${formatCount(c.succeeded)} of ${formatCount(c.targeted)} back on ${previousVersion}`, ...(notBack ? [`${formatCount(notBack)} not brought back`] : []), ...(pending ? [`${formatCount(pending)} pending`] : [])].join(', ');
}
